/**
 * An orchestrator on the real Anthropic provider, pointed at a loopback
 * server, with a secret in its API key, its agents' system prompt and the task
 * text: the observability tests check that none of them leaks.
 */
import { Orchestrator } from '../../src/index.js';
import type { OrchestratorConfig } from '../../src/index.js';
import { startLoopbackServer } from './loopback-server.js';
import type { LoopbackServer, ScriptedReply } from './loopback-server.js';

export const SECRET_KEY = 'sk-ant-observe-5ecret-KEY-0123456789abcdef';
export const SECRET_PROMPT = 'PROMPT-SECRET-b41d2e';
export const SECRET_TASK = 'TASK-SECRET-7f3a9c';
export const SECRET_ANSWER = 'ANSWER-SECRET-c9e8d7';
export const SECRETS = [SECRET_KEY, SECRET_PROMPT, SECRET_TASK, SECRET_ANSWER] as const;

export const MODEL = 'claude-haiku-4-5';

/** An Anthropic Messages API reply whose text holds the secret answer. */
export function anthropicReply(text = `Findings: ${SECRET_ANSWER}`): ScriptedReply {
  return {
    kind: 'json',
    body: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    },
  };
}

export interface SecretRun {
  readonly server: LoopbackServer;
  readonly orchestrator: Orchestrator;
}

/**
 * Starts the loopback server and an orchestrator on it; templates `analyst`
 * and `reviewer` carry the secret system prompt (one model call per task).
 */
export async function startSecretRun(config: OrchestratorConfig = {}): Promise<SecretRun> {
  const server = await startLoopbackServer();
  const orchestrator = new Orchestrator({
    provider: 'anthropic',
    model: MODEL,
    anthropic: { apiKey: SECRET_KEY, baseURL: server.url },
    journal: false,
    retryFailedAgents: false,
    ...config,
  });
  const template = {
    systemPrompt: `You are a careful analyst. Internal note: ${SECRET_PROMPT}`,
    enableExtendedThinking: false,
    enableSelfReflection: false,
  };
  orchestrator.registerTemplate('analyst', template).registerTemplate('reviewer', template);
  return { server, orchestrator };
}

/** The two-task workflow every secret test runs. */
export const secretTasks = [
  { agentId: 'analyst', taskDescription: `Assess the merger memo ${SECRET_TASK}` },
  { agentId: 'reviewer', taskDescription: 'Review the assessment', dependencies: ['analyst'] },
];

/** Fails when any secret occurs in `text`; returns the text for chaining. */
export function secretsIn(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}
