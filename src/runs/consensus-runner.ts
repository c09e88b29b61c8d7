/**
 * Runs a consensus task: each voter answers through structured output, the
 * votes are tallied in code (src/runs/consensus-votes.ts), and a deliberative
 * consensus shows the voters each other's opinions for bounded rounds until
 * the quorum is reached.
 */
import { AgentFailedError, CancelledError, InvalidVoteError, toErrorData } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import { addUsage, EMPTY_USAGE } from '../protocols/model.js';
import type { TokenUsage } from '../protocols/model.js';
import type { ConsensusResult, ConsensusVote, SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import { deliberationPrompt, parseVote, resolveConsensusConfig, tallyVotes, voteSchema } from './consensus-votes.js';
import { renderValue } from '../actors/agent/prompts.js';
import type { TaskRunRequest } from './task-runner.js';
import { addCents } from '../protocols/cents.js';

/** Runs one voter's task and returns its TaskResult (the task runner's `run`). */
export type RunVoter = (request: TaskRunRequest) => Promise<TaskResult>;

/**
 * Who votes: the configured voters, else the task's dependencies, else the
 * keys of its inputData when that is a record of results by agent id.
 */
export function votersOf(spec: SubAgentTaskSpec): string[] {
  const configured = spec.consensusConfig?.voters;
  if (configured && configured.length > 0) return [...configured];
  if (spec.dependencies && spec.dependencies.length > 0) return [...spec.dependencies];
  const input = spec.inputData;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return Object.keys(input);
  return [];
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of results. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

/**
 * The consensus task's result; its output states the decision. At most
 * `maxParallel` voters (the run's maxParallelAgents) answer at once. A round
 * in which no voter casts a valid vote ends the rounds: the decision is made
 * from the last round that cast one, and the output names the silent round and
 * why its voters were left out (ended `cancelled` when the run was cancelled,
 * `failed` when no round cast a vote at all).
 */
export async function runConsensus(
  request: TaskRunRequest,
  runVoter: RunVoter,
  now: () => number,
  maxParallel = Number.POSITIVE_INFINITY,
): Promise<TaskResult> {
  const { spec } = request;
  const config = resolveConsensusConfig(spec.consensusConfig ?? { method: 'majority' });
  const voters = votersOf(spec);
  const startedAt = now();
  let usage: TokenUsage = EMPTY_USAGE;
  let costCents = 0;
  let attempts = 0;
  let simulated = false;
  const providers = new Set<string>();
  const votes: ConsensusVote[] = [];
  /** Why voters of the last round held cast no counted vote. */
  let leftOut: string[] = [];
  const rounds = config.method === 'deliberative' ? config.maxRounds : 1;
  /** The tally of the last round that cast a valid vote: the one the decision is made from. */
  let tally = tallyVotes([], spec.consensusConfig ?? { method: 'majority' });
  let round = 0;
  // What the voters decide on: the task's input and, in a workflow, its dependencies' outputs.
  const material = [
    ...(spec.inputData === undefined ? [] : [renderValue(spec.inputData)]),
    ...Object.entries(request.dependencyOutputs ?? {}).map(([agentId, output]) => `## ${agentId}\n${output}`),
  ];
  const context = material.length === 0 ? '' : `\n\nMaterial to decide on:\n${material.join('\n\n')}`;

  for (round = 1; round <= rounds; round++) {
    const prompt = `${deliberationPrompt(spec.taskDescription, votes, round, config.options)}${context}`;
    const results = await mapBounded(voters, maxParallel, (voter) =>
        runVoter({
          workflowId: `${request.workflowId}/consensus:${spec.agentId}/r${round}`,
          spec: { agentId: voter, taskDescription: prompt },
          ...(request.signal ? { signal: request.signal } : {}),
          taskExtras: { outputSchema: { name: 'vote', schema: voteSchema(config.options) } },
        }),
    );
    const roundVotes: ConsensusVote[] = [];
    leftOut = [];
    for (const result of results) {
      usage = addUsage(usage, result.usage);
      costCents = addCents(costCents, result.costCents);
      attempts += result.attempts;
      simulated ||= result.simulated;
      for (const provider of result.providers ?? []) providers.add(provider);
      if (result.status !== 'succeeded') {
        leftOut.push(`"${result.agentId}" ${result.status}${result.error ? `: ${result.error.message}` : ''}`);
        continue;
      }
      const vote = parseVote(result.structured ?? result.output, result.agentId, round, config.options);
      if (vote instanceof InvalidVoteError) leftOut.push(vote.message);
      else roundVotes.push(vote);
    }
    // No voter of this round cast a valid vote, each after its own retries: the cause (an outage, the
    // budget, a cancel) would most likely sink another round too, which would show the same opinions
    // again. So deliberation stops and the last round with votes stands, rather than an empty tally.
    if (roundVotes.length === 0) break;
    votes.push(...roundVotes);
    tally = tallyVotes(roundVotes, spec.consensusConfig ?? { method: 'majority' });
    // A cancelled run asks no further round: its voters would only be refused.
    if (tally.quorumMet || request.signal?.aborted) break;
  }
  const finalRound = Math.min(round, rounds);
  const aborted = request.signal?.aborted === true;
  /** The last round held cast no valid vote, after earlier rounds did: say so, and which round counts. */
  const silentRound = votes.length > 0 && tally.round < finalRound;
  const consensus: ConsensusResult = {
    method: config.method,
    decision: tally.decision,
    // Other rounds as cast; the counted round with the weight each vote had.
    votes: [...votes.filter((vote) => vote.round !== tally.round), ...tally.votes],
    agreement: tally.agreement,
    quorumMet: tally.quorumMet,
    rounds: finalRound,
  };
  const finishedAt = now();
  const outcome =
    tally.decision === null
      ? `No consensus after ${finalRound} round(s): agreement ${tally.agreement.toFixed(2)} is under the quorum.`
      : `Decision: ${tally.decision} (agreement ${tally.agreement.toFixed(2)}, ${tally.quorumMet ? 'quorum met' : 'quorum not met'}, ${finalRound} round(s))`;
  const output = silentRound
    ? `${outcome} Round ${finalRound} cast no valid vote (${reasonsOf(leftOut)}), so round ${tally.round} was counted.`
    : outcome;
  const failure =
    votes.length === 0
      ? noVoteError(spec.agentId, voters.length, leftOut, aborted)
      : silentRound && aborted
        ? toErrorData(new CancelledError(`the consensus run was cancelled in round ${finalRound}, before a decision`))
        : undefined;
  return {
    agentId: spec.agentId,
    status: failure === undefined ? 'succeeded' : failure.code === 'CANCELLED' ? 'cancelled' : 'failed',
    output,
    confidence: tally.agreement,
    attempts,
    costCents,
    usage,
    startedAt,
    finishedAt,
    durationSeconds: (finishedAt - startedAt) / 1000,
    alternatives: [],
    consensus,
    simulated,
    providers: [...providers],
    ...(failure === undefined ? {} : { error: failure }),
  };
}

/** Why a consensus task has no vote to count: cancelled, no voters, or what each voter did instead. */
function noVoteError(agentId: string, voterCount: number, leftOut: readonly string[], aborted: boolean): ErrorData {
  if (aborted) return toErrorData(new CancelledError('the consensus run was cancelled before a vote was cast'));
  if (voterCount === 0) {
    const hint = 'set consensusConfig.voters, dependencies, or inputData keyed by agent id';
    return toErrorData(new AgentFailedError(agentId, `no valid vote was cast: it has no voters (${hint})`));
  }
  return toErrorData(new AgentFailedError(agentId, `no valid vote was cast (${reasonsOf(leftOut)})`));
}

/** The first three reasons voters cast no counted vote, and how many more there were. */
function reasonsOf(leftOut: readonly string[]): string {
  const more = leftOut.length > 3 ? `; and ${leftOut.length - 3} more` : '';
  return `${leftOut.slice(0, 3).join('; ')}${more}`;
}
