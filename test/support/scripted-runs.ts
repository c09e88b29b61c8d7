/**
 * What the workflow and task-runner tests run on: a scripted model that
 * answers by agent (acting answers, reflections, interceptions) and the
 * orchestrator config they share (no thinking agents, millisecond retries).
 */
import type { ModelRequest, OrchestratorConfig } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider, ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection } from './requests.js';

export interface Script {
  /** The answer text of an agent. Default `<agent> answer`. */
  readonly text?: (agent: string, request: ModelRequest) => string;
  /** The reflection confidence of an agent. Default 0.8. */
  readonly confidence?: (agent: string, request: ModelRequest) => number;
  /** An error (or a pending promise) instead of an answer. */
  readonly intercept?: (agent: string, request: ModelRequest) => ScriptedStep | Promise<ScriptedStep> | undefined;
}

/**
 * A scripted model routing by agent: acting answers, reflections, interceptions.
 *
 * @example
 * ```ts
 * const model = scripted({ text: (agent) => `${agent} rescued it` });
 * ```
 */
export function scripted(script: Script = {}): ScriptedProvider {
  return createScriptedProvider({
    fallback: (request) => {
      const agent = agentOf(request);
      const intercepted = script.intercept?.(agent, request);
      if (intercepted !== undefined) return intercepted;
      if (isReflection(request)) {
        return { structured: { confidence: script.confidence?.(agent, request) ?? 0.8, critique: `critique of ${agent}` } };
      }
      return { text: script.text?.(agent, request) ?? `${agent} answer` };
    },
  });
}

/** The config run tests share: one step a task unless a test turns thinking on, retries in milliseconds. */
export const RUN_TEST_CONFIG: OrchestratorConfig = { enableThinkingAgents: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } };
