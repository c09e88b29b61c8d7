/**
 * The orchestrator's configuration: every field of the
 * EnhancedOrchestratorConfig plus troupe's own, validated by zod. A bad value
 * is a ConfigError naming the field and what is allowed.
 */
import { z } from 'zod';
import { modelPriceShape } from '../protocols/shapes.js';
import type { InspectionEvent, Observer } from 'xstate';
import { ConfigError } from '../protocols/errors/errors.js';
import { configErrorFrom } from '../util/config-errors.js';
import type { ModelCallInterceptor } from '../protocols/gateway.js';
import type { ModelProvider } from '../protocols/model.js';
import type { PriceTable } from '../protocols/pricing.js';
import { isLogger } from '../observability/logger.js';
import type { Logger } from '../observability/logger.js';
import { isJournalStorage } from '../storage/journal-storage.js';
import type { JournalStorage } from '../storage/journal-storage.js';
import { DEFAULT_MAX_CONSULTATION_DEPTH } from '../actors/supervisor.js';
import { DEFAULT_MAX_INPUT_DATA_BYTES } from '../util/input-data.js';
import { isInspectionObserver } from '../util/arguments.js';
import { DEFAULT_MAX_AGENT_ACCOUNTS } from '../model/budget.js';

const isProvider = (value: unknown): value is ModelProvider =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { complete?: unknown }).complete === 'function' &&
  typeof (value as { name?: unknown }).name === 'string';

const int = (min: number, max: number) =>
  z.number().int(`must be a whole number between ${min} and ${max}`).min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
const num = (min: number, max: number) =>
  z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
const positiveCents = z.number().positive('must be a positive number of cents').finite('must be finite');


const permissionList = z.array(z.enum(['read', 'write', 'delete']));

export const orchestratorConfigSchema = z.strictObject({
  // Core settings
  model: z.string().min(1, 'must be a model name').default('claude-sonnet-4-5'),
  provider: z
    .union([z.enum(['simulated', 'anthropic', 'openai']), z.custom<ModelProvider>(isProvider, 'must be a ModelProvider')])
    .optional(),
  temperature: num(0, 2).default(0.7),
  maxTokens: int(1, 200_000).default(4096),
  // Agent features
  enableThinkingAgents: z.boolean().default(true),
  enableSharedContext: z.boolean().default(false),
  enableAlternativePaths: z.boolean().default(false),
  enableCrossAgentQueries: z.boolean().default(true),
  // Longest chain of agents asking in turn (A asks B asks C ...) that is delivered.
  maxConsultationDepth: int(1, 64).default(DEFAULT_MAX_CONSULTATION_DEPTH),
  // Memory management
  enableCrossAgentMemory: z.boolean().default(false),
  memoryConfig: z
    .strictObject({
      tokenThreshold: int(100, 10_000_000).default(50_000),
      preserveLastNMessages: int(0, 10_000).default(10),
    })
    .prefault({}),
  // Execution settings
  maxParallelAgents: int(1, 100_000).default(5),
  agentTimeoutSeconds: num(0.001, 86_400).default(300),
  /** Idle limit of streaming model calls, in seconds; 0 turns it off. See docs/streaming.md. */
  streamIdleTimeoutSeconds: num(0, 86_400).default(0),
  // Seconds a person has to decide on an approval or question before the step fails with APPROVAL_TIMEOUT (0: wait).
  approvalTimeoutSeconds: num(0, 2_592_000).default(0),
  retryFailedAgents: z.boolean().default(true),
  retry: z
    .strictObject({
      maxAttempts: int(1, 20).default(3),
      baseDelayMs: num(0, 600_000).default(500),
      maxDelayMs: num(0, 3_600_000).default(30_000),
      jitter: num(0, 1).default(0.2),
    })
    .prefault({}),
  // Cost management
  maxCostPerAgentCents: positiveCents.optional(),
  totalCostLimitCents: positiveCents.optional(),
  // Idle per-agent budget accounts kept (least recently used dropped past it; totals stay exact).
  maxBudgetAccounts: int(1, Number.MAX_SAFE_INTEGER).default(DEFAULT_MAX_AGENT_ACCOUNTS),
  pricing: z.record(z.string(), modelPriceShape).optional(),
  // Largest task inputData accepted, in bytes of serialised JSON (executeTask, executeWorkflow, pipelines, mapReduce).
  maxInputDataBytes: int(1, 1_073_741_824).default(DEFAULT_MAX_INPUT_DATA_BYTES),
  // Storage and shared context
  workspacePath: z.string().min(1).default('.troupe'),
  agentPermissions: z.record(z.string(), permissionList).optional(),
  /** The orchestrator's artifact store (enableSharedContext). */
  sharedContext: z
    .strictObject({
      storage: z.enum(['fs', 'memory']).default('fs'),
      enableVersioning: z.boolean().default(true),
      maxVersionsPerArtifact: int(1, 1_000_000).default(10),
      autoCleanup: z.boolean().default(false),
      ttlHours: z.number().positive('must be a positive number of hours').default(24),
    })
    .prefault({}),
  defaultPermissions: permissionList.optional(),
  // Durability: the workflow journal (docs/durability.md)
  journal: z
    .union([
      z.boolean(),
      z.strictObject({
        storage: z
          .union([z.enum(['fs', 'memory']), z.custom<JournalStorage>(isJournalStorage, 'must be a JournalStorage')])
          .optional(),
        fsync: z.boolean().optional(),
      }),
    ])
    .default(true),
  /** Finished runs' journals to keep (docs/durability.md); unset: all are kept. */
  journalRetention: z
    .strictObject({
      maxWorkflows: int(0, 1_000_000_000).optional(),
      maxAgeHours: z.number().positive('must be a positive number of hours').optional(),
    })
    .optional(),
  /** Runs each workflow task as a BullMQ job on worker processes (docs/distributed.md); unset: one process. */
  distributed: z
    .strictObject({
      redis: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
      queue: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or - (BullMQ refuses ":")').default('troupe'),
      /** How long a dead coordinator's lease on a run outlives it, in ms (a successor resumes after it). */
      leaseTtlMs: int(500, 3_600_000).default(10_000),
    })
    .optional(),
  // Offline model
  seed: z.number().int().default(42),
  simulated: z
    .strictObject({
      latencyMs: num(0, 600_000).default(0),
      jitterMs: num(0, 600_000).default(0),
      failureRate: num(0, 1).default(0),
    })
    .prefault({}),
  // Real providers (keys may also come from the environment)
  anthropic: z.strictObject({ apiKey: z.string().min(1).optional(), baseURL: z.url().optional() }).optional(),
  openai: z.strictObject({ apiKey: z.string().min(1).optional(), baseURL: z.url().optional() }).optional(),
  // Logging: any { debug, info, warn, error } logger (silent by default; see docs/observability.md)
  logger: z.custom<Logger>(isLogger, 'must be a logger with debug, info, warn and error methods').optional(),
  // The user's links of the model boundary (guardrails, caches, rate limiters), outermost first; see docs/architecture.md
  modelInterceptors: z
    .array(z.custom<ModelCallInterceptor>((value) => typeof value === 'function', 'must be a function (call, next) => Promise<outcome>'))
    .optional(),
  // Inspection: any XState inspection observer (e.g. @statelyai/inspect's `inspect`)
  inspect: z
    .custom<Observer<InspectionEvent> | ((event: InspectionEvent) => void)>(
      isInspectionObserver,
      'must be an inspection function or an observer whose next, error and complete are functions',
    )
    .optional(),
});

/** What a caller passes to `new Orchestrator(config)`. Every field is optional. */
export type OrchestratorConfig = z.input<typeof orchestratorConfigSchema> & {
  readonly provider?: 'simulated' | 'anthropic' | 'openai' | ModelProvider;
  readonly pricing?: PriceTable;
};

/** The config after defaults are applied. */
export type ResolvedConfig = z.output<typeof orchestratorConfigSchema>;

export { configErrorFrom } from '../util/config-errors.js';

/**
 * Validates a config and applies defaults.
 * @throws ConfigError naming the first bad field.
 */
export function resolveConfig(config: OrchestratorConfig = {}): ResolvedConfig {
  const parsed = orchestratorConfigSchema.safeParse(config);
  if (!parsed.success) throw configErrorFrom(parsed.error, '', config, orchestratorConfigSchema);
  const resolved = parsed.data;
  if (resolved.retry.maxDelayMs < resolved.retry.baseDelayMs) {
    throw new ConfigError('retry.maxDelayMs', 'must be at least retry.baseDelayMs');
  }
  if (
    resolved.maxCostPerAgentCents !== undefined &&
    resolved.totalCostLimitCents !== undefined &&
    resolved.maxCostPerAgentCents > resolved.totalCostLimitCents
  ) {
    throw new ConfigError('maxCostPerAgentCents', 'must not be above totalCostLimitCents');
  }
  // Options of the shared artifact store would be silently ignored without it.
  if (!resolved.enableSharedContext) {
    const inert = resolved.enableCrossAgentMemory
      ? 'enableCrossAgentMemory'
      : (['agentPermissions', 'defaultPermissions', 'sharedContext'] as const).find((field) => config[field] !== undefined);
    if (inert) throw new ConfigError(inert, 'needs enableSharedContext: true (it configures the shared artifact store)');
  }
  const { journal } = resolved;
  if (typeof journal === 'object' && journal.fsync === true && journal.storage !== undefined && journal.storage !== 'fs') {
    throw new ConfigError('journal.fsync', 'applies only to the fs journal storage');
  }
  if (journal === false && resolved.journalRetention !== undefined) {
    throw new ConfigError('journalRetention', 'needs the journal on (journal: false keeps no journals)');
  }
  return resolved;
}
