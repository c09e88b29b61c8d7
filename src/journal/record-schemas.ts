/**
 * The shape of every journal record, as zod schemas: what resume, replay and
 * the summaries read from a line, nested results and responses included. A
 * line that decodes but fails its schema (a result without usage, an output
 * that is a number, a status `bogus`, a cost NaN) is corrupt, and
 * {@link journalRecordProblem} names the field that is wrong.
 */
import { z } from 'zod';
import {
  alternativeShape as alternative,
  amountShape as amount,
  countShape as count,
  errorDataShape as errorData,
  finiteShape as finite,
  modelResponseShape as modelResponse,
  shapeProblem,
  tokenUsageShape as usage,
} from '../protocols/shapes.js';
import type { ShapeProblem } from '../protocols/shapes.js';

const optionalString = z.string().optional();

const consensusResult = z.object({
  method: z.enum(['majority', 'weighted_voting', 'deliberative']),
  decision: z.string().nullable(),
  votes: z.array(
    z.object({
      agentId: z.string(),
      decision: z.string(),
      confidence: finite,
      weight: finite,
      rationale: z.string(),
      round: count,
    }),
  ),
  agreement: finite,
  quorumMet: z.boolean(),
  rounds: count,
});

const taskResult = z.object({
  agentId: z.string(),
  status: z.enum(['succeeded', 'failed', 'skipped', 'cancelled', 'budget_exceeded']),
  output: z.string().nullable(),
  structured: z.unknown().optional(),
  confidence: finite.nullable(),
  attempts: count,
  costCents: amount,
  usage,
  startedAt: finite.nullable(),
  finishedAt: finite.nullable(),
  durationSeconds: amount,
  error: errorData.optional(),
  thinkingProcess: optionalString,
  alternatives: z.array(alternative),
  fallbackUsed: optionalString,
  reason: optionalString,
  consensus: consensusResult.optional(),
  simulated: z.boolean(),
});

const workflowResult = z.object({
  workflowId: z.string(),
  status: z.enum(['succeeded', 'partial', 'failed', 'cancelled']),
  results: z.record(z.string(), taskResult),
  summary: z.string(),
  durationSeconds: amount,
  totalCostCents: amount,
  thinkingTraces: z.record(z.string(), z.string()),
  usage,
  simulated: z.boolean(),
});

/** The fields of a journaled task spec that resume and replay rely on (others pass through). */
const taskSpec = z.object({
  agentId: z.string(),
  taskDescription: z.string(),
  hasCondition: z.boolean(),
  dependencies: z.array(z.string()).optional(),
  fallbackAgent: optionalString,
  template: optionalString,
});


const purpose = z.enum(['thinking', 'acting', 'reflecting', 'alternative', 'consultation', 'summary', 'compaction', 'tool_loop']);

const approvalRequest = z.object({
  id: z.string(),
  kind: z.enum(['tool', 'question', 'task']),
  workflowId: z.string(),
  agentId: z.string(),
  taskId: z.string(),
  tool: optionalString,
  input: z.unknown().optional(),
  question: optionalString,
  output: optionalString,
  requestedAt: finite,
  expiresAt: finite.optional(),
});

const approvalDecision = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('approved'), note: optionalString }),
  z.object({ outcome: z.literal('rejected'), reason: z.string(), retry: z.boolean().optional() }),
  z.object({ outcome: z.literal('answered'), text: z.string() }),
]);

const base = { seq: z.number().int().positive(), at: finite };
const callKeys = { callKey: optionalString, relativeKey: optionalString, taskId: optionalString };

const journalRecord = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('workflow.started'),
    workflowId: z.string(),
    tasks: z.array(taskSpec),
    options: z.object({
      continueOnFailure: z.boolean(),
      collectThinkingTraces: z.boolean(),
      generateSummary: z.boolean(),
      maxParallelAgents: z.number().int().positive(),
    }),
    replayOf: optionalString,
    modifications: z
      .object({
        agentModel: optionalString,
        temperature: finite.optional(),
        agents: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      })
      .optional(),
  }),
  z.object({ ...base, type: z.literal('workflow.resumed'), presettled: z.array(z.string()) }),
  z.object({ ...base, type: z.literal('task.started'), agentId: z.string(), attempt: count }),
  z.object({ ...base, type: z.literal('task.finished'), agentId: z.string(), result: taskResult }),
  z.object({ ...base, type: z.literal('condition.decided'), agentId: z.string(), proceed: z.boolean() }),
  z.object({
    ...base,
    ...callKeys,
    type: z.literal('model.call'),
    agentId: z.string(),
    purpose,
    provider: z.string(),
    requestHash: z.string(),
    request: z.object({ model: z.string(), messages: z.array(z.unknown()), maxTokens: finite }),
    response: modelResponse,
    costCents: amount,
    replayed: z.boolean(),
  }),
  z.object({
    ...base,
    ...callKeys,
    type: z.literal('model.failed'),
    agentId: z.string(),
    purpose,
    requestHash: z.string(),
    error: errorData,
  }),
  z.object({
    ...base,
    type: z.literal('artifact.written'),
    agentId: z.string(),
    taskId: z.string(),
    artifactId: z.string(),
    version: z.number().int().positive(),
  }),
  z.object({
    ...base,
    type: z.literal('tool.call'),
    agentId: z.string(),
    taskId: z.string(),
    callKey: z.string(),
    relativeKey: z.string(),
    name: z.string(),
    result: z.object({ content: z.string(), isError: z.boolean().optional() }),
    replayed: z.boolean(),
  }),
  z.object({
    ...base,
    type: z.literal('approval.requested'),
    relativeKey: z.string(),
    request: approvalRequest,
  }),
  z.object({ ...base, type: z.literal('approval.decided'), approvalId: z.string(), relativeKey: z.string(), decision: approvalDecision }),
  z.object({ ...base, type: z.literal('workflow.finished'), result: workflowResult }),
]);

/** What is wrong with a decoded line: the field (dotted path, `(record)` for the line itself) and why. */
export type JournalRecordProblem = ShapeProblem;

/**
 * The first problem with a decoded line's shape, or undefined when it is a well-formed record.
 *
 * @example
 * ```ts
 * journalRecordProblem({ seq: 1, at: 0, type: 'task.started', agentId: 'a', attempt: 'x' });
 * // { field: 'attempt', reason: 'Invalid input: expected number, received string' }
 * ```
 */
export function journalRecordProblem(value: unknown): JournalRecordProblem | undefined {
  const problem = shapeProblem(journalRecord, value);
  return problem?.field === '(value)' ? { ...problem, field: '(record)' } : problem;
}
