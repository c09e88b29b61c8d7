/**
 * `Orchestrator` (alias `EnhancedAgentOrchestrator`): the facade over one
 * XState actor system whose root is the supervisor. It is composed of
 * capabilities, each a small client over the runtime (runtime.ts wires the
 * services): `agents`, `journal`, `messaging` and `monitoring`. Running work
 * (`executeTask`, `executeWorkflow`, patterns) lives here; the flat names a
 * user expects (`spawnAgent`, `resumeWorkflow`,
 * `routeMessage`, `enableMonitoring`, ...) call the clients.
 */
import type { Actor, AnyActorLogic } from 'xstate';
import type { Approvals } from '../runs/approvals.js';
import type { AgentTemplate } from '../protocols/agent.js';
import { ShutDownError } from '../protocols/errors/errors.js';
import type { EventHub } from '../protocols/events.js';
import type { ModelProvider } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from '../protocols/task.js';
import type { SupervisorMachine } from '../actors/supervisor.js';
import type { AgentInspection } from '../agents/agent-inspection.js';
import type { BroadcastReport, BroadcastRequest, ConsultationReply, RouteMessageRequest, SubscribeRequest } from '../agents/messaging.js';
import type { SpawnRequest } from '../agents/agent-record.js';
import type { AgentTool, JsonSchemaTool, ZodTool } from '../agents/tools.js';
import type { SharedContextStore } from '../context/store.js';
import type { WorkflowRecord } from '../journal/journal.js';
import type { McpServerConfig } from '../mcp/server-config.js';
import type { McpServerHandle } from '../mcp/servers.js';
import type { BudgetLedger } from '../model/budget.js';
import type { ProviderRegistry } from '../model/provider-registry.js';
import type { DebugModeOptions, DebugModeState } from '../observability/debug.js';
import type { Logger } from '../observability/logger.js';
import type { MonitoringMetrics } from '../observability/monitoring/metrics.js';
import type { Monitoring, MonitoringOptions } from '../observability/monitoring/monitoring.js';
import type { Telemetry, TelemetryOptions } from '../observability/telemetry.js';
import type { ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions } from '../runs/replay.js';
import type { ExecuteWorkflowOptions } from '../runs/workflow-runner.js';
import { AgentsClient } from './agents-client.js';
import type { AgentRef } from './agents-client.js';
import { checkFunction, checkRunOptions, checkTaskArgument, checkWorkflowOptions } from './api-arguments.js';
import type { OrchestratorConfig, ResolvedConfig } from './config.js';
import { JournalClient } from './journal-client.js';
import { MessagingClient } from './messaging-client.js';
import { MonitoringClient } from './monitoring-client.js';
import { createPipeline, mapReduce } from './patterns.js';
import type { MapReduceOptions, MapReduceResult, Pipeline, PipelineStage, RunOptions } from './patterns.js';
import { createRuntime, shutdownRuntime } from './runtime.js';
import type { Runtime } from './runtime.js';
import { streamWorkflowEvents } from './streaming/workflow-stream.js';
import type { TaskRunRequest } from '../runs/task-runner.js';
import { DistributedWiring } from './distributed-wiring.js';
import type { ModelCallInterceptor } from '../protocols/gateway.js';
import type { BudgetStore } from '../model/budget-store.js';
import type { ArtifactStorage } from '../storage/artifact-storage.js';
import type { StreamWorkflowOptions, WorkflowEventStream } from './streaming/workflow-stream.js';

export type { AgentRef } from './agents-client.js';

export class Orchestrator {
  /** Templates, tools, MCP servers, providers, agent types; spawning, inspecting and stopping agents. */
  readonly agents: AgentsClient;
  /** Journaled runs: list, get, delete, resume, replay. */
  readonly journal: JournalClient;
  /** Consultations, broadcasts and subscriptions. */
  readonly messaging: MessagingClient;
  /** Metrics, alerts, the dashboard, tracing and debug mode. */
  readonly monitoring: MonitoringClient;
  /** Every service the capabilities delegate to (runtime.ts); for subclasses that reach past the public API. */
  protected readonly runtime: Runtime;
  #breakpointOnError = false;
  #shutDown = false;

  /**
   * `internal` is for troupe's own distributed workers (the call memo link); leave it out.
   * @example `const orchestrator = new Orchestrator({ maxParallelAgents: 5, totalCostLimitCents: 1000 })`
   * @throws ConfigError naming the first bad field.
   */
  constructor(
    config: OrchestratorConfig = {},
    internal: { readonly interceptors?: readonly ModelCallInterceptor[]; readonly budgetStore?: BudgetStore; readonly artifactStorage?: ArtifactStorage } = {},
  ) {
    const distributed = new DistributedWiring(config);
    const extra = typeof internal === 'object' && internal !== null ? internal : {};
    try {
      this.runtime = createRuntime(distributed.config, {
        ...(extra.interceptors ? { interceptors: extra.interceptors } : {}),
        ...(extra.budgetStore ? { budgetStore: extra.budgetStore } : {}),
        ...(extra.artifactStorage ? { artifactStorage: extra.artifactStorage } : {}),
        breakpointOnError: () => this.#breakpointOnError,
        setBreakpointOnError: (enabled) => this.setBreakpointOnError(enabled),
        ...distributed.hooks,
      });
    } catch (error) {
      distributed.abandon();
      throw error;
    }
    distributed.attach(this.runtime);
    const assertOpen = (): void => this.#assertOpen();
    this.agents = new AgentsClient(this.runtime, assertOpen);
    this.journal = new JournalClient(this.runtime, assertOpen);
    this.messaging = new MessagingClient(this.runtime, assertOpen);
    this.monitoring = new MonitoringClient(this.runtime, assertOpen);
  }

  /** The resolved config (defaults applied). */
  get config(): ResolvedConfig {
    return this.runtime.config;
  }

  /** Typed progress events: `task.started`, `task.finished`, `workflow.finished`, ... */
  get events(): EventHub {
    return this.runtime.events;
  }

  get providers(): ProviderRegistry {
    return this.runtime.providers;
  }

  get budget(): BudgetLedger {
    return this.runtime.budget;
  }

  /** The artifact store agents share, when `enableSharedContext` is on. */
  get context(): SharedContextStore | undefined {
    return this.runtime.context;
  }

  /** The library's logger: silent unless `logger` is configured or debug mode sets a level. */
  get logger(): Logger {
    return this.runtime.logger;
  }

  /**
   * Runs waiting for a person: gated tool calls (`needsApproval`), `ask_human`
   * questions and tasks with `requiresApproval`. Pending requests are
   * journaled, so a resumed run lists them again (docs/human-in-the-loop.md).
   *
   * @example
   * ```ts
   * orchestrator.events.on('approval.requested', ({ request }) => {
   *   if (request.kind === 'question') orchestrator.approvals.answer(request.id, 'EU');
   *   else orchestrator.approvals.approve(request.id, { note: 'looks right' });
   * });
   * ```
   */
  get approvals(): Approvals {
    return this.runtime.approvals;
  }

  /** The root actor: the supervisor (find an agent's actor in its `system` with `locateAgent(system, id)`). */
  get actor(): Actor<SupervisorMachine> {
    return this.runtime.supervisor;
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
    return this.runtime.executeTask(task, signal);
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
    return this.runtime.workflows.execute(options);
  }

  /**
   * Runs a workflow like {@link executeWorkflow} and streams its events
   * (workflow.started, task.started, model.delta, task.finished,
   * workflow.finished, ...) as an async iterable; `result` resolves to the
   * WorkflowResult. See docs/streaming.md.
   * @example
   * ```ts
   * const run = orchestrator.streamWorkflow({ tasks: [{ agentId: 'writer', taskDescription: 'Draft the memo' }] });
   * for await (const event of run) {
   *   if (event.type === 'model.delta' && event.kind === 'text') process.stdout.write(event.text);
   * }
   * const result = await run.result;
   * ```
   */
  streamWorkflow(options: StreamWorkflowOptions): WorkflowEventStream {
    this.#assertOpen();
    return streamWorkflowEvents(options, (run) => this.runtime.workflows.execute(run));
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
   * Registers cleanup that `shutdown()` runs (after the actors stopped, before listeners are cleared).
   * @example
   * ```ts
   * orchestrator.onShutdown(() => relay.stop());
   * ```
   */
  onShutdown(dispose: () => void | Promise<void>): void {
    checkFunction(dispose, 'onShutdown');
    this.runtime.disposers.push(dispose);
  }

  /** Debug: agents spawned from now on, and live ones, wait in `paused` on a failing step. */
  protected setBreakpointOnError(enabled: boolean): void {
    this.#breakpointOnError = enabled;
    if (this.#shutDown) return;
    for (const agentId of this.agents.list()) this.runtime.pool.deliver(agentId, { type: 'agent.debug', breakpointOnError: enabled });
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
    await shutdownRuntime(this.runtime);
  }


  /** {@link AgentsClient.registerTemplate}. @example `orchestrator.registerTemplate('reviewer', { role: 'code reviewer' })` */
  registerTemplate(name: string, template: AgentTemplate): this {
    this.agents.registerTemplate(name, template);
    return this;
  }

  /** {@link AgentsClient.registerTool}. @example `orchestrator.registerTool({ name: 'search', description, inputSchema, execute })` */
  registerTool<TInput>(tool: ZodTool<TInput>): this;
  registerTool(tool: JsonSchemaTool): this;
  registerTool<TInput>(tool: AgentTool<TInput>): this {
    this.agents.registerTool(tool);
    return this;
  }

  /** {@link AgentsClient.registerMcpServer}. @example `await orchestrator.registerMcpServer({ name: 'files', command: 'npx', args })` */
  registerMcpServer(config: McpServerConfig): Promise<McpServerHandle> {
    return this.agents.registerMcpServer(config);
  }

  /** {@link AgentsClient.registerProvider}. @example `orchestrator.registerProvider(createOpenAIProvider({ name: 'ollama', baseURL }))` */
  registerProvider(provider: ModelProvider, name?: string): this {
    this.agents.registerProvider(provider, name);
    return this;
  }

  /** {@link AgentsClient.registerAgentType}. @example `orchestrator.registerAgentType('glossary', glossaryMachine)` */
  registerAgentType(name: string, logic: AnyActorLogic): this {
    this.agents.registerAgentType(name, logic);
    return this;
  }

  /** {@link AgentsClient.spawn}. @example `const agent = orchestrator.spawnAgent('researcher')` */
  spawnAgent(request: string | SpawnRequest): AgentRef {
    return this.agents.spawn(request);
  }

  /** {@link AgentsClient.stop}. @example `orchestrator.stopAgent('researcher_1')` */
  stopAgent(agentId: string): void {
    this.agents.stop(agentId);
  }

  /** {@link AgentsClient.list}: ids of live agents. @example `orchestrator.listAgents()` */
  listAgents(): string[] {
    return this.agents.list();
  }

  /** {@link AgentsClient.inspect}. @example `orchestrator.inspectAgent('researcher')?.state` */
  inspectAgent(agentId: string): AgentInspection | undefined {
    return this.agents.inspect(agentId);
  }

  /** {@link AgentsClient.resume}. @example `orchestrator.resumeAgent('researcher')` */
  resumeAgent(agentId: string): boolean {
    return this.agents.resume(agentId);
  }

  /** {@link AgentsClient.abort}. @example `orchestrator.abortAgent('researcher')` */
  abortAgent(agentId: string): boolean {
    return this.agents.abort(agentId);
  }


  /** {@link JournalClient.resume}. @example `await orchestrator.resumeWorkflow({ workflowId, tasks })` */
  resumeWorkflow(options: ResumeWorkflowOptions): Promise<WorkflowResult> {
    return this.journal.resume(options);
  }

  /** {@link JournalClient.replay}. @example `await orchestrator.replayWorkflow({ workflowId, modifications: { temperature: 0.3 } })` */
  replayWorkflow(options: ReplayWorkflowOptions): Promise<ReplayResult> {
    return this.journal.replay(options);
  }

  /** {@link JournalClient.list}. @example `(await orchestrator.listWorkflows()).filter((run) => run.status === 'interrupted')` */
  listWorkflows(): Promise<WorkflowRecord[]> {
    return this.journal.list();
  }

  /** {@link JournalClient.get}. @example `(await orchestrator.getWorkflow('wf_abc'))?.status` */
  getWorkflow(workflowId: string): Promise<WorkflowRecord | undefined> {
    return this.journal.get(workflowId);
  }

  /** {@link JournalClient.delete}. @example `await orchestrator.deleteWorkflow('wf_abc')` */
  deleteWorkflow(workflowId: string): Promise<void> {
    return this.journal.delete(workflowId);
  }


  /** {@link MessagingClient.route}. @example `await orchestrator.routeMessage({ fromAgent, toAgent, message })` */
  routeMessage(request: RouteMessageRequest): Promise<ConsultationReply> {
    return this.messaging.route(request);
  }

  /** {@link MessagingClient.broadcast}. @example `await orchestrator.broadcast({ fromAgent, eventType: 'discovery', data })` */
  broadcast(request: BroadcastRequest): Promise<BroadcastReport> {
    return this.messaging.broadcast(request);
  }

  /** {@link MessagingClient.subscribe}. @example `const off = orchestrator.subscribe({ agentId, eventTypes: ['risk.*'], callback })` */
  subscribe(request: SubscribeRequest): () => void {
    return this.messaging.subscribe(request);
  }


  /** {@link MonitoringClient.enable}. @example `await orchestrator.enableMonitoring({ dashboardPort: 8080 })` */
  enableMonitoring(options: MonitoringOptions = {}): Promise<Monitoring> {
    return this.monitoring.enable(options);
  }

  /** {@link MonitoringClient.metrics}. @example `orchestrator.getMetrics().successRate` */
  getMetrics(): MonitoringMetrics {
    return this.monitoring.metrics();
  }

  /** {@link MonitoringClient.enableTelemetry}. @example `await orchestrator.enableTelemetry({ tracer })` */
  enableTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
    return this.monitoring.enableTelemetry(options);
  }

  /** {@link MonitoringClient.setDebugMode}. @example `orchestrator.setDebugMode({ enabled: true, logLevel: 'DEBUG' })` */
  setDebugMode(options: DebugModeOptions): DebugModeState {
    return this.monitoring.setDebugMode(options);
  }

  /** Debug mode as it is now (files it writes to, level, breakpoints). */
  get debugMode(): DebugModeState {
    return this.monitoring.debugMode;
  }

  /** Runs one task of a workflow run in this process (a distributed worker's job). */
  protected runTaskHere(request: TaskRunRequest): Promise<TaskResult> {
    this.#assertOpen();
    return this.runtime.runTask(request);
  }

  get isShutDown(): boolean {
    return this.#shutDown;
  }

  #assertOpen(): void {
    if (this.#shutDown) throw new ShutDownError();
  }
}

/** The name the orchestrator is also known by. */
export { Orchestrator as EnhancedAgentOrchestrator };
export type { AgentInspection } from '../agents/agent-inspection.js';
