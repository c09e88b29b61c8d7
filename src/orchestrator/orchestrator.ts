/**
 * `Orchestrator` (alias `EnhancedAgentOrchestrator`): the seed's facade over
 * one XState actor system whose root is the supervisor. The services it
 * delegates to are wired in runtime.ts; this file holds the public API and
 * its documentation.
 */
import type { Actor, AnyActorLogic, AnyActorRef } from 'xstate';
import type { AgentTemplate } from '../protocols/agent.js';
import { AgentNotFoundError, ConfigError, ShutDownError } from '../protocols/errors.js';
import type { ModelProvider } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from '../protocols/task.js';
import type { SupervisorMachine } from '../actors/supervisor.js';
import type { AgentDefaults } from '../agents/agent-config.js';
import { resolveAgentConfig } from '../agents/agent-config.js';
import { abortReason, inspectPooledAgent } from '../agents/agent-inspection.js';
import type { AgentInspection } from '../agents/agent-inspection.js';
import type { AgentPool, SpawnRequest } from '../agents/pool.js';
import type { BudgetLedger } from '../model/budget.js';
import type { OrchestratorConfig, ResolvedConfig } from './config.js';
import type { SharedContextStore } from '../context/store.js';
import type { DebugModeOptions, DebugModeState } from '../observability/debug.js';
import {
  deleteJournaledWorkflow,
  getJournaledWorkflow,
  listJournaledWorkflows,
  replayJournaledWorkflow,
  resumeJournaledWorkflow,
} from '../runs/resume.js';
import type { EventHub } from '../protocols/events.js';
import type { WorkflowJournals, WorkflowRecord } from '../journal/journal.js';
import type { Logger } from '../observability/logger.js';
import type { Messaging, BroadcastReport, BroadcastRequest, ConsultationReply, RouteMessageRequest, SubscribeRequest } from '../agents/messaging.js';
import type { MonitoringMetrics } from '../observability/monitoring/metrics.js';
import type { Monitoring, MonitoringOptions } from '../observability/monitoring/monitoring.js';
import { createPipeline, mapReduce } from './patterns.js';
import type { MapReduceOptions, MapReduceResult, Pipeline, PipelineStage, RunOptions } from './patterns.js';
import {
  checkAgentId,
  checkBroadcast,
  checkDurableRunOptions,
  checkFunction,
  checkOptionalOptions,
  checkRouteMessage,
  checkRunOptions,
  checkSpawnRequest,
  checkSubscribe,
  checkTaskArgument,
  checkTool,
  checkWorkflowOptions,
} from './api-arguments.js';
import { requireId, requireRecord } from '../util/arguments.js';
import type { ProviderRegistry } from '../model/provider-registry.js';
import type { ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions } from '../runs/replay.js';
import { createRuntime, liveAgentIds, shutdownRuntime } from './runtime.js';
import type { Runtime } from './runtime.js';
import type { TaskRunner } from '../runs/task-runner.js';
import type { Telemetry, TelemetryOptions } from '../observability/telemetry.js';
import type { AgentTool, JsonSchemaTool, ToolRegistry, ZodTool } from '../agents/tools.js';
import { McpServers } from '../mcp/servers.js';
import type { McpServerHandle } from '../mcp/servers.js';
import type { McpServerConfig } from '../mcp/server-config.js';
import type { ExecuteWorkflowOptions, WorkflowRunner } from '../runs/workflow-runner.js';
import type { TaskRunRequest } from '../runs/task-runner.js';
import type { TaskResult as RunTaskResult } from '../protocols/task.js';
import { Coordinator, distributedJournal } from './coordinator.js';
import type { ModelCallInterceptor } from '../protocols/gateway.js';
import type { BudgetStore } from '../model/budget-store.js';

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
  readonly events: EventHub;
  readonly providers: ProviderRegistry;
  readonly budget: BudgetLedger;
  /** The artifact store agents share, when `enableSharedContext` is on. */
  readonly context: SharedContextStore | undefined;
  /** The library's logger: silent unless `logger` is configured or debug mode sets a level. */
  readonly logger: Logger;
  protected readonly templates: Map<string, AgentTemplate>;
  protected readonly tools: ToolRegistry;
  protected readonly agentTypes: Map<string, AnyActorLogic>;
  protected readonly supervisor: Actor<SupervisorMachine>;
  protected readonly pool: AgentPool;
  /** Consultations, broadcasts and subscriptions. */
  protected readonly messaging: Messaging;
  protected readonly runner: TaskRunner;
  protected readonly workflows: WorkflowRunner;
  protected readonly defaults: AgentDefaults;
  /** Workflow journals (config `journal`), undefined when journaling is off. */
  protected readonly journals: WorkflowJournals | undefined;
  /** Every service this facade delegates to (runtime.ts). */
  readonly #runtime: Runtime;
  #breakpointOnError = false;
  #shutDown = false;
  /** MCP servers registered with registerMcpServer; created with the first. */
  #mcpServers: McpServers | undefined;

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
   * `internal` is for troupe's own distributed workers (the call memo link); leave it out.
   * @throws ConfigError naming the first bad field.
   */
  constructor(
    config: OrchestratorConfig = {},
    internal: { readonly interceptors?: readonly ModelCallInterceptor[]; readonly budgetStore?: BudgetStore } = {},
  ) {
    let coordinator: Coordinator | undefined;
    // Distributed: the journal lives in Redis unless the config names another storage (or turns it off).
    // (A config that is not an object is refused by createRuntime with a ConfigError.)
    const distributed = typeof config === 'object' && config !== null ? config.distributed : undefined;
    const journal =
      distributed && typeof distributed === 'object' && typeof distributed.redis === 'string' && (config.journal === undefined || config.journal === true)
        ? distributedJournal(distributed.redis, distributed.queue ?? 'troupe', distributed.leaseTtlMs ?? 10_000)
        : undefined;
    const extra = typeof internal === 'object' && internal !== null ? internal : {};
    const runtime = createRuntime(journal ? { ...config, journal: { storage: journal.storage } } : config, {
      ...(extra.interceptors ? { interceptors: extra.interceptors } : {}),
      ...(extra.budgetStore ? { budgetStore: extra.budgetStore } : {}),
      breakpointOnError: () => this.#breakpointOnError,
      setBreakpointOnError: (enabled) => this.setBreakpointOnError(enabled),
      ...(distributed ? { dispatchTask: (request) => this.#dispatch(coordinator, request) } : {}),
    });
    if (runtime.config.distributed) {
      const started = new Coordinator(runtime.config.distributed, runtime.templates, runtime.events);
      coordinator = started;
      runtime.disposers.push(() => started.close());
    }
    if (journal) runtime.disposers.push(() => journal.close());
    this.#runtime = runtime;
    this.config = runtime.config;
    this.events = runtime.events;
    this.providers = runtime.providers;
    this.budget = runtime.budget;
    this.context = runtime.context;
    this.logger = runtime.logger;
    this.templates = runtime.templates;
    this.tools = runtime.tools;
    this.agentTypes = runtime.agentTypes;
    this.supervisor = runtime.supervisor;
    this.pool = runtime.pool;
    this.messaging = runtime.messaging;
    this.runner = runtime.runner;
    this.workflows = runtime.workflows;
    this.defaults = runtime.defaults;
    this.journals = runtime.journals;
  }

  /** The root actor: the supervisor (its `system` holds every agent by `agent:<id>`). */
  get actor(): Actor<SupervisorMachine> {
    return this.supervisor;
  }

  /**
   * Registers an agent template under `name`; tasks whose agentId names a
   * template get an agent spawned from it.
   * @throws ConfigError naming the bad field.
   * @example
   * ```ts
   * orchestrator.registerTemplate('reviewer', { role: 'code reviewer', temperature: 0.2, tools: ['web_search'] });
   * ```
   */
  registerTemplate(name: string, template: AgentTemplate): this {
    this.#assertOpen();
    requireId(name, 'template', 'config');
    requireRecord(template, `templates.${name}`, 'config');
    const resolved = resolveAgentConfig(template, this.defaults, `templates.${name}`);
    this.tools.definitions(resolved.tools, `templates.${name}.tools`);
    this.providers.assertKnown(resolved.provider, `templates.${name}.provider`);
    this.#runtime.assertPriced(resolved.model, resolved.provider, `templates.${name}.model`);
    this.templates.set(name, template);
    return this;
  }

  /**
   * Registers a tool agents can list in their `tools`.
   * @example
   * ```ts
   * orchestrator.registerTool({ name: 'web_search', description: 'Search the web', inputSchema: z.object({ query: z.string() }), execute: search });
   * ```
   */
  registerTool<TInput>(tool: ZodTool<TInput>): this;
  registerTool(tool: JsonSchemaTool): this;
  registerTool<TInput>(tool: AgentTool<TInput>): this {
    checkTool(tool);
    this.tools.register(tool);
    return this;
  }

  /**
   * Connects an MCP server (spawned over stdio, or reached over streamable
   * HTTP) and registers its tools as `<name>.<tool>`, for templates' `tools`
   * (`['files.*']`). See docs/mcp.md. `shutdown()` closes it.
   * @example
   * ```ts
   * await orchestrator.registerMcpServer({ name: 'files', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'] });
   * await orchestrator.registerMcpServer({ name: 'search', url: 'http://127.0.0.1:8931/mcp', headers: { Authorization: `Bearer ${token}` } });
   * orchestrator.registerTemplate('librarian', { role: 'librarian', tools: ['files.*'] });
   * ```
   * @throws ConfigError for a malformed config or a name in use; McpServerUnavailableError when it cannot connect.
   */
  registerMcpServer(config: McpServerConfig): Promise<McpServerHandle> {
    this.#assertOpen();
    if (!this.#mcpServers) {
      const servers = new McpServers(this.tools);
      this.#mcpServers = servers;
      this.onShutdown(() => servers.closeAll());
    }
    return this.#mcpServers.register(config);
  }

  /**
   * Registers a ModelProvider under its name, for templates' `provider`.
   * @example
   * ```ts
   * orchestrator.registerProvider(createOpenAIProvider({ baseURL: 'http://127.0.0.1:11434/v1', name: 'ollama' }));
   * orchestrator.registerTemplate('local', { provider: 'ollama', model: 'llama3.1' });
   * ```
   */
  registerProvider(provider: ModelProvider, name?: string): this {
    const given = requireRecord(provider, 'provider', 'config');
    if (typeof given['complete'] !== 'function') throw new ConfigError('provider', 'must be a ModelProvider (with a complete method)');
    const providerName = requireId(name ?? given['name'], 'provider.name', 'config');
    this.providers.register(provider, providerName);
    return this;
  }

  /**
   * Registers a custom agent machine: it must speak the agent protocol
   * (docs/custom-agents.md). Spawn it with `spawnAgent({ agentType: name })`.
   * @example
   * ```ts
   * orchestrator.registerAgentType('glossary', createGlossaryAgent(GLOSSARY));
   * orchestrator.spawnAgent({ agentId: 'glossary', agentType: 'glossary' });
   * ```
   */
  registerAgentType(name: string, logic: AnyActorLogic): this {
    requireId(name, 'agentType', 'config');
    if (name === 'thinking') throw new ConfigError('agentType', `"${name}" cannot be registered`);
    if (typeof logic !== 'object' || logic === null || typeof logic.transition !== 'function') {
      throw new ConfigError('agentType', `"${name}" needs actor logic (a machine from createMachine or setup)`);
    }
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
    checkSpawnRequest(request);
    // The pool rejects an unknown template with a ConfigError naming it.
    const record = this.pool.spawn(typeof request === 'string' ? { template: request } : request);
    return { id: record.agentId, template: record.template, actor: this.pool.ref(record.agentId) };
  }

  /**
   * Stops an agent: its model calls in flight are aborted; its record stays for inspection.
   * @example
   * ```ts
   * for (const agentId of orchestrator.listAgents()) orchestrator.stopAgent(agentId);
   * ```
   */
  stopAgent(agentId: string): void {
    checkAgentId(agentId);
    this.pool.stop(agentId);
  }

  /** Ids of live agents. */
  listAgents(): string[] {
    return liveAgentIds(this.pool);
  }

  /**
   * Runs one task (a SubAgentTask, or just its description) with retries,
   * fallback and alternative paths; never rejects for a task failure (see `status`).
   * `signal` cancels it: its model calls in flight are aborted and the result
   * is `cancelled` (error code CANCELLED).
   * @throws WorkflowValidationError for a bad task (empty or reserved agentId, no
   * taskDescription, a field of the wrong type, inputData that is not JSON-like
   * data), InputDataTooLargeError over `maxInputDataBytes`.
   * @example
   * ```ts
   * const result = await orchestrator.executeTask({ agentId: 'analyst', taskDescription: 'Assess Q3 risk' });
   * if (result.status === 'succeeded') console.log(result.output, result.confidence, result.costCents);
   * const controller = new AbortController();
   * const slow = orchestrator.executeTask('Survey the literature', { signal: controller.signal });
   * controller.abort(); // (await slow).status === 'cancelled'
   * ```
   */
  async executeTask(task: SubAgentTaskSpec | string, options?: RunOptions): Promise<TaskResult> {
    this.#assertOpen();
    checkTaskArgument(task);
    const signal = checkRunOptions(options, 'executeTask options');
    return this.#runtime.executeTask(task, signal);
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
  async executeWorkflow(options: ExecuteWorkflowOptions): Promise<WorkflowResult> {
    this.#assertOpen();
    checkWorkflowOptions(options);
    return this.workflows.execute(options);
  }

  /**
   * Runs independent tasks in parallel (bounded by maxParallelAgents) and
   * returns each result by agentId. One failure does not stop the others.
   * @example
   * ```ts
   * const results = await orchestrator.executeTasks([
   *   { agentId: 'bull', taskDescription: 'Argue for the deal' },
   *   { agentId: 'bear', taskDescription: 'Argue against the deal' },
   * ]);
   * ```
   */
  async executeTasks(tasks: readonly SubAgentTaskSpec[], options?: RunOptions): Promise<Record<string, TaskResult>> {
    const signal = checkRunOptions(options, 'executeTasks options');
    const run = await this.executeWorkflow({ tasks, continueOnFailure: true, ...(signal ? { signal } : {}) });
    // No prototype: an agentId can never reach Object.prototype through this record.
    return Object.assign(Object.create(null) as Record<string, TaskResult>, run.results);
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
   * const interrupted = (await orchestrator.listWorkflows()).filter((run) => run.status === 'interrupted');
   * for (const run of interrupted) await orchestrator.resumeWorkflow({ workflowId: run.workflowId, tasks });
   * ```
   */
  async resumeWorkflow(options: ResumeWorkflowOptions): Promise<WorkflowResult> {
    this.#assertOpen();
    checkDurableRunOptions(options, 'resumeWorkflow');
    return resumeJournaledWorkflow(this.#runtime, options);
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
  async replayWorkflow(options: ReplayWorkflowOptions): Promise<ReplayResult> {
    this.#assertOpen();
    checkDurableRunOptions(options, 'replayWorkflow');
    return replayJournaledWorkflow(this.#runtime, options);
  }

  /**
   * Every journaled workflow in the workspace, most recently started first.
   * @example
   * ```ts
   * for (const run of await orchestrator.listWorkflows()) console.log(run.workflowId, run.status, run.totalCostCents);
   * ```
   */
  async listWorkflows(): Promise<WorkflowRecord[]> {
    return listJournaledWorkflows(this.#runtime);
  }

  /**
   * One journaled workflow: status, start and end, each task's status, cost, and the result once finished.
   * @example
   * ```ts
   * const run = await orchestrator.getWorkflow('wf_abc');
   * if (run?.status === 'interrupted') await orchestrator.resumeWorkflow({ workflowId: run.workflowId });
   * ```
   */
  async getWorkflow(workflowId: string): Promise<WorkflowRecord | undefined> {
    requireId(workflowId, 'workflowId', 'config');
    return getJournaledWorkflow(this.#runtime, workflowId);
  }

  /**
   * Deletes a run's journal (and its stored summary): it no longer appears in
   * `listWorkflows` and can no longer be resumed or replayed. An interrupted
   * run is deleted too (it may still be running in another process).
   * @throws WorkflowRunningError (`WORKFLOW_RUNNING`) when it runs in this process;
   *   WorkflowNotFoundError when no journal holds it; ConfigError when journaling is off.
   *
   * @example
   * ```ts
   * for (const run of await orchestrator.listWorkflows()) if (run.status === 'succeeded') await orchestrator.deleteWorkflow(run.workflowId);
   * ```
   */
  async deleteWorkflow(workflowId: string): Promise<void> {
    await deleteJournaledWorkflow(this.#runtime, workflowId);
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
  async routeMessage(request: RouteMessageRequest): Promise<ConsultationReply> {
    this.#assertOpen();
    checkRouteMessage(request);
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
  async broadcast(request: BroadcastRequest): Promise<BroadcastReport> {
    this.#assertOpen();
    checkBroadcast(request);
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
    checkSubscribe(request);
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
    checkAgentId(agentId);
    return inspectPooledAgent(this.pool, agentId);
  }

  /**
   * Starts collecting metrics, watching alert thresholds and, with a
   * `dashboardPort`, serving the live dashboard on 127.0.0.1 (0 picks a free
   * port). Calling it again replaces the previous monitor (its metrics restart).
   * Alerts arrive as `alert` events; thresholds use the seed's units:
   * `error_rate` a share, `cost_per_task` dollars per task, `execution_time`
   * seconds per task. See docs/monitoring.md.
   * @throws ConfigError for an unknown metric, a bad threshold or port; PortInUseError (code `PORT_IN_USE`) when `dashboardPort` is taken.
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
    checkOptionalOptions(options, 'enableMonitoring options');
    return this.#runtime.instrumentation.enableMonitoring(options);
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
    return this.#runtime.instrumentation.metrics();
  }

  /**
   * Registers cleanup that `shutdown()` runs (after the actors stopped, before listeners are cleared).
   * @example
   * ```ts
   * orchestrator.onShutdown(() => relay.stop());
   * ```
   */
  onShutdown(dispose: () => void | Promise<void>): void {
    checkFunction(dispose, 'onShutdown');
    this.#runtime.disposers.push(dispose);
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
    requireRecord(options, 'setDebugMode options', 'config');
    return this.#runtime.debug.set(options);
  }

  /** Debug mode as it is now (files it writes to, level, breakpoints). */
  get debugMode(): DebugModeState {
    return this.#runtime.debug.state;
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
    if (this.#liveInspection(agentId).state !== 'paused') return false;
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
    const reason = abortReason(this.#liveInspection(agentId));
    if (reason === undefined) return false;
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
    checkOptionalOptions(options, 'enableTelemetry options');
    return this.#runtime.instrumentation.enableTelemetry(options);
  }

  #liveInspection(agentId: string): AgentInspection {
    checkAgentId(agentId);
    const inspection = this.inspectAgent(agentId);
    if (!inspection?.live) throw new AgentNotFoundError(agentId);
    return inspection;
  }

  /**
   * Stops every actor and timer; pending work ends `cancelled`. Idempotent.
   * @throws AggregateError when some `onShutdown` cleanups failed (all of them ran).
   * @example
   * ```ts
   * process.once('SIGTERM', () => void orchestrator.shutdown());
   * ```
   */
  async shutdown(): Promise<void> {
    if (this.#shutDown) return;
    this.#shutDown = true;
    await shutdownRuntime(this.#runtime);
  }

  get isShutDown(): boolean {
    return this.#shutDown;
  }

  #assertOpen(): void {
    if (this.#shutDown) throw new ShutDownError();
  }

  /** Distributed mode: a workflow task goes to a worker through the coordinator's queue. */
  #dispatch(coordinator: Coordinator | undefined, request: TaskRunRequest): Promise<RunTaskResult> {
    if (!coordinator) return Promise.reject(new ShutDownError());
    return coordinator.dispatch(request);
  }

  /** Runs one task of a workflow run in this process (a distributed worker's job). */
  protected runTaskHere(request: TaskRunRequest): Promise<RunTaskResult> {
    this.#assertOpen();
    return this.#runtime.runTask(request);
  }
}

/** The seed's name. */
export { Orchestrator as EnhancedAgentOrchestrator };
export type { AgentInspection } from '../agents/agent-inspection.js';
