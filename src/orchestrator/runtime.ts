/**
 * The orchestrator's runtime: every service `new Orchestrator(config)` wires
 * together (providers, budget, journal, model gateway, the agent and workflow
 * machines under one supervisor, the agent pool, messaging, the task and
 * workflow runners, debug mode, monitoring and telemetry), built once by
 * {@link createRuntime} and stopped by {@link shutdownRuntime}. The facade in
 * orchestrator.ts only delegates to this record.
 */
import { createActor } from 'xstate';
import type { Actor, AnyActorLogic } from 'xstate';
import type { AgentTemplate } from '../protocols/agent.js';
import type { ModelGateway } from '../protocols/gateway.js';
import { WorkflowValidationError } from '../protocols/errors/errors.js';
import type { SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import { createAgentMachine } from '../actors/agent/machine.js';
import { createSupervisorMachine } from '../actors/supervisor.js';
import type { SupervisorMachine } from '../actors/supervisor.js';
import { createWorkflowMachine } from '../actors/workflow/machine.js';
import { mergePrices, requirePrice } from '../providers/model-prices.js';
import type { AgentDefaults } from '../agents/agent-config.js';
import { AgentPool } from '../agents/pool.js';
import { createMemoryCompactor, createSharedContext, loadTaskArtifacts } from './agent-services.js';
import { ARTIFACT_TOOLS, isArtifactTool, runArtifactTool } from '../context/artifact-tools.js';
import { BudgetLedger } from '../model/budget.js';
import type { BudgetLimits } from '../model/budget.js';
import { resolveConfig } from './config.js';
import type { OrchestratorConfig, ResolvedConfig } from './config.js';
import { runConsensus } from '../runs/consensus-runner.js';
import type { SharedContextStore } from '../context/store.js';
import { DebugControl } from '../observability/debug.js';
import { EventHub } from '../protocols/events.js';
import { Instrumentation } from '../observability/instrumentation.js';
import { journalsFromSetting } from '../journal/journal.js';
import { createObservationSharer } from '../context/shared-observations.js';
import type { WorkflowJournals } from '../journal/journal.js';
import { createJournalObserver, journalArtifactWrite } from '../journal/observer.js';
import { JournalCallRecorder } from '../journal/recorder.js';
import { runJournaledTool } from '../journal/tool-journal.js';
import { LevelLogger, silentLogger } from '../observability/logger.js';
import { Messaging } from '../agents/messaging.js';
import { createModelGateway } from '../model/gateway.js';
import type { ModelCallInterceptor } from '../protocols/gateway.js';
import type { BudgetStore } from '../model/budget-store.js';
import type { BudgetView } from '../distributed/coordinator-budget.js';
import type { ArtifactStorage } from '../storage/artifact-storage.js';
import { RunSpend } from '../model/run-spend.js';
import { ProviderRegistry, selectedProviderName } from '../model/provider-registry.js';
import { createRedactor, redactingObserver } from '../util/sanitize.js';
import { TaskRunner } from '../runs/task-runner.js';
import type { TaskRunRequest } from '../runs/task-runner.js';
import { ToolRegistry } from '../agents/tools.js';
import { assertInputData } from '../util/input-data.js';
import { WorkflowRunner } from '../runs/workflow-runner.js';
import { ApprovalDesk } from '../runs/approvals.js';
import { approvalServices } from '../runs/approval-services.js';
import { runApprovedTask } from '../runs/task-approval.js';
import { ASK_HUMAN_TOOL } from '../actors/agent/ask-human.js';

/** What the runtime asks of its owner: the breakpoint switch debug mode and new agents read. */
export interface RuntimeHooks {
  /** Whether agents spawned now wait in `paused` on a failing step. */
  readonly breakpointOnError: () => boolean;
  /** Debug mode's breakpointOnError: applies it to later agents and live ones. */
  readonly setBreakpointOnError: (enabled: boolean) => void;
  /** Where the budget link reserves and settles (a distributed worker's Redis store); unset: the in-process ledger. */
  readonly budgetStore?: BudgetStore;
  /** Links added to the model-call chain where user interceptors go (a distributed worker's call memo). */
  readonly interceptors?: readonly ModelCallInterceptor[];
  /** Runs a workflow's task elsewhere (the distributed coordinator's queue); unset: in this process. */
  readonly dispatchTask?: (request: TaskRunRequest) => Promise<TaskResult>;
  /** Where the shared context keeps artifacts (distributed mode: Redis, shared by every process); unset: `sharedContext.storage`. */
  readonly artifactStorage?: ArtifactStorage;
  /** What monitoring and `monitoring.budget()` read (the coordinator's: its ledger plus the workers' books); unset: the ledger. */
  readonly budgetView?: BudgetView;
}

/** Every service of one orchestrator, as {@link createRuntime} wires them. */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly events: EventHub;
  /** Silent unless `logger` is configured or debug mode sets a level; keys redacted. */
  readonly logger: LevelLogger;
  readonly providers: ProviderRegistry;
  /** What agents inherit: the default model and provider, temperature, timeout, ... */
  readonly defaults: AgentDefaults;
  readonly budget: BudgetLedger;
  /** The budget as the dashboard and `monitoring.budget()` show it (distributed: every worker's spend too). */
  readonly budgetView: BudgetView;
  /** The shared artifact store, when `enableSharedContext` is on. */
  readonly context: SharedContextStore | undefined;
  /** Workflow journals, undefined when `journal: false`. */
  readonly journals: WorkflowJournals | undefined;
  /** Records model calls into the journals (and serves them on resume/replay). */
  readonly recorder: JournalCallRecorder | undefined;
  readonly gateway: ModelGateway;
  readonly templates: Map<string, AgentTemplate>;
  readonly tools: ToolRegistry;
  readonly agentTypes: Map<string, AnyActorLogic>;
  /** The root actor. */
  readonly supervisor: Actor<SupervisorMachine>;
  readonly pool: AgentPool;
  readonly messaging: Messaging;
  readonly runner: TaskRunner;
  readonly workflows: WorkflowRunner;
  /** Where runs wait for a person (`orchestrator.approvals`). */
  readonly approvals: ApprovalDesk;
  readonly debug: DebugControl;
  /** Monitoring and telemetry, each replaced when enabled again. */
  readonly instrumentation: Instrumentation;
  /** One task to its result: a consensus among voters, or a task on its agent. */
  readonly runTask: (request: TaskRunRequest) => Promise<TaskResult>;
  /** `executeTask`: one task outside any workflow, under its own `task_<n>` id. */
  readonly executeTask: (task: SubAgentTaskSpec | string, signal?: AbortSignal) => Promise<TaskResult>;
  /**
   * With a cost limit set, a model of unknown price is a ConfigError naming
   * `field` (the gateway could not enforce the limit on it); without one, a no-op.
   */
  readonly assertPriced: (model: string, provider: string, field: string) => void;
  /** Cleanups `shutdownRuntime` runs after the actors stopped (built-in ones first). */
  readonly disposers: (() => void | Promise<void>)[];
}

/** The configured cost limits, without the unset ones. */
export function costLimits(config: ResolvedConfig): BudgetLimits {
  return {
    ...(config.maxCostPerAgentCents === undefined ? {} : { maxCostPerAgentCents: config.maxCostPerAgentCents }),
    ...(config.totalCostLimitCents === undefined ? {} : { totalCostLimitCents: config.totalCostLimitCents }),
  };
}

/** The in-process ledger as a budget view. */
export function ledgerView(ledger: BudgetLedger): BudgetView {
  return { snapshot: () => ledger.snapshot(), refresh: () => Promise.resolve(ledger.snapshot()) };
}

/** Ids of the pool's live agents. */
export function liveAgentIds(pool: AgentPool): string[] {
  return pool
    .list()
    .filter((record) => record.live)
    .map((record) => record.agentId);
}

/**
 * The defaults agents inherit. The provider is the configured one (a
 * ModelProvider instance is registered under its name), else the one whose
 * block is set, else the one an API key in the environment selects; an OpenAI provider without a configured
 * `model` defaults to gpt-4o.
 * @throws ConfigError / MissingApiKeyError now rather than at the first call.
 */
function agentDefaults(input: OrchestratorConfig, config: ResolvedConfig, providers: ProviderRegistry): AgentDefaults {
  const { provider } = config;
  let providerName: string;
  if (typeof provider === 'object') {
    providers.register(provider);
    providerName = provider.name;
  } else {
    // A provider block (`anthropic: {...}` / `openai: {...}`) selects its provider.
    providerName = provider ?? selectedProviderName(config);
  }
  providers.get(providerName); // fail now on an unknown provider or a missing key
  return {
    model: input.model ?? (providerName === 'openai' ? 'gpt-4o' : config.model),
    provider: providerName,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    enableThinking: config.enableThinkingAgents,
    timeoutSeconds: config.agentTimeoutSeconds,
    streamIdleTimeoutSeconds: config.streamIdleTimeoutSeconds,
    enableCrossAgentQueries: config.enableCrossAgentQueries,
    sharedContextAccess: config.enableSharedContext,
    approvalTimeoutSeconds: config.approvalTimeoutSeconds,
  };
}

/**
 * Validates `input` and wires one orchestrator's services; the supervisor is
 * started. It reads top-down: the services, then the hosts (agent pool,
 * messaging, runners), then the machines bound to them, then the supervisor
 * the hosts attach to, then debug mode and instrumentation.
 * @throws ConfigError naming the first bad field.
 */
export function createRuntime(input: OrchestratorConfig, hooks: RuntimeHooks): Runtime {
  const config = resolveConfig(input);
  // Keys are cut out of every log line, trace, inspection event, debug file, journal and artifact.
  const secrets = [config.anthropic?.apiKey, config.openai?.apiKey, process.env.ANTHROPIC_API_KEY, process.env.OPENAI_API_KEY];
  const redactor = createRedactor({ secrets });
  const inspect = config.inspect ? redactingObserver(redactor, config.inspect) : undefined;
  const logger = new LevelLogger({ sink: config.logger ?? silentLogger, level: 'silent', redactor });
  const events = new EventHub();
  const providers = new ProviderRegistry(config);
  const defaults = agentDefaults(input, config, providers);
  const context = config.enableSharedContext ? createSharedContext(config, inspect, secrets, hooks.artifactStorage) : undefined;
  const budget = new BudgetLedger(costLimits(config), { maxAgentAccounts: config.maxBudgetAccounts });
  const prices = mergePrices(config.pricing);
  const assertPriced = (model: string, provider: string, field: string): void => {
    if (budget.isLimited && !providers.ownPrice(provider)) requirePrice(model, prices, field);
  };
  assertPriced(defaults.model, defaults.provider, 'model');
  const journals = journalsFromSetting(config.journal, config.workspacePath, Date.now, secrets, config.journalRetention);
  const recorder = journals ? new JournalCallRecorder(journals) : undefined;
  const spend = new RunSpend();
  const gateway = createModelGateway({
    resolveProvider: (name) => providers.get(name),
    prices,
    budget: hooks.budgetStore ?? budget,
    events,
    spend,
    ...(recorder ? { recorder } : {}),
    // The user's links, then troupe's own distributed call memo (a worker's), in that order.
    interceptors: [...(config.modelInterceptors ?? []), ...(hooks.interceptors ?? [])],
  });
  const templates = new Map<string, AgentTemplate>();
  const tools = new ToolRegistry();
  const agentTypes = new Map<string, AnyActorLogic>();
  const approvals = new ApprovalDesk({ events, now: Date.now, ...(recorder ? { journal: recorder } : {}) });

  // Hosts first: agents, messaging and runs; the machines below call into them.
  const pool = new AgentPool({
    defaults,
    templates,
    agentTypes,
    toolDefinitions: (agentId, agentConfig) => [
      ...tools.definitions(agentConfig.tools, `agents.${agentId}.tools`),
      ...(agentConfig.sharedContextAccess && context ? ARTIFACT_TOOLS : []),
      ...(agentConfig.askHuman ? [ASK_HUMAN_TOOL] : []),
    ],
    events,
    breakpointOnError: hooks.breakpointOnError,
    assertPriced,
    // Ephemeral agents' idle actors kept for reuse, as many as can run at once; none
    // under an inspector, which then shows every agent as an actor of its own.
    maxParkedAgents: inspect ? 0 : config.maxParallelAgents,
    ...(inspect ? { inspect } : {}),
  });
  const messaging = new Messaging({
    pool,
    events,
    crossAgentQueries: config.enableCrossAgentQueries,
    defaultTimeoutSeconds: config.agentTimeoutSeconds,
    maxConsultationDepth: config.maxConsultationDepth,
    ...(context && config.enableCrossAgentMemory ? { shareObservation: createObservationSharer(context) } : {}),
  });
  const runner = new TaskRunner({
    pool,
    events,
    retry: config.retryFailedAgents ? config.retry : { ...config.retry, maxAttempts: 1 },
    enableAlternativePaths: config.enableAlternativePaths,
    hasTemplate: (name) => templates.has(name),
    loadArtifacts: (agentId, artifactIds) => loadTaskArtifacts(context, config.enableCrossAgentMemory, agentId, artifactIds),
    now: Date.now,
  });
  const workflows = new WorkflowRunner({
    events,
    gateway,
    defaultModel: () => ({ model: defaults.model, provider: defaults.provider }),
    maxParallelAgents: config.maxParallelAgents,
    maxInputDataBytes: config.maxInputDataBytes,
    knownTemplates: () => new Set(templates.keys()),
    now: Date.now,
    spend,
    ...(journals ? { observer: createJournalObserver({ journals, events }) } : {}),
  });
  // Voters are bounded like the run's own tasks: its executeWorkflow override, else (a lone task) the orchestrator's.
  const runOnce = (request: TaskRunRequest): Promise<TaskResult> =>
    request.spec.consensusConfig
      ? runConsensus(
          request,
          (voter) => runner.run(voter),
          Date.now,
          workflows.maxParallelAgentsOf(request.workflowId) ?? config.maxParallelAgents,
        )
      : runner.run(request);
  const runTask = (request: TaskRunRequest): Promise<TaskResult> =>
    request.spec.requiresApproval === true ? runApprovedTask(request, runOnce, approvals, config.approvalTimeoutSeconds) : runOnce(request);
  let taskCounter = 0;
  const executeTask = async (task: SubAgentTaskSpec | string, signal?: AbortSignal): Promise<TaskResult> => {
    const spec: SubAgentTaskSpec = typeof task === 'string' ? { agentId: `task_${++taskCounter}`, taskDescription: task } : task;
    if (!spec.agentId || !spec.taskDescription) {
      throw new WorkflowValidationError('A task needs a non-empty agentId and taskDescription');
    }
    assertInputData(spec.inputData, 'inputData', config.maxInputDataBytes);
    const workflowId = `task_${++taskCounter}`;
    const result = await runTask({ workflowId, spec, ...(signal ? { signal } : {}) });
    // A workflow reports its tasks through its actor; a lone task reports here.
    events.emit('task.finished', { workflowId, agentId: spec.agentId, result });
    return result;
  };
  // The machines, bound to those services, under one supervisor the hosts then attach to.
  const agentMachine = createAgentMachine({
    gateway,
    now: Date.now,
    runTool: (call, toolContext) => {
      if (!context || !isArtifactTool(call.name)) {
        const run = () => tools.run(call, toolContext);
        return recorder ? runJournaledTool(recorder, toolContext, tools.resolve(call.name), run) : run();
      }
      const write = runArtifactTool(context, call, toolContext);
      return journals ? journalArtifactWrite(journals, call, toolContext, write) : write;
    },
    isSequentialTool: (name) => tools.isSequential(name),
    ...approvalServices(tools, approvals),
    compactMemory: createMemoryCompactor({ config, gateway, pool, providers, defaults, context }),
    consult: (request) => messaging.consultForAgent(request),
  });
  const workflowMachine = createWorkflowMachine({
    runTask: ({ workflowId, task, dependencyOutputs }, signal) =>
      workflows.track(workflowId, task.agentId, (hooks.dispatchTask ?? runTask)({ workflowId, spec: task, dependencyOutputs, signal })),
    evaluateCondition: (workflowId, agentId, results) => workflows.evaluateCondition(workflowId, agentId, results),
    now: Date.now,
  });
  const supervisor = createActor(createSupervisorMachine({ agentMachine, workflowMachine, agentTypes, maxConsultationDepth: config.maxConsultationDepth }), {
    systemId: 'supervisor',
    ...(inspect ? { inspect } : {}),
  }).start();

  pool.attach(supervisor);
  workflows.attach(supervisor);

  const debug = new DebugControl({
    events,
    workspacePath: config.workspacePath,
    logger,
    configuredSink: config.logger,
    defaultLevel: config.logger ? 'info' : 'silent',
    fileRedactor: createRedactor({ content: false, secrets }),
    setBreakpointOnError: hooks.setBreakpointOnError,
  });
  const budgetView = hooks.budgetView ?? ledgerView(budget);
  const instrumentation = new Instrumentation({
    events,
    budget: budgetView,
    limits: costLimits(config),
    agentActor: (agentId) => pool.ref(agentId),
    scrub: (text) => redactor.scrub(text),
    approvals,
  });
  const disposers: Runtime['disposers'] = [
    () => {
      debug.close();
      return instrumentation.stop();
    },
  ];
  return {
    config,
    events,
    logger,
    providers,
    defaults,
    budget,
    budgetView,
    context,
    journals,
    recorder,
    gateway,
    templates,
    tools,
    agentTypes,
    supervisor,
    pool,
    messaging,
    runner,
    workflows,
    approvals,
    debug,
    instrumentation,
    runTask,
    executeTask,
    assertPriced,
    disposers,
  };
}

/**
 * Stops a runtime: pending work ends `cancelled` (runs in progress before
 * their agents go), the actors stop, then every disposer runs even if one
 * fails; failures are thrown together as an AggregateError.
 */
export async function shutdownRuntime(runtime: Runtime): Promise<void> {
  runtime.messaging.clear();
  runtime.workflows.cancelAll('the orchestrator shut down');
  runtime.approvals.cancelAll('the orchestrator shut down');
  runtime.pool.close();
  await runtime.context?.close();
  runtime.supervisor.stop();
  const disposed = await Promise.allSettled(runtime.disposers.splice(0).map(async (dispose) => dispose()));
  runtime.events.clear();
  await runtime.journals?.closeAll();
  const failures = disposed.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  if (failures.length > 0) throw new AggregateError(failures, 'shutdown: some onShutdown cleanups failed');
}
