/**
 * Text composition for the simulated provider: reads the request (task, role,
 * directives, tool results), picks its key phrases and writes short structured
 * answers, thinking and field values from templates chosen by a seeded PRNG.
 * Everything here is a pure function of the request and the {@link Random}.
 */
import type { ModelMessage, ModelRequest, ToolDefinition } from '../../protocols/model.js';
import { systemText } from '../../protocols/model.js';
import type { SampleSite } from './schema-sample.js';
import type { Random } from './random.js';

/** Marks every simulated text so nobody mistakes it for a real model's. */
export const SIMULATED_MARKER = '[simulated]';

/** What the simulated model "understood" of a request. */
export interface PromptAnalysis {
  /** The text of the last user turn that carries text (not only tool results). */
  readonly task: string;
  /** One line saying what is asked. */
  readonly taskSummary: string;
  /** The role from the system prompt ("You are a security reviewer"), if any. */
  readonly role: string | undefined;
  /** Key phrases, most salient first. Never empty. */
  readonly phrases: readonly string[];
  /** Bullet or numbered lines of the system prompt and the task. */
  readonly directives: readonly string[];
  /** Tool results in the last user turn, with the name of the tool that produced each. */
  readonly toolResults: readonly { readonly toolName: string; readonly content: string; readonly isError: boolean }[];
}

// Function words, plus instruction verbs and the agents' prompt boilerplate, which say nothing about the topic.
const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can ' +
    'could did do does doing done down during each either else etc even ever every few for from further get gets given had has have ' +
    'having he her here hers him his how however i if in into is it its itself just let like make many may me might more most much must ' +
    'my need needs no nor not now of off on once one only or other our ours out over own per please same shall she should so some such ' +
    'than that the their theirs them then there these they this those through to too under until up upon us use used using very via was ' +
    'we well were what when where whether which while who whom whose why will with within without would yes yet you your yours ' +
    'analyze analyse answer answers approach attempt attempts briefly consult create critique confidence describe directive directives ' +
    'earlier explain evaluate following give good identify judged list new next now produce proposed provide result results ' +
    'review simulated summarize summarise task tasks thinking think write agent agents step steps way ways thing things whats ' +
    'design build implement propose plan outline draft compare suggest recommend find determine decide assess discuss consider ' +
    'estimate handle ensure check include focus break weigh state quantify problem parts evidence assumptions matters wrong strong ' +
    'contains unconventional angles combine domains promising checklist case cover verify proceed correct complete argued honestly ' +
    'fully solves different addresses weak across among within asks means says tell key considerations recommendation ' +
    'working notes request prioritise settle begin measurable simplest refine visible largest changing anything shapes ' +
    'interacts decide together original core success depends getting right short below focuses'
  ).split(' '),
);

const DIRECTIVE_LINE = /^\s*(?:[-*•]|\d+[.)])\s+(.+?)\s*$/;

function textOf(message: ModelMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
}

/** Cuts at a word boundary and adds an ellipsis when longer than `max`. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

function summarize(task: string): string {
  const taskLine = /^\s*Task:\s*(.+)$/im.exec(task)?.[1];
  const source = taskLine ?? task.trim().split(/\n\s*\n/)[0] ?? '';
  const sentence = /^(.+?[.?!])(?:\s|$)/s.exec(source.trim())?.[1] ?? source;
  const summary = clip(sentence, 160) || 'the request';
  return /[.?!…]$/.test(summary) ? summary : `${summary}.`;
}

function findRole(system: string): string | undefined {
  const match = /\byou are (?:an? |the )?([^.\n,;:!?]{3,60})/i.exec(system);
  return match?.[1]?.trim();
}

/** Text past this many characters is not scanned for phrases: long inputs cost time, not salience. */
const MAX_SCANNED_CHARS = 4000;
const TOKEN = /[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]|[.,;:!?()[\]{}"\n]/g;

interface Candidate {
  readonly display: string;
  readonly words: number;
  readonly order: number;
  lead: boolean;
  count: number;
}

/** Counts every run of one to three consecutive content words in `text` (clauses break runs). */
function countPhrases(text: string, weight: number, lead: boolean, candidates: Map<string, Candidate>): void {
  let run: string[] = [];
  let clauseStart = true;
  const flush = (): void => {
    // Trailing adverbs and participles ("quickly", "aimed") end verb phrases, not noun phrases.
    while (run.length > 0 && /[a-z]{3}(?:ed|(?<!p)ly)$/i.test(run[run.length - 1] ?? '')) run.pop();
    for (let size = 1; size <= 3; size++) {
      for (let start = 0; start + size <= run.length; start++) {
        const display = run.slice(start, start + size).join(' ');
        const key = display.toLowerCase();
        let candidate = candidates.get(key);
        if (!candidate) {
          candidate = { display, words: size, order: candidates.size, lead, count: 0 };
          candidates.set(key, candidate);
        }
        candidate.count += weight;
        candidate.lead ||= lead;
      }
    }
    run = [];
  };
  for (const [token] of text.slice(0, MAX_SCANNED_CHARS).matchAll(TOKEN)) {
    if (token.length === 1 && !/[A-Za-z]/.test(token)) {
      flush();
      clauseStart = true;
      continue;
    }
    const lower = token.toLowerCase();
    if (lower.length < 3 || STOP_WORDS.has(lower) || /^\d/.test(lower)) flush();
    // A capitalised first word of a clause is usually just sentence case.
    else run.push(clauseStart && /^[A-Z][a-z]+$/.test(token) ? lower : token);
    clauseStart = false;
  }
  flush();
}

/**
 * Key phrases: runs of up to three content words. Phrases of the task line
 * (or first paragraph) come first; within each group they are ranked by how
 * often they occur times their length, so repeated, specific noun phrases win.
 *
 * @example
 * ```ts
 * keyPhrases('Task: Design a rate limiter for the payments API.'); // ['rate limiter', 'payments API']
 * ```
 */
export function keyPhrases(task: string, limit = 6): string[] {
  const taskLine = /^\s*Task:\s*(.+)$/im.exec(task)?.[1];
  const lead = taskLine ?? task.trim().split(/\n\s*\n/)[0] ?? '';
  const candidates = new Map<string, Candidate>();
  countPhrases(lead, 2, true, candidates);
  countPhrases(task, 1, false, candidates);
  const score = (c: Candidate): number => c.count * c.display.length * (1 + 0.3 * (c.words - 1));
  const ranked = [...candidates.values()]
    .map((candidate) => ({ candidate, score: score(candidate) }))
    .sort((a, b) => Number(b.candidate.lead) - Number(a.candidate.lead) || b.score - a.score || a.candidate.order - b.candidate.order);
  const chosen: string[] = [];
  const covered = new Set<string>();
  for (const { candidate } of ranked) {
    const words = candidate.display.toLowerCase().split(' ');
    if (words.every((word) => covered.has(word))) continue;
    chosen.push(candidate.display);
    for (const word of words) covered.add(word);
    if (chosen.length >= limit) break;
  }
  return chosen;
}

/**
 * Reads a request the way the simulated model "understands" it.
 *
 * @example
 * ```ts
 * const analysis = analyzePrompt({ model: 'm', maxTokens: 100, messages: [{ role: 'user', content: 'Design a rate limiter.' }] });
 * analysis.phrases[0]; // 'rate limiter'
 * ```
 */
export function analyzePrompt(request: Pick<ModelRequest, 'system' | 'messages'>): PromptAnalysis {
  const system = systemText(request.system);
  const users = request.messages.filter((message) => message.role === 'user');
  const withText = [...users].reverse().find((message) => textOf(message).trim().length > 0);
  const task = withText ? textOf(withText) : system;
  const directives = `${system}\n${task}`
    .split('\n')
    .flatMap((line) => {
      const match = DIRECTIVE_LINE.exec(line);
      return match?.[1] ? [clip(match[1], 140)] : [];
    })
    .slice(0, 8);
  const fromTask = keyPhrases(task);
  const phrases = fromTask.length > 0 ? fromTask : keyPhrases(system);
  return {
    task,
    taskSummary: summarize(task),
    role: findRole(system),
    phrases: phrases.length > 0 ? phrases : ['the request'],
    directives,
    toolResults: lastToolResults(request.messages),
  };
}

function lastToolResults(messages: readonly ModelMessage[]): PromptAnalysis['toolResults'] {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user' || typeof last.content === 'string') return [];
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_use') names.set(block.id, block.name);
  }
  return last.content.flatMap((block) =>
    block.type === 'tool_result'
      ? [{ toolName: names.get(block.toolUseId) ?? 'the tool', content: block.content, isError: block.isError === true }]
      : [],
  );
}

/** Whether the last user turn consists of tool results (the model should now answer in text). */
export function endsWithToolResult(messages: readonly ModelMessage[]): boolean {
  return lastToolResults(messages).length > 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The tool whose name (or its words, `web_search` → "web search") the text mentions first. */
export function mentionedTool(text: string, tools: readonly ToolDefinition[]): ToolDefinition | undefined {
  let best: { tool: ToolDefinition; at: number } | undefined;
  for (const tool of tools) {
    const spaced = tool.name.replace(/[_-]+/g, ' ').trim();
    const variants = [...new Set([tool.name, spaced])].filter((variant) => variant.length > 0).map(escapeRegExp);
    const match = new RegExp(`(?<![A-Za-z0-9_])(?:${variants.join('|')})(?![A-Za-z0-9_])`, 'i').exec(text);
    if (match && (!best || match.index < best.at)) best = { tool, at: match.index };
  }
  return best?.tool;
}

/** The i-th phrase, cycling; the fallback phrases keep templates meaningful for tiny prompts. */
function phraseAt(analysis: PromptAnalysis, index: number): string {
  const fallbacks = ['scope', 'constraints', 'risks', 'validation'].filter((word) => !analysis.phrases.includes(word));
  const pool = analysis.phrases.length >= 5 ? analysis.phrases : [...analysis.phrases, ...fallbacks].slice(0, 5);
  return pool[index % pool.length] ?? 'the request';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fill(template: string, analysis: PromptAnalysis, at: number): string {
  return template
    .replaceAll('{t}', phraseAt(analysis, 0))
    .replaceAll('{p}', phraseAt(analysis, at))
    .replaceAll('{o}', phraseAt(analysis, at + 1))
    .replaceAll('{q}', phraseAt(analysis, 1));
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const a = copy[i];
    const b = copy[j];
    if (a !== undefined && b !== undefined) [copy[i], copy[j]] = [b, a];
  }
  return copy;
}

const HEADINGS = ['Analysis of', 'Assessment of', 'Working notes on', 'Answer on'];
const OPENINGS = [
  'The task asks: "{s}" The answer below focuses on {t} and what it depends on.',
  'Request: {s} The core of it is {t}; the points below cover what matters most.',
  '{s} In short, success here depends on getting {t} right.',
];
const CONSIDERATIONS = [
  '{P}: define what "good" means here before changing anything, since it shapes {t}.',
  '{P}: the largest source of risk; test the assumptions behind it early.',
  '{P}: make it measurable so that progress on {t} is visible.',
  '{P}: start with the simplest version that works, then refine it.',
  '{P}: it interacts with {o}, so decide the two together.',
  '{P}: write down the trade-offs so that reviewers can challenge them.',
];
const RECOMMENDATIONS = [
  'Begin with {t}, then address {q}, and check the result against the original request.',
  'Prioritise {t}; treat {q} as the follow-up and validate both with a small experiment.',
  'Settle {t} first with a concrete example, then extend the approach to {q}.',
];

/**
 * A short structured answer: heading, opening, key considerations and a recommendation.
 *
 * @example
 * ```ts
 * composeAnswer(analyzePrompt(request), createRandom(1)); // '[simulated] Analysis of rate limiter ...'
 * ```
 */
export function composeAnswer(analysis: PromptAnalysis, random: Random): string {
  const role = analysis.role ? ` (as ${analysis.role})` : '';
  const lines = [
    `${SIMULATED_MARKER} ${random.pick(HEADINGS)} ${phraseAt(analysis, 0)}${role}`,
    fill(random.pick(OPENINGS), analysis, 0).replace('{s}', analysis.taskSummary),
  ];
  if (analysis.directives.length > 0) {
    lines.push(`Following the directives: ${analysis.directives.slice(0, 3).join('; ')}.`);
  }
  lines.push('', 'Key considerations:');
  const count = random.int(3, 4);
  shuffled(CONSIDERATIONS, random)
    .slice(0, count)
    .forEach((template, i) => {
      lines.push(`${i + 1}) ${fill(template, analysis, i + 1).replace('{P}', capitalize(phraseAt(analysis, i + 1)))}`);
    });
  lines.push('', `Recommendation: ${fill(random.pick(RECOMMENDATIONS), analysis, 1)}`);
  return lines.join('\n');
}

const THOUGHTS = [
  'this points at {p}; I need evidence for it.',
  'I should check how it affects {t}.',
  'keep {p} explicit in the answer.',
  'this is where mistakes are likely; state the assumptions.',
];

/**
 * Thinking that walks through the prompt's directives, cut to `budgetTokens` (four characters a token).
 *
 * @example
 * ```ts
 * composeThinking(analysis, random, 1024).startsWith('[simulated thinking]'); // true
 * ```
 */
export function composeThinking(analysis: PromptAnalysis, random: Random, budgetTokens: number): string {
  const lines = [
    `${SIMULATED_MARKER.slice(0, -1)} thinking] The task: ${analysis.taskSummary}`,
    `Key phrases: ${analysis.phrases.slice(0, 4).join(', ')}.`,
  ];
  if (analysis.directives.length > 0) {
    lines.push('Working through the directives:');
    analysis.directives.forEach((directive, i) => {
      lines.push(`${i + 1}. ${directive}: ${fill(random.pick(THOUGHTS), analysis, i + 1)}`);
    });
  } else {
    lines.push(`No explicit directives, so I will organise the answer around ${phraseAt(analysis, 0)}.`);
  }
  lines.push(`What could go wrong: ${phraseAt(analysis, 1)} may be underspecified, so I will state my assumptions.`);
  lines.push(`Plan: ${fill(random.pick(RECOMMENDATIONS), analysis, 1)}`);
  const maxChars = Math.max(0, Math.floor(budgetTokens) * 4);
  // Drop whole lines from the end first, then cut the last one, so the text stays under budget.
  while (lines.length > 1 && lines.join('\n').length > maxChars) lines.pop();
  const text = lines.join('\n');
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, Math.max(0, maxChars - 1));
  const space = cut.search(/\s\S*$/);
  return `${space > maxChars / 2 ? cut.slice(0, space) : cut}…`;
}

/** A text answer after tool results: quotes them and ties them back to the task. */
export function composeToolFollowUp(analysis: PromptAnalysis, random: Random): string {
  const quoted = analysis.toolResults.map((result) =>
    result.isError
      ? `The ${result.toolName} call failed ("${clip(result.content, 120)}"), so this relies on the prompt alone.`
      : `Using the result of ${result.toolName}: "${clip(result.content, 160)}".`,
  );
  return [
    `${SIMULATED_MARKER} ${quoted.join(' ')}`,
    `For ${phraseAt(analysis, 0)}, this means ${fill(random.pick(THOUGHTS), analysis, 1)}`,
    `Recommendation: ${fill(random.pick(RECOMMENDATIONS), analysis, 1)}`,
  ].join('\n');
}

const FIELD_KINDS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: 'answer', pattern: /^(answer|output|response|result|content|body|text|message|solution|draft)s?$/i },
  { kind: 'critique', pattern: /critique|weakness|issue|problem|concern|risk|limitation|feedback|flaw|gap/i },
  { kind: 'rationale', pattern: /rationale|reason|justification|explanation|argument|why/i },
  { kind: 'advice', pattern: /recommend|suggest|improve|next|action|step|plan|alternative|idea|option|fix/i },
  { kind: 'summary', pattern: /summary|conclusion|analysis|assessment|verdict|finding|insight|observation|note|description|comment|thought|reflection|point/i },
  { kind: 'title', pattern: /title|heading|subject|topic|name|label/i },
  { kind: 'slug', pattern: /(^|_)(id|key|slug)$|Id$/ },
  { kind: 'phrase', pattern: /keyword|tag|phrase|term|concept|theme|category/i },
];

const FIELD_TEMPLATES: Record<string, readonly string[]> = {
  critique: [
    'The answer addresses {t} but treats {o} only briefly; concrete evidence would make it stronger.',
    'It leaves assumptions about {p} implicit, and does not test them against {t}.',
    'Coverage of {p} is thin; a worked example would expose gaps.',
  ],
  rationale: [
    'Chosen because {p} matters most for {t}, and {o} supports it.',
    '{P} is the deciding factor: it has the largest effect on {t}.',
  ],
  advice: ['Focus on {p} next, then validate it against {t}.', 'Make {p} explicit and measure its effect on {t}.'],
  summary: ['{T} depends mainly on {p}; {o} is secondary.', 'The request centres on {t}, with {p} as the main constraint.'],
};

/**
 * A schema-sampler hook: meaningful strings for fields whose name (or description) hints at their role.
 *
 * @example
 * ```ts
 * sampleSchema(schema, { random, hooks: { string: (site) => describeField(analysis, site) } });
 * ```
 */
export function describeField(analysis: PromptAnalysis, site: SampleSite): string | undefined {
  const name = site.propertyName ?? '';
  const kind =
    FIELD_KINDS.find((entry) => entry.pattern.test(name))?.kind ??
    FIELD_KINDS.find((entry) => site.description !== undefined && entry.pattern.test(site.description))?.kind;
  const at = (site.index ?? 0) + 1;
  if (kind === 'answer') return site.index === undefined ? composeAnswer(analysis, site.random) : describeField(analysis, { ...site, propertyName: 'point' });
  if (kind === 'title') return capitalize(phraseAt(analysis, at - 1));
  if (kind === 'slug') return phraseAt(analysis, at - 1).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
  if (kind === 'phrase' || kind === undefined) return phraseAt(analysis, at - 1);
  const templates = FIELD_TEMPLATES[kind] ?? FIELD_TEMPLATES['summary'] ?? [];
  const sentence = fill(site.random.pick(templates), analysis, at)
    .replace('{P}', capitalize(phraseAt(analysis, at)))
    .replace('{T}', capitalize(phraseAt(analysis, 0)));
  // Top-level prose carries the marker; list items stay clean to read as items.
  return site.index === undefined ? `${SIMULATED_MARKER} ${sentence}` : sentence;
}
