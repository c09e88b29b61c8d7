/**
 * The host side of the agents: which agents exist, from which template, and
 * the promises of tasks in flight. Agents answer an inbox actor (the protocol's
 * `replyTo`), so a user's custom agent machine only has to `sendTo(replyTo)`.
 */
import { createActor, fromCallback } from 'xstate';
import type { Actor, AnyActorRef } from 'xstate';
import type { AgentConfig, AgentTask, ResolvedAgentConfig } from '../protocols/agent.js';
import { EMPTY_MEMORY } from '../protocols/agent.js';
import type { AgentBroadcastEvent, AgentInboundEvent, AgentOutboundEvent } from '../protocols/agent-protocol.js';
import { locateAgent } from '../actors/agent-directory.js';
import { AgentExistsError, AgentFailedError, AgentNotFoundError, AgentTimeoutError, CancelledError, ConfigError, ShutDownError } from '../protocols/errors/errors.js';
import { observationOf, withObservation } from '../actors/agent/run.js';
import type { SupervisorMachine } from '../actors/supervisor.js';
import { THINKING_AGENT_TYPE } from '../actors/supervisor.js';
import { differingConfigFields, resolveAgentConfig } from './agent-config.js';
import { ConsultationDesk, failedOutcome } from './consultation-desk.js';
import type { ConsultationOutcome, ConsultationRequest } from './consultation-desk.js';
import { addCents } from '../protocols/cents.js';
import { malformedReply } from './agent-reply.js';
import { deliverToAgent } from './direct-route.js';
import { AgentSlots, DEFAULT_MAX_PARKED_AGENTS } from './agent-slots.js';
import { contextOf } from '../actors/agent/context-of.js';
import { AGENT_POOL_INBOX_ID } from './agent-record.js';
import type { AgentPoolOptions, AgentRecord, AgentRunOutcome, SpawnRequest } from './agent-record.js';

export type { ConsultationOutcome, ConsultationRequest } from './consultation-desk.js';

/** The supervisor a pool's agents run under, and the slots of their actors. */
interface PoolHost {
  readonly supervisor: Actor<SupervisorMachine>;
  readonly slots: AgentSlots;
}

interface PendingTask {
  readonly agentId: string;
  readonly settle: (outcome: AgentRunOutcome) => void;
}

/** How long past its own deadline a custom agent may take to answer before the host fails its task. */
const HOST_DEADLINE_GRACE_MS = 1000;


export class AgentPool {
  readonly #options: AgentPoolOptions;
  readonly #records = new Map<string, AgentRecord>();
  readonly #pending = new Map<string, PendingTask>();
  /** Per agent, the end of the last task handed to it: an agent works on one task at a time, the next waits. */
  readonly #turns = new Map<string, Promise<unknown>>();
  readonly #consultations = new ConsultationDesk((toAgent, event) => this.deliver(toAgent, event));
  readonly #inbox: AnyActorRef;
  /** The supervisor agents are spawned under and the slots of their actors: set once, by {@link AgentPool.attach}. */
  #host: PoolHost | undefined;
  /** Resolved configs of templates spawned without overrides, by template object (see #resolve). */
  readonly #resolvedTemplates = new WeakMap<AgentConfig, { readonly key: string; readonly resolved: ResolvedAgentConfig }>();
  #counter = 0;
  #closed = false;

  constructor(options: AgentPoolOptions) {
    this.#options = options;
    const pool = this;
    this.#inbox = createActor(
      fromCallback<AgentOutboundEvent>(({ receive }) => {
        receive((event) => pool.#onReply(event));
      }),
      // Agents reply here: an inspector must know this actor to place those events.
      { id: AGENT_POOL_INBOX_ID, ...(options.inspect ? { inspect: options.inspect } : {}) },
    ).start();
  }

  /**
   * Binds the pool to the supervisor its agents run under. The agent machine
   * the supervisor spawns calls back into the pool's neighbours (messaging,
   * memory compaction), so the pool exists first and is attached once the
   * supervisor has started; an agent cannot be spawned before.
   * @throws Error when the pool is already attached.
   * @example
   * const pool = new AgentPool(options);
   * const supervisor = createActor(supervisorMachine, { systemId: 'supervisor' }).start();
   * pool.attach(supervisor);
   */
  attach(supervisor: Actor<SupervisorMachine>): void {
    if (this.#host) throw new Error('the agent pool is already attached to a supervisor');
    const slots = new AgentSlots(supervisor, this.#options.maxParkedAgents ?? DEFAULT_MAX_PARKED_AGENTS);
    this.#host = { supervisor, slots };
    supervisor.on('agent.crashed', ({ agentId, error }) => {
      const record = this.#records.get(agentId);
      if (record) {
        record.live = false;
        record.lastError = error;
      }
      slots.crashed(agentId);
      this.#options.events.emit('agent.crashed', { agentId, error });
      this.#rejectAgent(agentId, () => new AgentFailedError(agentId, `its actor crashed: ${error.message}`, error));
    });
  }

  /** The supervisor and slots; spawning or routing before {@link AgentPool.attach} is a wiring bug. */
  get #attached(): PoolHost {
    if (!this.#host) throw new Error('the agent pool is not attached to a supervisor yet (AgentPool.attach)');
    return this.#host;
  }

  get(agentId: string): AgentRecord | undefined {
    return this.#records.get(agentId);
  }

  list(): AgentRecord[] {
    return [...this.#records.values()];
  }

  /** The live actor of an agent, if any. */
  ref(agentId: string): AnyActorRef | undefined {
    return this.#host ? locateAgent(this.#host.supervisor.system, agentId) : undefined;
  }

  /**
   * Spawns an agent. A live agent of that id is returned as it is when the
   * request resolves to the same template, type and config (spawning is
   * idempotent), and refused when it does not. A stopped agent respawns with
   * its memory; with its recorded config unless the request gives a `config`
   * or another template or type.
   * @throws ConfigError for an unknown template, agent type or tool, or a bad config value;
   * AgentExistsError for a live agent of that id with another template, type or config.
   */
  spawn(request: SpawnRequest): AgentRecord {
    this.#assertOpen();
    const { slots } = this.#attached;
    const templateName = request.template ?? 'default';
    const template = request.template === undefined ? {} : this.#options.templates.get(request.template);
    if (!template) throw new ConfigError('template', `unknown template "${request.template}"`);
    const agentType = request.agentType ?? THINKING_AGENT_TYPE;
    if (agentType !== THINKING_AGENT_TYPE && !this.#options.agentTypes.has(agentType)) {
      throw new ConfigError('agentType', `unknown agent type "${agentType}": register it with registerAgentType`);
    }
    const agentId = request.agentId ?? `${templateName}_${++this.#counter}`;
    const existing = this.#records.get(agentId);
    const config = this.#resolve(template, request.config, agentId);
    if (existing?.live) {
      const differing = [
        ...(existing.template === templateName ? [] : ['template']),
        ...(existing.agentType === agentType ? [] : ['agentType']),
        ...differingConfigFields(existing.config, config).map((field) => `config.${field}`),
      ];
      if (differing.length > 0) throw new AgentExistsError(agentId, differing);
      return existing;
    }
    this.#options.assertPriced?.(config.model, config.provider, `agents.${agentId}.model`);
    const tools = this.#options.toolDefinitions(agentId, config);
    const reconfigured =
      existing !== undefined &&
      (request.config !== undefined ||
        (request.template !== undefined && request.template !== existing.template) ||
        (request.agentType !== undefined && request.agentType !== existing.agentType));
    const record: AgentRecord = existing && !reconfigured ? existing : {
      agentId,
      template: templateName,
      agentType,
      config,
      descriptor: { id: agentId, role: config.role || templateName, template: templateName, tags: config.tags },
      ephemeral: existing?.ephemeral ?? request.ephemeral ?? false,
      live: false,
      // A respawn with a new config keeps what the agent learnt and spent.
      memory: existing?.memory ?? EMPTY_MEMORY,
      costCents: existing?.costCents ?? 0,
      tasksCompleted: existing?.tasksCompleted ?? 0,
      lastError: existing?.lastError ?? null,
      thinkingTrace: existing?.thinkingTrace ?? '',
      currentTask: null,
    };
    this.#records.set(agentId, record);
    const spawned = slots.spawn({
      type: 'supervisor.spawn',
      agentId,
      agentType,
      input: {
        agentId,
        template: templateName,
        config: record.config,
        tools,
        memory: record.memory,
        breakpointOnError: this.#options.breakpointOnError(),
      },
    }, record.ephemeral && agentType === THINKING_AGENT_TYPE);
    record.live = spawned !== undefined;
    if (record.live) {
      this.#options.events.emit('agent.spawned', { agentId, template: templateName, role: record.descriptor.role });
    }
    return record;
  }

  /**
   * The resolved config of a spawn. A template's own config (no overrides) is
   * validated once and shared by every agent spawned from it: a workflow
   * spawns one agent a task, and revalidating costs µs each. A config that
   * fails is never cached, so each spawn's error names its own agent.
   */
  #resolve(template: AgentConfig, overrides: AgentConfig | undefined, agentId: string): ResolvedAgentConfig {
    if (overrides !== undefined) return resolveAgentConfig({ ...template, ...overrides }, this.#options.defaults, `agents.${agentId}`);
    // Keyed by the template's content too: a template object changed in place after registering is revalidated.
    const key = JSON.stringify(template);
    const cached = this.#resolvedTemplates.get(template);
    if (cached?.key === key) return cached.resolved;
    const resolved = resolveAgentConfig({ ...template }, this.#options.defaults, `agents.${agentId}`);
    this.#resolvedTemplates.set(template, { key, resolved });
    return resolved;
  }

  /** Stops an agent's actor (aborting its model calls); its record stays, as data. */
  stop(agentId: string): void {
    const record = this.#records.get(agentId);
    if (!record?.live) return;
    if (this.#closed) {
      // The supervisor stopped with the pool: its children are already gone.
      record.live = false;
      return;
    }
    this.#capture(record);
    // An idle ephemeral agent's actor is parked for the next ephemeral spawn, any other stopped.
    this.#attached.slots.release(agentId);
    record.live = false;
    this.#options.events.emit('agent.stopped', { agentId });
    this.#rejectAgent(agentId, () => new CancelledError(`agent "${agentId}" was stopped`));
  }

  /** Forgets a stopped agent entirely. */
  forget(agentId: string): void {
    this.stop(agentId);
    this.#records.delete(agentId);
  }

  /** Sends any protocol event to an agent: straight to a live agent, else through the supervisor's routing. */
  deliver(agentId: string, event: AgentInboundEvent): void {
    deliverToAgent(this.#attached.supervisor, agentId, event);
  }

  /**
   * Runs a task on a live agent and reports how it ended (never rejects).
   * A task given to an agent that is still working on one waits for it (the
   * agent would refuse it as AGENT_BUSY). Aborting `signal` aborts the agent's
   * model calls, or the wait. An agent of a custom type that does not answer
   * within its `timeoutSeconds` (plus a second) fails the task with
   * AgentTimeoutError; built-in agents keep their own deadline.
   */
  run(agentId: string, task: AgentTask, signal?: AbortSignal): Promise<AgentRunOutcome> {
    const previous = this.#turns.get(agentId);
    const outcome = previous ? this.#afterTurn(previous, agentId, task, signal) : this.#start(agentId, task, signal);
    this.#turns.set(agentId, outcome);
    const forget = (): void => {
      if (this.#turns.get(agentId) === outcome) this.#turns.delete(agentId);
    };
    void outcome.then(forget);
    return outcome;
  }

  /** Waits for the agent's task in hand (or an abort), then starts this one. */
  async #afterTurn(previous: Promise<unknown>, agentId: string, task: AgentTask, signal?: AbortSignal): Promise<AgentRunOutcome> {
    if (!signal) {
      await previous;
      return this.#start(agentId, task, signal);
    }
    let onAbort = (): void => undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([previous, aborted]);
    signal.removeEventListener('abort', onAbort);
    return this.#start(agentId, task, signal);
  }

  #start(agentId: string, task: AgentTask, signal?: AbortSignal): Promise<AgentRunOutcome> {
    if (this.#closed) return Promise.resolve(failedOutcome(new ShutDownError()));
    const record = this.#records.get(agentId);
    if (!record?.live) return Promise.resolve(failedOutcome(new AgentNotFoundError(agentId)));
    if (signal?.aborted) return Promise.resolve(failedOutcome(new CancelledError('aborted before start')));
    return new Promise<AgentRunOutcome>((resolve) => {
      const onAbort = () => {
        if (!this.#pending.has(task.taskId)) return;
        // A built-in agent answers the abort at once with its failure, carrying what
        // it spent before it; an agent that does not answer is settled here at no cost.
        this.deliver(agentId, { type: 'agent.abort', reason: 'the caller aborted' });
        if (!this.#pending.delete(task.taskId)) return;
        resolve(failedOutcome(new CancelledError(`task "${task.taskId}" was aborted`)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const deadline = record.agentType === THINKING_AGENT_TYPE ? undefined : this.#hostDeadline(record, task);
      this.#pending.set(task.taskId, {
        agentId,
        settle: (outcome) => {
          clearTimeout(deadline);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      });
      record.currentTask = task.taskId;
      this.deliver(agentId, { type: 'agent.task', task, replyTo: this.#inbox });
    });
  }

  /** A custom agent's task fails with AgentTimeoutError if it has not answered by its deadline (and a second of grace). */
  #hostDeadline(record: AgentRecord, task: AgentTask): NodeJS.Timeout {
    const { timeoutSeconds } = record.config;
    return setTimeout(() => {
      const pending = this.#pending.get(task.taskId);
      if (!pending) return;
      this.#pending.delete(task.taskId);
      this.deliver(record.agentId, { type: 'agent.abort', reason: `no answer within ${timeoutSeconds}s` });
      pending.settle(failedOutcome(new AgentTimeoutError(record.agentId, timeoutSeconds)));
    }, timeoutSeconds * 1000 + HOST_DEADLINE_GRACE_MS);
  }

  /**
   * Routes a consultation through the supervisor and reports its answer (never
   * rejects). The reply comes back to the pool's inbox, correlated by request
   * id; past `timeoutSeconds` the consultation fails with
   * ConsultationTimeoutError and a late reply is dropped.
   */
  consult(request: ConsultationRequest): Promise<ConsultationOutcome> {
    if (this.#closed) return Promise.resolve(failedOutcome(new ShutDownError()));
    if (!this.#records.get(request.toAgent)?.live) return Promise.resolve(failedOutcome(new AgentNotFoundError(request.toAgent)));
    if (request.signal?.aborted) return Promise.resolve(failedOutcome(new CancelledError('aborted before the consultation')));
    return this.#consultations.open(request, this.#inbox);
  }

  /**
   * Gives a broadcast to agents as an observation: live ones get it as an
   * `agent.broadcast` event (one supervisor step fans out to all), stopped ones
   * keep it in their record's memory so it is there when they respawn.
   * Unknown agent ids are skipped.
   */
  observe(agentIds: Iterable<string>, event: AgentBroadcastEvent): void {
    const live: string[] = [];
    let note: string | undefined;
    for (const agentId of agentIds) {
      const record = this.#records.get(agentId);
      if (!record) continue;
      if (record.live) {
        live.push(agentId);
        continue;
      }
      note ??= observationOf(event);
      record.memory = withObservation(record.memory, note);
    }
    if (live.length > 0) this.#attached.supervisor.send({ type: 'supervisor.broadcast', agentIds: live, event });
  }

  /** Stops every agent and fails every pending task. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.settle(failedOutcome(new ShutDownError()));
    this.#pending.clear();
    this.#consultations.failWaiting(() => new ShutDownError());
    this.#host?.slots.close();
    this.#inbox.stop?.();
  }

  #onReply(event: AgentOutboundEvent): void {
    if (event.type === 'agent.consult.reply') {
      this.#consultations.answer(event);
      return;
    }
    const pending = this.#pending.get(event.taskId);
    if (!pending) return; // a late reply to an aborted task: dropped
    this.#pending.delete(event.taskId);
    const record = this.#records.get(event.agentId);
    if (record) {
      record.currentTask = null;
      this.#capture(record);
    }
    // A custom agent type is code troupe does not own: its reply must have the protocol's shape.
    const malformed = record && record.agentType !== THINKING_AGENT_TYPE ? malformedReply(event) : undefined;
    if (malformed) {
      if (record) record.lastError = malformed.error;
      pending.settle(malformed);
      return;
    }
    if (event.type === 'agent.result') {
      if (record) {
        record.thinkingTrace = event.result.thinkingProcess;
        record.tasksCompleted++;
        record.costCents = addCents(record.costCents, event.result.costCents);
      }
      this.#options.events.emit('agent.result', { agentId: event.agentId, taskId: event.taskId, result: event.result });
      pending.settle({ ok: true, result: event.result });
    } else {
      if (record) {
        record.lastError = event.failure.error;
        record.costCents = addCents(record.costCents, event.failure.costCents);
      }
      pending.settle({ ok: false, ...event.failure });
    }
  }

  /** Copies what survives a stop out of the live actor (memory for a later respawn). */
  #capture(record: AgentRecord): void {
    const snapshot: unknown = this.ref(record.agentId)?.getSnapshot();
    const context = contextOf(snapshot);
    if (context) record.memory = context.memory;
  }

  /** `makeError` is called only when something waits: an Error's stack trace costs µs on every stop. */
  #rejectAgent(agentId: string, makeError: () => Error): void {
    let error: Error | undefined;
    for (const [taskId, pending] of this.#pending) {
      if (pending.agentId !== agentId) continue;
      this.#pending.delete(taskId);
      pending.settle(failedOutcome((error ??= makeError())));
    }
    // A stopped or crashed agent will not answer the questions it was asked.
    this.#consultations.failWaiting(() => (error ??= makeError()), agentId);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ShutDownError();
  }
}
