/**
 * Consensus in code: agents vote through structured output, and this module
 * parses the votes, counts them and words the next deliberative round. No
 * model ever counts votes, so a tally is exact and reproducible.
 */
import { z } from 'zod';
import { InvalidVoteError } from '../protocols/errors/errors.js';
import type { JsonSchema } from '../protocols/model.js';
import type { ConsensusConfig, ConsensusMethod, ConsensusVote } from '../protocols/task.js';

/** Floating-point slack for quorum and tie comparisons: 0.8 + 0.4 is not exactly 1.2. */
const EPSILON = 1e-9;

/** Default bound on deliberative rounds. */
export const DEFAULT_MAX_ROUNDS = 3;

/** A ConsensusConfig with its defaults applied. */
export interface ResolvedConsensusConfig {
  readonly method: ConsensusMethod;
  readonly confidenceWeights: boolean;
  /** Share of the weight the leading decision needs. */
  readonly requireQuorum: number;
  /** True when no quorum was given: the leader needs strictly more than half. */
  readonly strictMajority: boolean;
  readonly maxRounds: number;
  readonly voters?: readonly string[];
  readonly options?: readonly string[];
}

/**
 * Applies the defaults: confidenceWeights true, maxRounds 3, and, when
 * requireQuorum is absent, a strict majority (more than half of the weight)
 * for every method. A given requireQuorum q is met at agreement ≥ q.
 *
 * @example
 * ```ts
 * resolveConsensusConfig({ method: 'majority' }).strictMajority; // true
 * ```
 */
export function resolveConsensusConfig(config: ConsensusConfig): ResolvedConsensusConfig {
  return {
    method: config.method,
    confidenceWeights: config.confidenceWeights ?? true,
    requireQuorum: config.requireQuorum ?? 0.5,
    strictMajority: config.requireQuorum === undefined,
    maxRounds: config.maxRounds ?? DEFAULT_MAX_ROUNDS,
    ...(config.voters === undefined ? {} : { voters: config.voters }),
    ...(config.options === undefined ? {} : { options: config.options }),
  };
}

/**
 * The grouping key of a decision: Unicode-normalized (NFKC), trimmed,
 * whitespace collapsed, case-folded, and trailing sentence punctuation
 * (`. , ; : ! ? …` and full-width forms) removed. "Yes." and " yes" group together.
 *
 * @example
 * ```ts
 * normalizeDecision('  Approve   the PLAN! '); // 'approve the plan'
 * ```
 */
export function normalizeDecision(decision: string): string {
  // Upper- then lower-casing folds more than toLowerCase alone (ß → ss).
  return tidySpelling(decision.normalize('NFKC')).toUpperCase().toLowerCase();
}

/** Trimmed, whitespace collapsed, trailing sentence punctuation removed; case kept. */
function tidySpelling(decision: string): string {
  const collapsed = decision.trim().replace(/\s+/gu, ' ');
  const stripped = collapsed.replace(/[\s.,;:!?…。、！？，；：]+$/u, '');
  return stripped === '' ? collapsed : stripped;
}

/** The outcome of counting one round of votes. */
export interface VoteTally {
  /** The winning decision (its most common spelling: case kept, trailing punctuation dropped), or null when the quorum was not met. */
  readonly decision: string | null;
  /** The top-ranked decision even when the quorum was not met; null with no counted weight. */
  readonly leading: string | null;
  /** Weight behind the leading decision ÷ total weight; 0 when nothing was counted. */
  readonly agreement: number;
  readonly quorumMet: boolean;
  /** Total weight per decision, keyed by the reported spelling. */
  readonly weights: Record<string, number>;
  /** The votes counted (the last round, one per agent), each with the weight it counted for. */
  readonly votes: readonly ConsensusVote[];
  /** Votes not counted because their decision is none of `options`. */
  readonly ignored: readonly ConsensusVote[];
  /** The round that was counted; 0 when there were no votes. */
  readonly round: number;
}

interface DecisionGroup {
  readonly key: string;
  weight: number;
  confidence: number;
  readonly spellings: Map<string, number>;
}

const clampConfidence = (confidence: number): number =>
  Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;

/** Higher weight, then higher total confidence, then the lexically first key. */
function compareGroups(a: DecisionGroup, b: DecisionGroup): number {
  if (Math.abs(a.weight - b.weight) > EPSILON) return b.weight - a.weight;
  if (Math.abs(a.confidence - b.confidence) > EPSILON) return b.confidence - a.confidence;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The most common spelling of a group (case kept, trailing punctuation dropped); ties go to the lexically first. */
function reportedSpelling(group: DecisionGroup): string {
  let best = group.key;
  let bestCount = 0;
  for (const [spelling, count] of group.spellings) {
    if (count > bestCount || (count === bestCount && spelling < best)) {
      best = spelling;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Counts votes. Only the last round present is counted, one vote per agent
 * (its last one in that round). Decisions are grouped by
 * {@link normalizeDecision}; with `options`, each group reports the option's
 * spelling and votes for anything else are ignored. Weights: majority 1 per
 * vote; weighted_voting and deliberative the voter's confidence (clamped to
 * [0, 1]) when confidenceWeights is on (the default), else 1.
 *
 * The leader has the most weight, then the most total confidence, then the
 * lexically first normalized decision. `decision` is the leader when the
 * quorum is met and null otherwise, so a tie at the top under a strict
 * majority is always null.
 *
 * @example
 * ```ts
 * const tally = tallyVotes(
 *   [
 *     { agentId: 'a', decision: 'Yes', confidence: 0.9, weight: 1, rationale: '', round: 1 },
 *     { agentId: 'b', decision: 'yes.', confidence: 0.6, weight: 1, rationale: '', round: 1 },
 *     { agentId: 'c', decision: 'No', confidence: 0.5, weight: 1, rationale: '', round: 1 },
 *   ],
 *   { method: 'weighted_voting', requireQuorum: 0.7 },
 * );
 * tally.decision; // 'Yes' (1.5 of 2.0: agreement 0.75)
 * ```
 */
export function tallyVotes(votes: readonly ConsensusVote[], config: ConsensusConfig): VoteTally {
  const resolved = resolveConsensusConfig(config);
  const round = votes.reduce((latest, vote) => Math.max(latest, vote.round), 0);
  const byAgent = new Map<string, ConsensusVote>();
  for (const vote of votes) if (vote.round === round) byAgent.set(vote.agentId, vote);

  // An empty option list restricts nothing, as in parseVote and voteSchema.
  const restricted = resolved.options !== undefined && resolved.options.length > 0;
  const optionByKey = new Map((resolved.options ?? []).map((option) => [normalizeDecision(option), option]));
  const groups = new Map<string, DecisionGroup>();
  const counted: ConsensusVote[] = [];
  const ignored: ConsensusVote[] = [];
  for (const vote of byAgent.values()) {
    const key = normalizeDecision(vote.decision);
    const option = optionByKey.get(key);
    if (restricted && option === undefined) {
      ignored.push(vote);
      continue;
    }
    const confidence = clampConfidence(vote.confidence);
    const weight = resolved.method === 'majority' || !resolved.confidenceWeights ? 1 : confidence;
    const group = groups.get(key) ?? { key, weight: 0, confidence: 0, spellings: new Map<string, number>() };
    group.weight += weight;
    group.confidence += confidence;
    const spelling = option ?? tidySpelling(vote.decision);
    group.spellings.set(spelling, (group.spellings.get(spelling) ?? 0) + 1);
    groups.set(key, group);
    counted.push({ ...vote, weight });
  }

  const ranked = [...groups.values()].sort(compareGroups);
  const weights: Record<string, number> = {};
  let total = 0;
  for (const group of ranked) {
    weights[reportedSpelling(group)] = group.weight;
    total += group.weight;
  }
  const leader = ranked[0];
  const hasWeight = leader !== undefined && total > EPSILON;
  const agreement = hasWeight ? leader.weight / total : 0;
  const quorumMet =
    hasWeight &&
    (resolved.strictMajority ? agreement > 0.5 + EPSILON : agreement >= resolved.requireQuorum - EPSILON);
  const leading = hasWeight ? reportedSpelling(leader) : null;
  return { decision: quorumMet ? leading : null, leading, agreement, quorumMet, weights, votes: counted, ignored, round };
}

/** Rationales longer than this are cut in deliberation prompts, to bound their size. */
const MAX_RATIONALE_CHARS = 600;

/**
 * The text each agent sees in a deliberative round: the question, the
 * allowed options, and every agent's decision, confidence and rationale from
 * the latest earlier round (sorted by agent id), with the instruction to keep
 * or change its vote.
 *
 * @example
 * ```ts
 * const prompt = deliberationPrompt('Ship on Friday?', round1Votes, 2, ['yes', 'no']);
 * ```
 */
export function deliberationPrompt(
  question: string,
  previousVotes: readonly ConsensusVote[],
  round: number,
  options?: readonly string[],
): string {
  const lines = [`Deliberation, round ${round}.`, '', `Question: ${question.trim()}`];
  if (options !== undefined && options.length > 0) {
    lines.push(`Choose exactly one of: ${options.map((option) => JSON.stringify(option)).join(', ')}.`);
  }
  const earlier = previousVotes.filter((vote) => vote.round < round);
  const lastRound = earlier.reduce((latest, vote) => Math.max(latest, vote.round), 0);
  const shown = earlier
    .filter((vote) => vote.round === lastRound)
    .sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  if (shown.length === 0) {
    lines.push('', 'Give your decision, your confidence between 0 and 1, and a short rationale.');
    return lines.join('\n');
  }
  lines.push('', `In round ${lastRound} the agents answered:`);
  for (const vote of shown) {
    const rationale = vote.rationale.trim().replace(/\s+/gu, ' ');
    const cut = rationale.length > MAX_RATIONALE_CHARS ? `${rationale.slice(0, MAX_RATIONALE_CHARS)}…` : rationale;
    lines.push(
      `- ${vote.agentId}: ${JSON.stringify(vote.decision.trim())} (confidence ${clampConfidence(vote.confidence).toFixed(2)})`,
      `  Rationale: ${cut === '' ? '(none given)' : cut}`,
    );
  }
  lines.push(
    '',
    'Weigh these answers and their reasons. Keep your decision or change it if an argument convinced you.',
    'Give your decision, your confidence between 0 and 1, and a short rationale that answers the strongest opposing argument.',
  );
  return lines.join('\n');
}

/**
 * The JSON Schema of a vote for structured output. With `options`, the
 * decision is restricted to them (an `enum`). Strict-mode friendly: every
 * property required, no additional properties.
 *
 * @example
 * ```ts
 * const task = { taskId, task: prompt, outputSchema: { name: 'vote', schema: voteSchema(['yes', 'no']) } };
 * ```
 */
export function voteSchema(options?: readonly string[]): JsonSchema {
  const decision =
    options !== undefined && options.length > 0
      ? { type: 'string', enum: [...options], description: 'Your decision: exactly one of the options.' }
      : { type: 'string', description: 'Your decision, in a few words.' };
  return {
    type: 'object',
    properties: {
      decision,
      confidence: { type: 'number', minimum: 0, maximum: 1, description: 'How sure you are, from 0 to 1.' },
      rationale: { type: 'string', description: 'Why, in a few sentences.' },
    },
    required: ['decision', 'confidence', 'rationale'],
    additionalProperties: false,
  };
}

/** The JSON Schema of a free-form vote: `voteSchema()` without options. */
export const VOTE_SCHEMA: JsonSchema = voteSchema();

const voteValue = z.object({
  decision: z
    .string({ error: 'decision must be a string' })
    .refine((value) => value.trim().length > 0, 'decision must not be empty'),
  confidence: z
    .number({ error: 'confidence must be a number' })
    .min(0, 'confidence must be between 0 and 1')
    .max(1, 'confidence must be between 0 and 1'),
  rationale: z.string({ error: 'rationale must be a string' }),
});

/**
 * Validates a structured-output vote (an object, or its JSON text) and turns
 * it into a ConsensusVote. With `options`, the decision must match one of them
 * after {@link normalizeDecision} and takes the option's spelling. The
 * vote's `weight` is 1 until {@link tallyVotes} counts it.
 *
 * @example
 * ```ts
 * const vote = parseVote({ decision: 'Yes', confidence: 0.8, rationale: 'Tests pass' }, 'expert_1', 1);
 * if (vote instanceof InvalidVoteError) askAgain(vote.message);
 * ```
 */
export function parseVote(
  value: unknown,
  agentId: string,
  round: number,
  options?: readonly string[],
): ConsensusVote | InvalidVoteError {
  let input = value;
  if (typeof value === 'string') {
    try {
      input = JSON.parse(value);
    } catch {
      return new InvalidVoteError(agentId, round, 'the answer is not a JSON object');
    }
  }
  const parsed = voteValue.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason = issue?.code === 'invalid_type' && issue.path.length === 0 ? 'the answer is not an object' : issue?.message;
    return new InvalidVoteError(agentId, round, reason ?? 'not a vote');
  }
  let decision = parsed.data.decision.trim();
  if (options !== undefined && options.length > 0) {
    const key = normalizeDecision(decision);
    const option = options.find((candidate) => normalizeDecision(candidate) === key);
    if (option === undefined) {
      const allowed = options.map((candidate) => JSON.stringify(candidate)).join(', ');
      return new InvalidVoteError(agentId, round, `decision ${JSON.stringify(decision)} is not one of ${allowed}`);
    }
    decision = option;
  }
  return { agentId, decision, confidence: parsed.data.confidence, weight: 1, rationale: parsed.data.rationale, round };
}
