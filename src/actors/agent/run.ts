/**
 * The per-task state of a thinking agent, and the model calls each phase
 * makes. Pure data and pure functions: the agent machine only sequences them.
 */
import { TRUNCATED_CONFIDENCE_CAP } from '../../protocols/agent.js';
import type {
  AgentMemoryData,
  AgentTask,
  AgentTaskResult,
  AlternativeResult,
  ResolvedAgentConfig,
} from '../../protocols/agent.js';
import { InvalidReflectionError, toErrorData } from '../../protocols/errors/errors.js';
import type { ErrorData } from '../../protocols/errors/errors.js';
import type { ModelCall, ModelCallOutcome, ModelCallPurpose } from '../../protocols/gateway.js';
import { addUsage, EMPTY_USAGE } from '../../protocols/model.js';
import type { ModelMessage, ModelRequest, SystemBlock, TokenUsage, ToolDefinition } from '../../protocols/model.js';
import type { AgentBroadcastEvent, AgentConsultEvent } from '../../protocols/agent-protocol.js';
import {
  actingPrompt,
  alternativePrompt,
  CONSULT_TOOL_NAME,
  consultationPrompt,
  consultToolDefinition,
  readReflection,
  REFLECTION_OUTPUT,
  reflectionPrompt,
  thinkingPrompt,
} from './prompts.js';
import { addCents } from '../../protocols/cents.js';
import type { ApprovalDecision } from '../../protocols/approval.js';

/** An answer and, once reflected on, its critique and confidence. */
export interface EvaluatedAnswer {
  readonly output: string;
  readonly structured?: unknown;
  readonly confidence: number;
  readonly critique: string;
  readonly round: number;
  /** The answer was cut at maxTokens: its confidence is at most TRUNCATED_CONFIDENCE_CAP. */
  readonly truncated?: boolean;
}

export interface AgentRun {
  readonly thinking: string;
  /** The acting phase's conversation, grown by tool round trips. */
  readonly conversation: readonly ModelMessage[];
  readonly toolRounds: number;
  readonly candidate: { readonly output: string; readonly structured?: unknown; readonly truncated?: boolean } | null;
  /** Why the last reflection on the candidate was invalid, while it is asked once more (null otherwise). */
  readonly reflectionRetry: string | null;
  readonly evaluated: readonly EvaluatedAnswer[];
  readonly round: number;
  readonly usage: TokenUsage;
  readonly costCents: number;
  readonly modelCalls: number;
  readonly simulated: boolean;
  /** A person's decisions on the pending tool calls (set by `awaitingApproval`, cleared by their results), by call id. */
  readonly approvals: Readonly<Record<string, ApprovalDecision>>;
}

export const EMPTY_RUN: AgentRun = {
  thinking: '',
  conversation: [],
  toolRounds: 0,
  candidate: null,
  reflectionRetry: null,
  evaluated: [],
  round: 0,
  usage: EMPTY_USAGE,
  costCents: 0,
  modelCalls: 0,
  simulated: false,
  approvals: {},
};

/** What the phases need to know about the agent. */
export interface AgentIdentity {
  readonly agentId: string;
  readonly config: ResolvedAgentConfig;
  readonly tools: readonly ToolDefinition[];
  readonly memory: AgentMemoryData;
}

/** The system prompt: the agent's own, then what it has observed. */
export function systemPromptOf(identity: AgentIdentity): readonly SystemBlock[] {
  const blocks: SystemBlock[] = [];
  const base = identity.config.systemPrompt || `You are ${identity.agentId}, a careful ${identity.config.role || 'assistant'}.`;
  // The agent's own prompt is the stable prefix all its calls share: cache it.
  blocks.push({ text: base, cache: true });
  if (identity.memory.summary) blocks.push({ text: `Summary of your earlier work:\n${identity.memory.summary}` });
  if (identity.memory.observations.length > 0) {
    blocks.push({ text: `Observations shared with you:\n${identity.memory.observations.map((o) => `- ${o}`).join('\n')}` });
  }
  return blocks;
}

function call(
  identity: AgentIdentity,
  task: AgentTask,
  run: AgentRun,
  purpose: ModelCallPurpose,
  request: Omit<ModelRequest, 'model' | 'maxTokens' | 'system'> & { maxTokens?: number },
): ModelCall {
  const { config } = identity;
  return {
    agentId: identity.agentId,
    purpose,
    provider: config.provider,
    taskId: task.taskId,
    ...(task.workflowId === undefined ? {} : { workflowId: task.workflowId }),
    callKey: `${task.taskId}#${task.attempt ?? 1}/${run.modelCalls}:${purpose}`,
    ...(config.streamIdleTimeoutSeconds > 0 ? { streamIdleTimeoutSeconds: config.streamIdleTimeoutSeconds } : {}),
    request: {
      model: config.model,
      system: systemPromptOf(identity),
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      ...request,
    },
  };
}

export function thinkingCall(identity: AgentIdentity, task: AgentTask, run: AgentRun): ModelCall {
  return call(identity, task, run, 'thinking', {
    messages: thinkingPrompt(task, identity.config.thinkingStyle),
    thinkingBudgetTokens: identity.config.maxThinkingTokens,
  });
}

/** The agents this one may consult for `task`: its `availableAgents`, itself excluded. */
export function consultableAgents(identity: AgentIdentity, task: AgentTask): string[] {
  if (!identity.config.enableCrossAgentQueries) return [];
  return [...new Set(task.availableAgents ?? [])].filter((agentId) => agentId !== identity.agentId);
}

/**
 * The acting call. With `canConsult` (the system routes consultations) and
 * agents to consult, the model is also offered the `consult_agent` tool.
 */
export function actingCall(identity: AgentIdentity, task: AgentTask, run: AgentRun, canConsult = false): ModelCall {
  const opening = run.conversation.length > 0 ? run.conversation : actingPrompt(task, run.thinking);
  const peers = canConsult ? consultableAgents(identity, task) : [];
  const tools = peers.length > 0 ? [...identity.tools.filter((t) => t.name !== CONSULT_TOOL_NAME), consultToolDefinition(peers)] : identity.tools;
  return call(identity, task, run, run.toolRounds > 0 ? 'tool_loop' : 'acting', {
    messages: [...identity.memory.messages, ...opening],
    ...(tools.length > 0 ? { tools } : {}),
    ...(task.outputSchema && tools.length === 0
      ? { structuredOutput: { name: task.outputSchema.name, schema: task.outputSchema.schema } }
      : {}),
  });
}

/**
 * The model call that answers another agent's question: the agent's own
 * system prompt and memory, then the question in the asker's context.
 */
export function consultationCall(identity: AgentIdentity, consult: AgentConsultEvent): ModelCall {
  const { config } = identity;
  return {
    agentId: identity.agentId,
    purpose: 'consultation',
    provider: config.provider,
    callKey: consult.callKey ?? `consult:${consult.fromAgent}:${consult.requestId}`,
    ...(consult.workflowId === undefined ? {} : { workflowId: consult.workflowId }),
    ...(consult.taskId === undefined ? {} : { taskId: consult.taskId }),
    request: {
      model: config.model,
      system: systemPromptOf(identity),
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      messages: [...identity.memory.messages, ...consultationPrompt(consult.fromAgent, consult.question, consult.context)],
    },
  };
}

export function reflectingCall(identity: AgentIdentity, task: AgentTask, run: AgentRun): ModelCall {
  return call(identity, task, run, 'reflecting', {
    messages: reflectionPrompt(task, run.candidate?.output ?? '', {
      ...(run.candidate?.truncated ? { truncated: true } : {}),
      ...(run.reflectionRetry === null ? {} : { retryReason: run.reflectionRetry }),
    }),
    structuredOutput: REFLECTION_OUTPUT,
    maxTokens: Math.min(identity.config.maxTokens, 1024),
  });
}

export function alternativeCall(identity: AgentIdentity, task: AgentTask, run: AgentRun): ModelCall {
  return call(identity, task, run, 'alternative', {
    messages: alternativePrompt(task, run.evaluated),
    ...(task.outputSchema
      ? { structuredOutput: { name: task.outputSchema.name, schema: task.outputSchema.schema } }
      : {}),
  });
}

/** Adds a model call's usage and cost to the run. */
export function accountCall(run: AgentRun, outcome: ModelCallOutcome): AgentRun {
  return {
    ...run,
    usage: addUsage(run.usage, outcome.response.usage),
    costCents: addCents(run.costCents, outcome.costCents),
    modelCalls: run.modelCalls + 1,
    simulated: run.simulated || outcome.response.simulated === true,
  };
}

/** Why a reflecting call's answer is not a valid reflection, or undefined when it is one. */
export function invalidReflection(outcome: ModelCallOutcome): string | undefined {
  const reading = readReflection(outcome.response.structured, outcome.response.text);
  return reading.ok ? undefined : reading.reason;
}

/** The run after an invalid reflection, which is asked once more (the reason goes into the re-ask). */
export function withReflectionRetry(run: AgentRun, outcome: ModelCallOutcome): AgentRun {
  return { ...accountCall(run, outcome), reflectionRetry: invalidReflection(outcome) ?? 'invalid' };
}

/** The context after a second invalid reflection: the step fails with InvalidReflectionError. */
export function reflectionFailure(
  context: AgentIdentity & { readonly run: AgentRun },
  outcome: ModelCallOutcome,
): { run: AgentRun; lastError: ErrorData; failedStep: 'reflecting' } {
  const reason = `${invalidReflection(outcome) ?? 'invalid'}, after one re-ask`;
  return {
    run: accountCall(context.run, outcome),
    lastError: toErrorData(new InvalidReflectionError(context.agentId, reason)),
    failedStep: 'reflecting',
  };
}

/**
 * Records the critique of the current candidate. A truncated candidate's
 * confidence is capped at TRUNCATED_CONFIDENCE_CAP (it is incomplete, whatever
 * the reflection says). An invalid reflection (see `invalidReflection`, checked
 * first by the machine) reads as confidence 0.
 */
export function evaluateCandidate(run: AgentRun, outcome: ModelCallOutcome): AgentRun {
  const reading = readReflection(outcome.response.structured, outcome.response.text);
  const critique = reading.ok ? reading.critique : reading.reason;
  const candidate = run.candidate ?? { output: '' };
  const confidence = reading.ok ? reading.confidence : 0;
  return {
    ...run,
    evaluated: [
      ...run.evaluated,
      {
        ...candidate,
        confidence: candidate.truncated ? Math.min(confidence, TRUNCATED_CONFIDENCE_CAP) : confidence,
        critique: candidate.truncated ? `The answer was cut off at the output token limit. ${critique}` : critique,
        round: run.round,
      },
    ],
    candidate: null,
    reflectionRetry: null,
  };
}

/** The best answer so far (highest confidence; earliest on ties). */
export function bestAnswer(run: AgentRun): EvaluatedAnswer | undefined {
  let best: EvaluatedAnswer | undefined;
  for (const answer of run.evaluated) if (!best || answer.confidence > best.confidence) best = answer;
  return best;
}

/** Whether another alternative round should run. */
export function shouldExplore(config: ResolvedAgentConfig, run: AgentRun): boolean {
  const best = bestAnswer(run);
  return (
    config.enableAlternativeExploration &&
    best !== undefined &&
    best.confidence < config.confidenceThreshold &&
    run.round < config.maxAlternativeRounds
  );
}

/** The task's result: the best answer kept, every other one as an alternative. */
export function resultOf(run: AgentRun, startedAt: number, now: number): AgentTaskResult {
  // Without reflection an answer counts as sure, unless it was cut off.
  const unreflected = run.candidate
    ? [{ ...run.candidate, confidence: run.candidate.truncated ? TRUNCATED_CONFIDENCE_CAP : 1, critique: '', round: run.round }]
    : [];
  const answers = [...run.evaluated, ...unreflected];
  const best = bestAnswer({ ...run, evaluated: answers }) ?? { output: '', confidence: 0, critique: '', round: 0 };
  const alternatives: AlternativeResult[] = answers
    .filter((answer) => answer !== best)
    .map(({ output, confidence, critique, round }) => ({ output, confidence, critique, round }));
  return {
    output: best.output,
    ...(best.structured === undefined ? {} : { structured: best.structured }),
    thinkingProcess: run.thinking,
    confidence: best.confidence,
    critique: best.critique,
    alternatives,
    usage: run.usage,
    costCents: run.costCents,
    durationSeconds: (now - startedAt) / 1000,
    modelCalls: run.modelCalls,
    simulated: run.simulated,
    ...(best.truncated ? { truncated: true } : {}),
  };
}

/** Memory after a finished task: the task and the kept answer become one turn. */
export function rememberTurn(memory: AgentMemoryData, task: AgentTask, output: string): AgentMemoryData {
  return {
    ...memory,
    messages: [
      ...memory.messages,
      { role: 'user', content: `Task: ${task.task}` },
      { role: 'assistant', content: output },
    ],
  };
}

/**
 * Observations an agent keeps, newest last. Every one goes into the system
 * prompt of every call, so the list is bounded: the oldest fall off.
 */
export const MAX_OBSERVATIONS = 100;

/**
 * Rendered broadcasts by event object: a fan-out hands the same event to every
 * subscribed agent, so each broadcast is rendered once, not once per agent.
 */
const renderedObservations = new WeakMap<AgentBroadcastEvent, string>();

/** A broadcast as the line the agent's prompt shows. */
export function observationOf(event: AgentBroadcastEvent): string {
  const cached = renderedObservations.get(event);
  if (cached !== undefined) return cached;
  const { fromAgent, eventType, data } = event;
  let rendered: string;
  try {
    rendered = typeof data === 'string' ? data : (JSON.stringify(data) ?? String(data));
  } catch {
    rendered = String(data);
  }
  const note = `[${eventType} from ${fromAgent}] ${rendered}`;
  renderedObservations.set(event, note);
  return note;
}

/** Memory with one more observation (the oldest dropped past {@link MAX_OBSERVATIONS}). */
export function withObservation(memory: AgentMemoryData, note: string): AgentMemoryData {
  const previous = memory.observations;
  // One exact copy (slice), then the note: this runs for every agent on every broadcast.
  const observations = previous.slice(Math.max(0, previous.length - MAX_OBSERVATIONS + 1));
  observations.push(note);
  return { ...memory, observations };
}

/** The answer of an acting call becomes the candidate. */
export function withCandidate(run: AgentRun, outcome: ModelCallOutcome): AgentRun {
  const { text, structured, truncated } = outcome.response;
  return {
    ...accountCall(run, outcome),
    candidate: {
      output: text,
      ...(structured === undefined ? {} : { structured }),
      ...(truncated === true ? { truncated: true } : {}),
    },
    reflectionRetry: null,
  };
}
