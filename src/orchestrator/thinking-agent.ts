/**
 * `ThinkingAgent`: a standalone agent, usable without an orchestrator. One agent actor with its own
 * gateway, usable without an orchestrator.
 */
import { createActor } from 'xstate';
import type { Actor, InspectionEvent, Observer } from 'xstate';
import { nanoid } from 'nanoid';
import type { AgentConfig, AgentTaskResult, LoadedArtifact, ResolvedAgentConfig } from '../protocols/agent.js';
import { CancelledError, ConfigError, fromErrorData, WorkflowValidationError } from '../protocols/errors/errors.js';
import { isInspectionObserver, optionalSignal, optionalStringList, requireId, requireRecord, requireString } from '../util/arguments.js';
import { assertInputData, DEFAULT_MAX_INPUT_DATA_BYTES } from '../util/input-data.js';
import type { ModelProvider } from '../protocols/model.js';
import { EventHub } from '../protocols/events.js';
import type { ModelCallDelta } from '../protocols/gateway.js';
import type { PriceTable } from '../protocols/pricing.js';
import { createAgentMachine } from '../actors/agent/machine.js';
import type { AgentMachine } from '../actors/agent/machine.js';
import { mergePrices } from '../providers/model-prices.js';
import { resolveAgentConfig, STANDALONE_DEFAULTS } from '../agents/agent-config.js';
import { resolveConfig } from './config.js';
import { createModelGateway } from '../model/gateway.js';
import { ProviderRegistry, selectedProviderName } from '../model/provider-registry.js';

export interface ThinkingAgentOptions {
  readonly agentId: string;
  /** The agent's config (ThinkingAgentConfig). `provider` may also be a ModelProvider instance. */
  readonly config?: Omit<AgentConfig, 'provider'> & { readonly provider?: string | ModelProvider };
  readonly pricing?: PriceTable;
  /** Seed of the simulated model. */
  readonly seed?: number;
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * The Anthropic provider's key and API root (default `ANTHROPIC_API_KEY`,
   * `ANTHROPIC_BASE_URL`). Set without `config.provider`, it selects anthropic.
   */
  readonly anthropic?: ProviderConnection;
  /**
   * The OpenAI provider's key and API root, e.g. a local OpenAI-compatible
   * server's `http://127.0.0.1:11434/v1` (default `OPENAI_API_KEY`,
   * `OPENAI_BASE_URL`). Set without `config.provider`, it selects openai.
   */
  readonly openai?: ProviderConnection;
}

/** Where a real provider is reached: the key and the API root. */
export interface ProviderConnection {
  readonly apiKey?: string;
  readonly baseURL?: string;
}

export interface ExecuteTaskOptions {
  readonly task: string;
  readonly thinkingDirectives?: readonly string[];
  readonly availableAgents?: readonly string[];
  /** Artifacts to put in the prompt (already loaded; an orchestrator loads them by id). */
  readonly sharedArtifacts?: readonly LoadedArtifact[];
  readonly inputData?: unknown;
  readonly signal?: AbortSignal;
  /**
   * Receives this task's model output as it streams (thinking, acting,
   * reflecting, exploring steps; text, thinking and structured JSON), in
   * order. Setting it makes the task's calls stream. Must not throw: a throw
   * is reported on the agent's events as `listener.error`.
   */
  readonly onDelta?: (delta: ModelCallDelta) => void;
}

/** ThinkingAgent.executeTask's options, checked before the task is queued. */
function checkExecuteTaskOptions(options: unknown): void {
  const value = requireRecord(options, 'executeTask options', 'workflow');
  requireString(value['task'], 'task', 'workflow');
  optionalStringList(value['thinkingDirectives'], 'thinkingDirectives', 'workflow');
  optionalStringList(value['availableAgents'], 'availableAgents', 'workflow');
  if (value['sharedArtifacts'] !== undefined && !Array.isArray(value['sharedArtifacts'])) {
    throw new WorkflowValidationError('sharedArtifacts must be an array of loaded artifacts', { field: 'sharedArtifacts' });
  }
  optionalSignal(value['signal'], 'signal', 'workflow');
  assertInputData(value['inputData'], 'inputData', DEFAULT_MAX_INPUT_DATA_BYTES);
}

/**
 * A thinking agent on its own.
 *
 * @example
 * ```ts
 * const agent = new ThinkingAgent({
 *   agentId: 'researcher',
 *   config: { maxThinkingTokens: 8000, thinkingStyle: 'analytical', enableAlternativeExploration: true, confidenceThreshold: 0.8 },
 * });
 * const result = await agent.executeTask({
 *   task: 'Analyze the implications of quantum computing on cryptography',
 *   thinkingDirectives: ['Consider both near-term and long-term impacts'],
 * });
 * console.log(result.confidence, result.thinkingProcess, result.alternatives);
 *
 * // On a local OpenAI-compatible server (Ollama, vLLM, llama.cpp):
 * const local = new ThinkingAgent({
 *   agentId: 'local',
 *   config: { provider: 'openai', model: 'llama3.1' },
 *   openai: { baseURL: 'http://127.0.0.1:11434/v1' },
 * });
 * // Streaming: each step's output as it is generated.
 * await agent.executeTask({ task: 'Summarise the findings', onDelta: (d) => process.stdout.write(d.text) });
 * ```
 */
export class ThinkingAgent {
  readonly agentId: string;
  readonly config: ResolvedAgentConfig;
  readonly #actor: Actor<AgentMachine>;
  /** The agent's own events (its gateway reports model deltas here). */
  readonly events = new EventHub();
  /** Tasks run one after another: an agent works on one task at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Tasks still waiting for the actor's answer, each with how to fail it, so `stop` can settle them. */
  readonly #waiting = new Set<(error: Error) => void>();
  #stopped = false;

  /** @throws ConfigError for a bad option (an empty or reserved agentId, a config that is not an object, ...). */
  constructor(options: ThinkingAgentOptions) {
    requireRecord(options, 'ThinkingAgent options', 'config');
    this.agentId = requireId(options.agentId, 'agentId', 'config');
    if (options.config !== undefined) requireRecord(options.config, 'config', 'config');
    if (options.inspect !== undefined && !isInspectionObserver(options.inspect)) {
      throw new ConfigError('inspect', 'must be an inspection function or an observer whose next, error and complete are functions');
    }
    const { provider, ...rest } = options.config ?? {};
    const connections = {
      ...(options.anthropic === undefined ? {} : { anthropic: options.anthropic }),
      ...(options.openai === undefined ? {} : { openai: options.openai }),
    };
    // Validated like the orchestrator's own fields (a bad baseURL is a ConfigError naming it).
    const registry = new ProviderRegistry(resolveConfig({ ...connections, ...(options.seed === undefined ? {} : { seed: options.seed }) }));
    let providerName: string = selectedProviderName(connections);
    if (typeof provider === 'object') {
      registry.register(provider);
      providerName = provider.name;
    } else if (provider !== undefined) {
      providerName = provider;
    }
    // As in the orchestrator: the openai provider's default model is one it serves.
    const defaults = providerName === 'openai' ? { ...STANDALONE_DEFAULTS, model: 'gpt-4o' } : STANDALONE_DEFAULTS;
    this.config = resolveAgentConfig({ ...rest, provider: providerName }, defaults);
    registry.get(this.config.provider); // fail now (unknown provider, missing key), not on first task
    const gateway = createModelGateway({
      resolveProvider: (name) => registry.get(name),
      prices: mergePrices(options.pricing),
      events: this.events,
    });
    const machine = createAgentMachine({ gateway, now: Date.now });
    this.#actor = createActor(machine, {
      input: { agentId: this.agentId, template: 'standalone', config: this.config },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    }).start();
  }

  /** The agent's actor, for subscriptions and the inspector. */
  get actor(): Actor<AgentMachine> {
    return this.#actor;
  }

  /**
   * Runs one task through thinking → acting → reflecting (→ alternatives).
   * @throws the agent's typed error (AgentTimeoutError, ProviderError, ...) when the task fails;
   * WorkflowValidationError for bad options (no task, a signal that is not an
   * AbortSignal, inputData that is not JSON-like data), InputDataTooLargeError
   * for inputData over 1 MiB of JSON.
   */
  executeTask(options: ExecuteTaskOptions): Promise<AgentTaskResult> {
    try {
      checkExecuteTaskOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.#queue.then(() => this.#run(options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #run(options: ExecuteTaskOptions): Promise<AgentTaskResult> {
    if (this.#stopped) return Promise.reject(new CancelledError('the agent was stopped'));
    const taskId = `task_${nanoid(10)}`;
    return new Promise<AgentTaskResult>((resolve, reject) => {
      const fail = (error: Error): void => {
        done();
        reject(error);
      };
      this.#waiting.add(fail);
      const offDelta = options.onDelta
        ? this.events.on('model.delta', (event) => {
            if (event.taskId === taskId) options.onDelta?.(event);
          })
        : undefined;
      const subscriptions = [
        this.#actor.on('agent.result', (event) => {
          if (event.taskId !== taskId) return;
          done();
          resolve(event.result);
        }),
        this.#actor.on('agent.failure', (event) => {
          if (event.taskId !== taskId) return;
          done();
          reject(fromErrorData(event.failure.error));
        }),
      ];
      const onAbort = () => this.#actor.send({ type: 'agent.abort', reason: 'the caller aborted' });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        this.#waiting.delete(fail);
        offDelta?.();
        for (const subscription of subscriptions) subscription.unsubscribe();
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.#actor.send({
        type: 'agent.task',
        task: {
          taskId,
          task: options.task,
          ...(options.thinkingDirectives ? { thinkingDirectives: options.thinkingDirectives } : {}),
          ...(options.availableAgents ? { availableAgents: options.availableAgents } : {}),
          ...(options.sharedArtifacts ? { sharedArtifacts: options.sharedArtifacts } : {}),
          ...(options.inputData === undefined ? {} : { inputData: options.inputData }),
        },
      });
      // After the task is sent: an idle agent ignores an abort, so an already-aborted signal must cancel the task itself.
      if (options.signal?.aborted) onAbort();
    });
  }

  /**
   * Stops the agent's actor (and any model call in flight). A task still
   * running or queued rejects with CancelledError, as does any later one.
   */
  stop(): void {
    this.#stopped = true;
    this.#actor.stop();
    const error = new CancelledError('the agent was stopped');
    for (const fail of [...this.#waiting]) fail(error);
  }
}
