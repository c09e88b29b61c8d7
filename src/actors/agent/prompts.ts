/**
 * The prompts of the thinking agent's phases. Pure functions of plain data, so
 * the same task always produces the same requests (replay depends on it).
 */
import type { AgentTask, ThinkingStyle } from '../../protocols/agent.js';
import type { JsonSchema, ModelMessage, StructuredOutputRequest, ToolDefinition } from '../../protocols/model.js';

const STYLE_GUIDANCE: Record<ThinkingStyle, string> = {
  analytical:
    'Think analytically: break the problem into parts, weigh evidence for each, state assumptions and quantify where you can.',
  creative:
    'Think creatively: generate several unconventional angles, combine ideas from different domains, then pick the most promising.',
  systematic:
    'Think systematically: proceed step by step through a checklist, cover every case, and verify each step before the next.',
};

/** Renders any input value for a prompt: strings as is, the rest as indented JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The task and everything it carries, as the user turn every phase starts from. */
export function renderTask(task: AgentTask): string {
  const parts = [`Task: ${task.task}`];
  if (task.thinkingDirectives && task.thinkingDirectives.length > 0) {
    parts.push(`Directives:\n${task.thinkingDirectives.map((d) => `- ${d}`).join('\n')}`);
  }
  if (task.inputData !== undefined) parts.push(`Input data:\n${renderValue(task.inputData)}`);
  const deps = Object.entries(task.dependencyOutputs ?? {});
  if (deps.length > 0) {
    parts.push(`Results of the tasks this one depends on:\n${deps.map(([id, out]) => `## ${id}\n${out}`).join('\n\n')}`);
  }
  for (const artifact of task.sharedArtifacts ?? []) {
    parts.push(`Shared artifact "${artifact.artifactId}" (version ${artifact.version}):\n${renderValue(artifact.content)}`);
  }
  if (task.availableAgents && task.availableAgents.length > 0) {
    parts.push(`Agents you may consult: ${task.availableAgents.join(', ')}`);
  }
  return parts.join('\n\n');
}

export function thinkingPrompt(task: AgentTask, style: ThinkingStyle): ModelMessage[] {
  return [
    {
      role: 'user',
      content:
        `${renderTask(task)}\n\n${STYLE_GUIDANCE[style]}\n` +
        'Do not answer yet. Think through how to approach this task: what matters, what could go wrong, what a strong answer contains.',
    },
  ];
}

export function actingPrompt(task: AgentTask, thinking: string): ModelMessage[] {
  const plan = thinking ? `\n\nYour earlier thinking about this task:\n${thinking}` : '';
  return [{ role: 'user', content: `${renderTask(task)}${plan}\n\nNow give your answer to the task.` }];
}

/** The self-critique the reflecting phase asks for, as structured output. */
export const REFLECTION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    confidence: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: 'How likely the answer is correct and complete, from 0 to 1.',
    },
    critique: { type: 'string', description: 'The weaknesses of the answer, briefly.' },
  },
  required: ['confidence', 'critique'],
  additionalProperties: false,
};

export const REFLECTION_OUTPUT: StructuredOutputRequest = {
  name: 'self_reflection',
  description: 'Record a self-critique of the answer and a confidence in [0, 1].',
  schema: REFLECTION_SCHEMA,
};

/** What the reflecting call is told beyond the answer: that it was cut off, or why the last reflection was refused. */
export interface ReflectionNotes {
  /** The answer was cut at the output token limit. */
  readonly truncated?: boolean;
  /** The previous reflection was invalid (e.g. a confidence outside 0..1): asked once more. */
  readonly retryReason?: string;
}

export function reflectionPrompt(task: AgentTask, answer: string, notes: ReflectionNotes = {}): ModelMessage[] {
  const cut = notes.truncated
    ? '\n\nNote: this answer was cut off at the output token limit, so it is incomplete.'
    : '';
  const retry = notes.retryReason
    ? `\n\nYour previous reflection was invalid (${notes.retryReason}). Reply again with a confidence that is a number from 0 to 1.`
    : '';
  return [
    {
      role: 'user',
      content:
        `${renderTask(task)}\n\nProposed answer:\n${answer}${cut}\n\n` +
        'Critique this answer honestly: is it correct, complete and well argued? ' +
        `Give a confidence between 0 and 1 that it fully solves the task.${retry}`,
    },
  ];
}

export function alternativePrompt(
  task: AgentTask,
  previous: readonly { output: string; critique: string; truncated?: boolean }[],
): ModelMessage[] {
  const tried = previous
    .map((p, i) => `Attempt ${i + 1}${p.truncated ? ' (cut off at the output token limit: be more concise)' : ''}:\n${p.output}\nCritique: ${p.critique}`)
    .join('\n\n');
  return [
    {
      role: 'user',
      content:
        `${renderTask(task)}\n\nEarlier attempts were judged weak:\n${tried}\n\n` +
        'Take a different approach that addresses these critiques, and give a new answer.',
    },
  ];
}

/** A reflection read from the model: a confidence in [0, 1] and a critique, or why it is not one. */
export type ReflectionReading =
  | { readonly ok: true; readonly confidence: number; readonly critique: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads a reflection's structured value (or, without one, a confidence in its
 * text). A confidence outside [0, 1] or not a number is invalid, not clamped,
 * as a consensus vote's would be: the agent asks once more, then fails the step.
 * A text with no confidence at all reads as confidence 0.
 */
export function readReflection(value: unknown, fallbackText: string): ReflectionReading {
  if (typeof value === 'object' && value !== null) {
    const record: Record<string, unknown> = { ...value };
    const critique = typeof record.critique === 'string' ? record.critique : fallbackText;
    const confidence = record.confidence;
    if (typeof confidence !== 'number' || !Number.isFinite(confidence)) {
      return { ok: false, reason: `confidence ${JSON.stringify(confidence) ?? 'missing'} is not a number` };
    }
    if (confidence < 0 || confidence > 1) return { ok: false, reason: `confidence ${confidence} is outside 0..1` };
    return { ok: true, confidence, critique };
  }
  const match = /confidence\D*?(-?\d+(?:\.\d+)?)\s*(%?)/i.exec(fallbackText);
  if (!match) return { ok: true, confidence: 0, critique: fallbackText };
  const number = Number(match[1]) / (match[2] === '%' ? 100 : 1);
  if (!(number >= 0 && number <= 1)) return { ok: false, reason: `confidence ${match[1]}${match[2] ?? ''} is outside 0..1` };
  return { ok: true, confidence: number, critique: fallbackText };
}

/** Name of the built-in tool through which an agent consults another one. */
export const CONSULT_TOOL_NAME = 'consult_agent';

/**
 * The `consult_agent` tool, listing the agents this one may ask. Offered while
 * acting when the agent has cross-agent queries enabled and a task that names
 * `availableAgents`.
 */
export function consultToolDefinition(availableAgents: readonly string[]): ToolDefinition {
  return {
    name: CONSULT_TOOL_NAME,
    description:
      'Ask another agent a question and wait for its answer. Use it when a peer knows more about part of the task. ' +
      `Agents you may consult: ${availableAgents.join(', ')}.`,
    inputSchema: {
      type: 'object',
      properties: {
        agentId: { type: 'string', enum: [...availableAgents], description: 'The agent to ask.' },
        question: { type: 'string', description: 'The question, self-contained.' },
        context: { type: 'string', description: 'What the other agent needs to know to answer.' },
      },
      required: ['agentId', 'question'],
      additionalProperties: false,
    },
  };
}

/** The user turn of a consultation: who asks, what, and in which context. */
export function consultationPrompt(fromAgent: string, question: string, context: unknown): ModelMessage[] {
  const rendered = context === undefined || context === null || context === '' ? '' : `\n\nTheir context:\n${renderValue(context)}`;
  return [
    {
      role: 'user',
      content:
        `Agent "${fromAgent}" consults you.\n\nQuestion: ${question}${rendered}\n\n` +
        'Answer the question directly and concisely, from your own expertise and what you have observed.',
    },
  ];
}
