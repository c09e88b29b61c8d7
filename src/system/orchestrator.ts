/**
 * `Orchestrator` (alias `EnhancedAgentOrchestrator`): the seed's facade over
 * one XState actor system whose root is the supervisor.
 */
import { createActor } from 'xstate';
import type { Actor, AnyActorLogic, AnyActorRef } from 'xstate';
import type { AgentTemplate } from '../protocols/agent.js';
import { ConfigError, ShutDownError, WorkflowValidationError } from '../protocols/errors.js';
import type { ModelProvider } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from '../protocols/task.js';
import { createAgentMachine } from '../actors/agent.js';
import { createSupervisorMachine, DEFAULT_MAX_CONSULTATION_DEPTH } from '../actors/supervisor.js';
import { createWorkflowMachine } from '../actors/workflow.js';
import type { SupervisorMachine } from '../actors/supervisor.js';
import { mergePrices } from '../providers/pricing.js';
import type { AgentDefaults } from './agent-config.js';
import { resolveAgentConfig } from './agent-config.js';
import { AgentPool } from './agent-pool.js';
import type { SpawnRequest } from './agent-pool.js';
import { BudgetLedger } from './budget.js';
import { resolveConfig } from './config.js';
import type { OrchestratorConfig, ResolvedConfig } from './config.js';
import { EventHub } from './events.js';
import { inspectionOf } from './agent-inspection.js';
import type { AgentInspection } from './agent-inspection.js';
import { createMemoryCompactor, createSharedContext, loadTaskArtifacts } from './agent-services.js';
import { Messaging } from './messaging.js';
import type { BroadcastReport, BroadcastRequest, ConsultationReply, RouteMessageRequest, SubscribeRequest } from './messaging.js';
import { ARTIFACT_TOOLS, isArtifactTool, runArtifactTool } from './artifact-tools.js';
import { SharedContextStore } from './context-store.js';
import { createPipeline, mapReduce } from './patterns.js';
import type { MapReduceOptions, MapReduceResult, Pipeline, PipelineStage } from './patterns.js';
import { createModelGateway } from './model-gateway.js';
import { defaultProviderName, ProviderRegistry } from './providers.js';
import { TaskRunner } from './task-runner.js';
import type { TaskRunRequest } from './task-runner.js';
import { runConsensus } from './consensus-runner.js';
import { ToolRegistry } from './tools.js';
import { WorkflowRunner } from './workflow-runner.js';
import { journalsFromSetting } from './journal.js';
import type { WorkflowJournals, WorkflowRecord } from './journal.js';
import { JournalCallRecorder } from './journal-recorder.js';
import { createJournalObserver, journalArtifactWrite } from './journal-observer.js';
import { replayWorkflow, resumeWorkflow } from './replay.js';
import type { DurableRunsHost, ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions } from './replay.js';
import type { ExecuteWorkflowOptions } from './workflow-runner.js';
import type { AgentTool } from './tools.js';
import { startMonitoring } from './monitoring.js';
import type { Monitoring, MonitoringOptions } from './monitoring.js';
import type { MonitoringMetrics } from './metrics.js';
import { AgentNotFoundError } from '../protocols/errors.js';
import { DebugControl } from './debug.js';
import type { DebugModeOptions, DebugModeState } from './debug.js';
import { LevelLogger, silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { createRedactor, redactingObserver } from './sanitize.js';
import { enableTelemetry } from './telemetry.js';
import type { Telemetry, TelemetryOptions } from './telemetry.js';

/** A spawned agent, as `spawnAgent` returns it. */
export interface AgentRef {
  readonly id: string;
  readonly template: string;
  /** The agent's actor (for `.on`, `.subscribe`, the inspector). */
  readonly actor: AnyActorRef | undefined;
}

export class Orchestrator {
  readonly config: ResolvedConfig;
  /** Typed progress events: `task.started`, `task.finished`, `workflow.finished`, ... */
  readonly events = new EventHub();
  readonly providers: ProviderRegistry;
  readonly budget: BudgetLedger;
  /** The artifact store agents share, when `enableSharedContext` is on. */
  readonly context: SharedContextStore | undefined;
  protected readonly templates = new Map<string, AgentTemplate>();
  protected readonly tools = new ToolRegistry();
  protected readonly agentTypes = new Map<string, AnyActorLogic>();
  protected readonly supervisor: Actor<SupervisorMachine>;
  protected readonly pool: AgentPool;
  /** Consultations, broadcasts and subscriptions. */
  protected readonly messaging: Messaging;
  protected readonly runner: TaskRunner;
  protected readonly workflows: WorkflowRunner;
  protected readonly defaults: AgentDefaults;
  /** Workflow journals (config `journal`), undefined when journaling is off. */
  protected readonly journals: WorkflowJournals | undefined;
  readonly #recorder: JournalCallRecorder | undefined;
  #breakpointOnError = false;
  /** The user's `inspect` observer, wrapped so it only sees redacted events. */
  readonly #inspect: ReturnType<typeof redactingObserver> | undefined;
  readonly #debug: DebugControl;
  #telemetry: Telemetry | undefined;
  /** The library's logger: silent unless `logger` is configured or debug mode sets a level. */
  readonly logger: Logger;
  #taskCounter = 0;
  #shutDown = false;
  #monitoring: Monitoring | undefined;
  /** Run by `shutdown` (dashboard server, ...). */
  readonly #disposers: (() => void | Promise<void>)[] = [];

  /**
   * @example
   * ```ts
   * const orchestrator = new Orchestrator({
   *   model: 'claude-3-5-sonnet',
   *   maxParallelAgents: 5,
   *   totalCostLimitCents: 1000,
   * });
   * const result = await orchestrator.executeTask({ agentId: 'analyst', taskDescription: 'Assess Q3 risk' });
   * await orchestrator.shutdown();
   * ```
   * @throws ConfigError naming the first bad field.
   */
  constructor(config: OrchestratorConfig = {}) {
    this.config = resolveConfig(config);
    // Keys are cut out of every log line, trace, inspection event and debug file.
    const secrets = [this.config.anthropic?.apiKey, this.config.openai?.apiKey, process.env.ANTHROPIC_API_KEY, process.env.OPENAI_API_KEY];
    const redactor = createRedactor({ secrets });
    this.#inspect = this.config.inspect ? redactingObserver(redactor, this.config.inspect) : undefined;
    const logger = new LevelLogger({ sink: this.config.logger ?? silentLogger, level: 'silent', redactor });
    this.logger = logger;
    this.providers = new ProviderRegistry(this.config);
    const provider = this.config.provider;
    let providerName: string;
    if (typeof provider === 'object') {
      this.providers.register(provider);
      providerName = provider.name;
    } else {
      providerName = provider ?? defaultProviderName();
    }
    const model = config.model ?? (providerName === 'openai' ? 'gpt-4o' : this.config.model);
    this.defaults = {
      model,
      provider: providerName,
      temperature: this.config.temperature,
      maxTokens: this.config.maxTokens,
      enableThinking: this.config.enableThinkingAgents,
      timeoutSeconds: this.config.agentTimeoutSeconds,
      enableCrossAgentQueries: this.config.enableCrossAgentQueries,
      sharedContextAccess: this.config.enableSharedContext,
    };
    this.providers.get(providerName); // fail now on an unknown provider or a missing key
    const prices = mergePrices(this.config.pricing);
    this.context = this.config.enableSharedContext ? createSharedContext(this.config, this.#inspect) : undefined;
    this.budget = new BudgetLedger({
      ...(this.config.maxCostPerAgentCents === undefined ? {} : { maxCostPerAgentCents: this.config.maxCostPerAgentCents }),
      ...(this.config.totalCostLimitCents === undefined ? {} : { totalCostLimitCents: this.config.totalCostLimitCents }),
    });
    this.journals = journalsFromSetting(this.config.journal, this.config.workspacePath, Date.now);
    this.#recorder = this.journals ? new JournalCallRecorder(this.journals) : undefined;
    const gateway = createModelGateway({
      resolveProvider: (name) => this.providers.get(name),
      prices,
      budget: this.budget,
      events: this.events,
      ...(this.#recorder ? { recorder: this.#recorder } : {}),
    });
    const agentMachine = createAgentMachine({
      gateway,
      now: Date.now,
      runTool: (call, context) =>
        this.context && isArtifactTool(call.name)
          ? this.journals
            ? journalArtifactWrite(this.journals, call, context, runArtifactTool(this.context, call, context))
            : runArtifactTool(this.context, call, context)
          : this.tools.run(call, context),
      compactMemory: createMemoryCompactor({
        config: this.config,
        gateway,
        pool: () => this.pool,
        providers: this.providers,
        defaults: this.defaults,
        context: () => this.context,
      }),
      consult: (request) => this.messaging.consultForAgent(request),
    });
    const workflowMachine = createWorkflowMachine({
      runTask: ({ workflowId, task, dependencyOutputs }, signal) =>
        this.workflows.track(workflowId, task.agentId, this.#runTask({ workflowId, spec: task, dependencyOutputs, signal })),
      evaluateCondition: (workflowId, agentId, results) => this.workflows.evaluateCondition(workflowId, agentId, results),
      now: Date.now,
    });
    this.supervisor = createActor(createSupervisorMachine({ agentMachine, workflowMachine, agentTypes: this.agentTypes }), {
      systemId: 'supervisor',
      ...(this.#inspect ? { inspect: this.#inspect } : {}),
    }).start();
    this.pool = new AgentPool({
      supervisor: this.supervisor,
      defaults: this.defaults,
      templates: this.templates,
      agentTypes: this.agentTypes,
      toolDefinitions: (agentId, agentConfig) => [
        ...this.tools.definitions(agentConfig.tools, `agents.${agentId}.tools`),
        ...(agentConfig.sharedContextAccess && this.context ? ARTIFACT_TOOLS : []),
      ],
      events: this.events,
      breakpointOnError: () => this.#breakpointOnError,
    });
    this.messaging = new Messaging({
      pool: this.pool,
      events: this.events,
      crossAgentQueries: this.config.enableCrossAgentQueries,
      defaultTimeoutSeconds: this.config.agentTimeoutSeconds,
      maxConsultationDepth: DEFAULT_MAX_CONSULTATION_DEPTH,
    });
    this.runner = new TaskRunner({
      pool: this.pool,
      events: this.events,
      retry: this.config.retryFailedAgents ? this.config.retry : { ...this.config.retry, maxAttempts: 1 },
      enableAlternativePaths: this.config.enableAlternativePaths,
      hasTemplate: (name) => this.templates.has(name),
      loadArtifacts: (agentId, artifactIds) =>
        loadTaskArtifacts(this.context, this.config.enableCrossAgentMemory, agentId, artifactIds),
      now: Date.now,
    });
    this.workflows = new WorkflowRunner({
      supervisor: this.supervisor,
      events: this.events,
      gateway,
      defaultModel: () => ({ model: this.defaults.model, provider: this.defaults.provider }),
      maxParallelAgents: this.config.maxParallelAgents,
      knownTemplates: () => new Set(this.templates.keys()),
      knownAgents: () => new Set(this.listAgents()),
      now: Date.now,
      ...(this.journals ? { observer: createJournalObserver({ journals: this.journals, events: this.events }) } : {}),
    });
    this.#debug = new DebugControl({
      events: this.events,
      workspacePath: this.config.workspacePath,
      logger,
      configuredSink: this.config.logger,
      defaultLevel: this.config.logger ? 'info' : 'silent',
      fileRedactor: createRedactor({ content: false, secrets }),
      setBreakpointOnError: (enabled) => this.setBreakpointOnError(enabled),
    });
    this.onShutdown(() => {
      this.#debug.close();
      this.#telemetry?.stop();
    });
  }

  /** The root actor: the supervisor (its `system` holds every agent by `agent:<id>`). */
  get actor(): Actor<SupervisorMachine> {
    return this.supervisor;
  }

  /**
   * Registers an agent template under `name`; tasks whose agentId names a
   * template get an agent spawned from it.
   * @throws ConfigError naming the bad field.
   */
  registerTemplate(name: string, template: AgentTemplate): this {
    this.#assertOpen();
    if (!name) throw new ConfigError('template', 'a template needs a name');
    const resolved = resolveAgentConfig(template, this.defaults, `templates.${name}`);
    this.tools.definitions(resolved.tools, `templates.${name}.tools`);
    if (!this.providers.has(resolved.provider)) {
      throw new ConfigError(`templates.${name}.provider`, `unknown provider "${resolved.provider}"`);
    }
    this.templates.set(name, template);
    return this;
  }

  /** Registers a tool agents can list in their `tools`. */
  registerTool<TInput>(tool: AgentTool<TInput>): this {
    this.tools.register(tool);
    return this;
  }

  /** Registers a ModelProvider under its name, for templates' `provider`. */
  registerProvider(provider: ModelProvider, name = provider.name): this {
    this.providers.register(provider, name);
    return this;
  }

  /**
   * Registers a custom agent machine: it must speak the agent protocol
   * (docs/custom-agents.md). Spawn it with `spawnAgent({ agentType: name })`.
   */
  registerAgentType(name: string, logic: AnyActorLogic): this {
    if (!name || name === 'thinking') throw new ConfigError('agentType', `"${name}" cannot be registered`);
    this.agentTypes.set(name, logic);
    return this;
  }

  /**
   * Spawns an agent at run time from a template name or a config.
   * @example
   * ```ts
   * orchestrator.registerTemplate('researcher', { model: 'claude-3-5-sonnet', temperature: 0.3 });
   * const agent = orchestrator.spawnAgent('researcher');               // id researcher_1
   * const other = orchestrator.spawnAgent({ agentId: 'generic_ml', config: { systemPrompt: 'You are a specialist in ML' } });
   * ```
   */
  spawnAgent(request: string | SpawnRequest): AgentRef {
    this.#assertOpen();
    const spawnRequest: SpawnRequest = typeof request === 'string' ? { template: request } : request;
    if (spawnRequest.template !== undefined && !this.templates.has(spawnRequest.template)) {
      throw new ConfigError('template', `unknown template "${spawnRequest.template}"`);
    }
    const record = this.pool.spawn(spawnRequest);
    return { id: record.agentId, template: record.template, actor: this.pool.ref(record.agentId) };
  }

  /** Stops an agent: its model calls in flight are aborted; its record stays for inspection. */
  stopAgent(agentId: string): void {
    this.pool.stop(agentId);
  }

  /** Ids of live agents. */
  listAgents(): string[] {
    return this.pool.list().filter((record) => record.live).map((record) => record.agentId);
  }

  /**
   * Runs one task (a SubAgentTask, or just its description) with retries,
   * fallback and alternative paths; never rejects for a task failure (see `status`).
   */
  async executeTask(task: SubAgentTaskSpec | string): Promise<TaskResult> {
    this.#assertOpen();
    const spec: SubAgentTaskSpec =
      typeof task === 'string' ? { agentId: `task_${++this.#taskCounter}`, taskDescription: task } : task;
    if (!spec.agentId || !spec.taskDescription) {
      throw new WorkflowValidationError('A task needs a non-empty agentId and taskDescription');
    }
    const workflowId = `task_${++this.#taskCounter}`;
    const result = await this.#runTask({ workflowId, spec });
    // A workflow reports its tasks through its actor; a lone task reports here.
    this.events.emit('task.finished', { workflowId, agentId: spec.agentId, result });
    return result;
  }

  /**
   * Runs a task DAG: dependencies, priorities, maxParallelAgents, Sequential
   * tasks alone, conditions, fallbacks, retries, alternative paths.
   * @throws WorkflowValidationError before any model call when the tasks are invalid.
   * @example
   * ```ts
   * const run = await orchestrator.executeWorkflow({
   *   tasks: [
   *     { agentId: 'market_researcher', taskDescription: 'Research current market trends', priority: 'high' },
   *     { agentId: 'strategy_synthesizer', taskDescription: 'Synthesize', dependencies: ['market_researcher'] },
   *   ],
   *   continueOnFailure: true,
   *   generateSummary: true,
   * });
   * console.log(run.summary, run.totalCostCents, run.results.strategy_synthesizer?.confidence);
   * ```
   */
  executeWorkflow(options: ExecuteWorkflowOptions): Promise<WorkflowResult> {
    this.#assertOpen();
    return this.workflows.execute(options);
  }

  /**
   * Runs independent tasks in parallel (bounded by maxParallelAgents) and
   * returns each result by agentId. One failure does not stop the others.
   */
  async executeTasks(tasks: readonly SubAgentTaskSpec[]): Promise<Record<string, TaskResult>> {
    const run = await this.executeWorkflow({ tasks, continueOnFailure: true });
    return { ...run.results };
  }

  /**
   * Creates a pipeline: each stage's output is the next stage's input;
   * adjacent stages named in `parallelStages` run concurrently.
   * @example
   * ```ts
   * const pipeline = orchestrator.createPipeline([
   *   ['data_cleaner', 'Clean and validate input data'],
   *   ['reporter', 'Generate final report'],
   * ]);
   * const { output, intermediates } = await pipeline.execute({ inputData: rawData, collectIntermediates: true });
   * ```
   */
  createPipeline(stages: readonly PipelineStage[]): Pipeline {
    return createPipeline(this, stages);
  }

  /**
   * Map-reduce: one agent per document in parallel, then a synthesizer.
   * @example
   * ```ts
   * const { mapResults, result } = await orchestrator.mapReduce(documents);
   * ```
   */
  mapReduce<TDocument>(documents: readonly TDocument[], options?: MapReduceOptions<TDocument>): Promise<MapReduceResult> {
    return mapReduce(this, documents, options);
  }

  /**
   * Continues a workflow whose process died, from its journal, under the same
   * workflowId: finished tasks keep their recorded results, recorded model
   * responses are reused, tasks that were in flight run again. Register the
   * same templates, tools and providers first. Conditions cannot be
   * journaled: pass the same `tasks` to restore them; without them a
   * conditional task not yet decided before the crash runs.
   * A finished run's recorded result is returned as is.
   * @throws WorkflowNotFoundError when no journal holds the id; ConfigError when journaling is off.
   * @example
   * ```ts
   * // a new process, same workspacePath
   * const orchestrator = new Orchestrator({ workspacePath: '/var/app/.troupe' });
   * const interrupted = orchestrator.listWorkflows().filter((run) => run.status === 'interrupted');
   * for (const run of interrupted) await orchestrator.resumeWorkflow({ workflowId: run.workflowId, tasks });
   * ```
   */
  resumeWorkflow(options: ResumeWorkflowOptions): Promise<WorkflowResult> {
    this.#assertOpen();
    return resumeWorkflow(this.#durableRuns(), options);
  }

  /**
   * Replays a finished workflow under a new workflowId. Without
   * modifications every model call is served from the recording (zero model
   * calls; a call it does not hold is a REPLAY_MISMATCH error) and the results
   * equal the original's. With modifications the run is executed again with
   * the new agent parameters (real model calls). Either way the result
   * carries a per-task diff against the original.
   * @throws WorkflowNotFoundError, ReplayMismatchError, ConfigError (bad modifications or journaling off).
   * @example
   * ```ts
   * const same = await orchestrator.replayWorkflow({ workflowId: run.workflowId });
   * const cooler = await orchestrator.replayWorkflow({
   *   workflowId: run.workflowId,
   *   modifications: { agentModel: 'gpt-4o', temperature: 0.3, agents: { reviewer: { maxTokens: 512 } } },
   * });
   * console.log(cooler.diff.changed, cooler.diff.tasks.reviewer?.confidenceAfter);
   * ```
   */
  replayWorkflow(options: ReplayWorkflowOptions): Promise<ReplayResult> {
    this.#assertOpen();
    return replayWorkflow(this.#durableRuns(), options);
  }

  /**
   * Every journaled workflow in the workspace, most recently started first.
   * @example
   * ```ts
   * for (const run of orchestrator.listWorkflows()) console.log(run.workflowId, run.status, run.totalCostCents);
   * ```
   */
  listWorkflows(): WorkflowRecord[] {
    return this.#requireJournals().list();
  }

  /**
   * One journaled workflow: status, start and end, each task's status, cost, and the result once finished.
   * @example
   * ```ts
   * const run = orchestrator.getWorkflow('wf_abc');
   * if (run?.status === 'interrupted') await orchestrator.resumeWorkflow({ workflowId: run.workflowId });
   * ```
   */
  getWorkflow(workflowId: string): WorkflowRecord | undefined {
    return this.#requireJournals().get(workflowId);
  }

  #requireJournals(): WorkflowJournals {
    if (!this.journals) throw new ConfigError('journal', 'journaling is off (journal: false); runs are not recorded');
    return this.journals;
  }

  #durableRuns(): DurableRunsHost {
    const journals = this.#requireJournals();
    const recorder = this.#recorder;
    if (!recorder) throw new ConfigError('journal', 'journaling is off (journal: false); runs are not recorded');
    return { journals, recorder, runner: this.workflows, pool: this.pool, hasTemplate: (name) => this.templates.has(name) };
  }

  /** One task to its result: a consensus among voters, or a task on its agent. */
  #runTask(request: TaskRunRequest): Promise<TaskResult> {
    return request.spec.consensusConfig
      ? runConsensus(request, (voter) => this.runner.run(voter), Date.now, this.config.maxParallelAgents)
      : this.runner.run(request);
  }

  /**
   * Asks `toAgent` a question on behalf of `fromAgent` and resolves with its
   * reply. The question travels through the supervisor to the target's actor,
   * which answers in any state (a model call with the question and the
   * sender's context, or a custom machine's own answer).
   * @throws AgentNotFoundError (no live `toAgent`), ConsultationCycleError (a
   * cycle or a chain past the maximum depth), CrossAgentQueriesDisabledError,
   * ConsultationTimeoutError, CancelledError.
   * @example
   * ```ts
   * const reply = await orchestrator.routeMessage({
   *   fromAgent: 'analyst',
   *   toAgent: 'domain_specialist',
   *   message: { type: 'consultation', question: 'Please review this analysis', context: { draft } },
   * });
   * console.log(reply.answer, reply.costCents);
   * ```
   */
  routeMessage(request: RouteMessageRequest): Promise<ConsultationReply> {
    this.#assertOpen();
    return this.messaging.routeMessage(request);
  }

  /**
   * Broadcasts an event to the subscriptions that match `eventType` (exactly or
   * by prefix, `risk.*`) and pass `subscriberFilter`: their callbacks run, and
   * each subscribed agent gets it as an observation in its memory (kept for
   * stopped agents until they respawn). A throwing callback is reported as a
   * `broadcast.callback.failed` event and does not stop the others.
   * @example
   * ```ts
   * await orchestrator.broadcast({
   *   fromAgent: 'researcher',
   *   eventType: 'discovery',
   *   data: { finding: 'New market opportunity identified', confidence: 0.9, impact: 'high' },
   *   subscriberFilter: (agent) => agent.role.includes('analyst'),
   * });
   * ```
   */
  broadcast(request: BroadcastRequest): Promise<BroadcastReport> {
    this.#assertOpen();
    return this.messaging.broadcast(request);
  }

  /**
   * Subscribes an agent to event types (`discovery`, `risk.*`, `*`); returns
   * the unsubscribe function.
   * @example
   * ```ts
   * const unsubscribe = orchestrator.subscribe({
   *   agentId: 'portfolio_manager',
   *   eventTypes: ['discovery', 'risk_alert'],
   *   callback: (event) => console.log(event.fromAgent, event.eventType, event.data),
   * });
   * ```
   */
  subscribe(request: SubscribeRequest): () => void {
    this.#assertOpen();
    return this.messaging.subscribe(request);
  }

  /**
   * State, current task, memory, thinking trace, cost and last error of an
   * agent (live or stopped). A live agent is read from its actor's snapshot.
   * @example
   * ```ts
   * const state = orchestrator.inspectAgent('researcher');
   * console.log(state?.state, state?.currentTask, state?.memoryTokens, state?.thinkingTrace);
   * ```
   */
  inspectAgent(agentId: string): AgentInspection | undefined {
    const record = this.pool.get(agentId);
    if (!record) return undefined;
    const snapshot: unknown = this.pool.ref(agentId)?.getSnapshot();
    return inspectionOf(record, snapshot);
  }

  /**
   * Starts collecting metrics, watching alert thresholds and, with a
   * `dashboardPort`, serving the live dashboard on 127.0.0.1 (0 picks a free
   * port). Calling it again replaces the previous monitor (its metrics restart).
   * Alerts arrive as `alert` events; thresholds use the seed's units:
   * `error_rate` a share, `cost_per_task` dollars per task, `execution_time`
   * seconds per task. See docs/monitoring.md.
   * @throws ConfigError for an unknown metric, a bad threshold or port.
   * @example
   * ```ts
   * const { dashboardUrl } = await orchestrator.enableMonitoring({
   *   metrics: ['execution_time', 'token_usage', 'cost', 'error_rate', 'confidence_scores'],
   *   dashboardPort: 8080,
   *   alertThresholds: { error_rate: 0.1, cost_per_task: 1.0, execution_time: 300 },
   * });
   * orchestrator.events.on('alert', (alert) => console.warn(alert.message));
   * ```
   */
  async enableMonitoring(options: MonitoringOptions = {}): Promise<Monitoring> {
    this.#assertOpen();
    const previous = this.#monitoring;
    this.#monitoring = undefined;
    await previous?.stop();
    const monitoring = await startMonitoring(
      {
        events: this.events,
        budget: this.budget,
        limits: {
          ...(this.config.maxCostPerAgentCents === undefined ? {} : { maxCostPerAgentCents: this.config.maxCostPerAgentCents }),
          ...(this.config.totalCostLimitCents === undefined ? {} : { totalCostLimitCents: this.config.totalCostLimitCents }),
        },
        agentActor: (agentId) => this.pool.ref(agentId),
      },
      options,
    );
    this.#monitoring = monitoring;
    this.onShutdown(() => monitoring.stop());
    return monitoring;
  }

  /**
   * The metrics collected since `enableMonitoring`: avgDuration (s),
   * successRate, errorRate, totalCost ($) and totalCostCents, tokenUsage,
   * confidence (mean, min, distribution), overall, perAgent and perWorkflow.
   * @throws ConfigError when monitoring was not enabled.
   * @example
   * ```ts
   * const metrics = orchestrator.getMetrics();
   * console.log(`Average task duration: ${metrics.avgDuration}s`);
   * console.log(`Success rate: ${((metrics.successRate ?? 0) * 100).toFixed(2)}%`);
   * console.log(`Total cost: $${metrics.totalCost?.toFixed(2)}`);
   * ```
   */
  getMetrics(): MonitoringMetrics {
    if (!this.#monitoring) throw new ConfigError('monitoring', 'call enableMonitoring() before getMetrics()');
    return this.#monitoring.metrics();
  }

  /** Registers cleanup that `shutdown()` runs (after the actors stopped, before listeners are cleared). */
  onShutdown(dispose: () => void | Promise<void>): void {
    this.#disposers.push(dispose);
  }

  /** Debug: agents spawned from now on, and live ones, wait in `paused` on a failing step. */
  protected setBreakpointOnError(enabled: boolean): void {
    this.#breakpointOnError = enabled;
    if (this.#shutDown) return;
    for (const agentId of this.listAgents()) this.pool.deliver(agentId, { type: 'agent.debug', breakpointOnError: enabled });
  }

  /**
   * The seed's set_debug_mode: log level, thinking traces and agent
   * conversations as JSONL under `<workspacePath>/debug/` (prompts included,
   * keys never), and breakpoints on error (live agents too). `enabled: false`
   * turns it all off. See docs/observability.md.
   * @example
   * ```ts
   * orchestrator.setDebugMode({
   *   enabled: true,
   *   logLevel: 'DEBUG',
   *   saveThinkingTraces: true,
   *   saveAgentConversations: true,
   *   breakpointOnError: true,
   * });
   * ```
   */
  setDebugMode(options: DebugModeOptions): DebugModeState {
    this.#assertOpen();
    return this.#debug.set(options);
  }

  /** Debug mode as it is now (files it writes to, level, breakpoints). */
  get debugMode(): DebugModeState {
    return this.#debug.state;
  }

  /**
   * Resumes an agent waiting in `paused` (breakpointOnError): it retries the
   * step that failed. Returns false when the agent was not paused.
   * @throws AgentNotFoundError when no live agent has that id.
   * @example
   * ```ts
   * if (orchestrator.inspectAgent('researcher')?.state === 'paused') orchestrator.resumeAgent('researcher');
   * ```
   */
  resumeAgent(agentId: string): boolean {
    if (!this.#isPaused(agentId)) return false;
    this.pool.deliver(agentId, { type: 'agent.resume' });
    return true;
  }

  /**
   * Aborts an agent's task: one waiting in `paused` gives up its failed
   * step, one working stops (its model calls are aborted). The task ends
   * `cancelled`, its error naming the failure it stopped at. Returns false
   * when the agent had no task in progress.
   * @throws AgentNotFoundError when no live agent has that id.
   * @example
   * ```ts
   * orchestrator.abortAgent('researcher');
   * ```
   */
  abortAgent(agentId: string): boolean {
    const inspection = this.#liveInspection(agentId);
    if (inspection.state !== 'paused' && !inspection.state.startsWith('working')) return false;
    const reason = inspection.lastError
      ? `aborted at a breakpoint after ${inspection.lastError.code}: ${inspection.lastError.message}`
      : 'aborted by abortAgent';
    this.pool.deliver(agentId, { type: 'agent.abort', reason });
    return true;
  }

  /**
   * Traces workflows, tasks, agent attempts and model calls with
   * OpenTelemetry (GenAI semantic conventions; ids and numbers only, never
   * prompts or keys). Uses `tracer`, else the global tracer provider's
   * `troupe` tracer. `@opentelemetry/api` is an optional peer dependency:
   * without it this resolves `{ enabled: false }` and traces nothing.
   * Await it before running the work to trace. Calling it again replaces the
   * previous tracing.
   * @example
   * ```ts
   * const telemetry = await orchestrator.enableTelemetry({ tracer: trace.getTracer('my-app') });
   * ```
   */
  async enableTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
    this.#assertOpen();
    this.#telemetry?.stop();
    this.#telemetry = undefined;
    const telemetry = await enableTelemetry(this.events, options);
    this.#telemetry = telemetry;
    return telemetry;
  }

  #liveInspection(agentId: string): AgentInspection {
    const inspection = this.inspectAgent(agentId);
    if (!inspection?.live) throw new AgentNotFoundError(agentId);
    return inspection;
  }

  #isPaused(agentId: string): boolean {
    return this.#liveInspection(agentId).state === 'paused';
  }

  /** Stops every actor and timer; pending work ends `cancelled`. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.messaging.clear();
    // Runs in progress end cancelled (tasks aborted) before their agents go.
    this.workflows.cancelAll('the orchestrator shut down');
    this.pool.close();
    await this.context?.close();
    this.supervisor.stop();
    // Every disposer runs even if one fails; failures are reported together.
    const disposed = await Promise.allSettled(this.#disposers.splice(0).map(async (dispose) => dispose()));
    this.events.clear();
    this.journals?.closeAll();
    const failures = disposed.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (failures.length > 0) throw new AggregateError(failures, 'shutdown: some onShutdown cleanups failed');
  }

  get isShutDown(): boolean {
    return this.#shutDown;
  }

  #assertOpen(): void {
    if (this.#shutDown) throw new ShutDownError();
  }
}

/** The seed's name. */
export { Orchestrator as EnhancedAgentOrchestrator };
export type { AgentInspection } from './agent-inspection.js';
