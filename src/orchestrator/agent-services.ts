/**
 * The services the orchestrator gives its agents beyond the gateway: the
 * shared artifact store, the artifacts a task's prompt gets, and memory
 * compaction through a costed, budgeted summary call.
 */
import type { ArtifactStorage } from '../storage/artifact-storage.js';
import type { InspectionEvent, Observer } from 'xstate';
import type { LoadedArtifact } from '../protocols/agent.js';
import type { AgentServices, CompactionOutcome } from '../protocols/agent-runtime.js';
import { ConfigError } from '../protocols/errors/errors.js';
import type { ModelGateway } from '../protocols/gateway.js';
import { addUsage, EMPTY_USAGE } from '../protocols/model.js';
import type { ModelMessage, TokenUsage } from '../protocols/model.js';
import type { AgentPool } from '../agents/pool.js';
import { loadArtifacts, loadSharedMemories, memoryArtifactId, MEMORY_TAG, SYSTEM_AGENT_ID } from '../context/artifact-tools.js';
import type { ResolvedConfig } from './config.js';
import { SharedContextStore } from '../context/store.js';
import { ConversationMemory, createModelSummarizer } from '../agents/memory.js';
import type { ProviderRegistry } from '../model/provider-registry.js';

/** The orchestrator's artifact store (enableSharedContext). */
export function createSharedContext(
  config: ResolvedConfig,
  inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined,
  secrets: readonly (string | undefined)[] = [],
  storage?: ArtifactStorage,
): SharedContextStore {
  const { sharedContext, enableCrossAgentMemory, workspacePath, agentPermissions, defaultPermissions } = config;
  return new SharedContextStore({
    workspacePath,
    // A storage given by the runtime's owner (distributed mode's Redis one) wins over the configured name.
    storage: storage ?? sharedContext.storage,
    enableVersioning: sharedContext.enableVersioning,
    maxVersionsPerArtifact: sharedContext.maxVersionsPerArtifact,
    autoCleanup: sharedContext.autoCleanup,
    ttlHours: sharedContext.ttlHours,
    // Cross-agent memory is written and read by the system itself.
    agentPermissions: {
      ...agentPermissions,
      ...(enableCrossAgentMemory ? { [SYSTEM_AGENT_ID]: ['read', 'write'] } : {}),
    },
    ...(defaultPermissions ? { defaultPermissions } : {}),
    ...(inspect ? { inspect } : {}),
    // Agents write what models produce: the configured keys are cut out, as from journals.
    secrets,
  });
}

/** What a task's prompt gets from the store: its sharedArtifacts (as the agent) and other agents' memories. */
export async function loadTaskArtifacts(
  context: SharedContextStore | undefined,
  crossAgentMemory: boolean,
  agentId: string,
  artifactIds: readonly string[],
): Promise<LoadedArtifact[]> {
  if (!context) {
    if (artifactIds.length === 0) return [];
    throw new ConfigError('enableSharedContext', `task "${agentId}" names sharedArtifacts, but enableSharedContext is off`);
  }
  const own = await loadArtifacts(context, agentId, artifactIds);
  return crossAgentMemory ? [...own, ...(await loadSharedMemories(context, agentId))] : own;
}

export interface MemoryCompactorDeps {
  readonly config: ResolvedConfig;
  readonly gateway: ModelGateway;
  /** Where the agent's own model and provider are read. */
  readonly pool: AgentPool;
  readonly providers: ProviderRegistry;
  readonly defaults: { readonly model: string; readonly provider: string };
  /** Where summaries are shared under enableCrossAgentMemory. */
  readonly context: SharedContextStore | undefined;
}

type CompactMemory = NonNullable<AgentServices['compactMemory']>;

/**
 * The agents' `compactMemory` service: past memoryConfig.tokenThreshold,
 * everything but the last preserveLastNMessages becomes a model-written
 * summary. Token counts come from the provider when it counts (Anthropic's
 * count_tokens), else from the text estimate. With enableCrossAgentMemory the
 * summary is also shared through the store.
 */
export function createMemoryCompactor(deps: MemoryCompactorDeps): CompactMemory {
  return async (input): Promise<CompactionOutcome | undefined> => {
    const { tokenThreshold, preserveLastNMessages } = deps.config.memoryConfig;
    const agent = deps.pool.get(input.agentId)?.config;
    const model = agent?.model ?? deps.defaults.model;
    const providerName = agent?.provider ?? deps.defaults.provider;
    const provider = deps.providers.get(providerName);
    const countTokens = provider.countTokens
      ? (messages: readonly ModelMessage[]) => provider.countTokens?.({ model, messages, maxTokens: 1 }) ?? 0
      : undefined;
    const memory = ConversationMemory.fromJSON(
      { ...(input.summary === undefined ? {} : { summary: input.summary }), messages: [...input.messages] },
      { tokenThreshold, preserveLastNMessages, ...(countTokens ? { countTokens } : {}) },
    );
    if (!(await memory.needsCompaction())) return undefined;
    let usage: TokenUsage = EMPTY_USAGE;
    let calls = 0;
    const summarize = createModelSummarizer(
      async (request) => {
        const outcome = await deps.gateway.call({
          agentId: input.agentId,
          purpose: 'compaction',
          provider: providerName,
          ...(input.taskId === undefined ? {} : { taskId: input.taskId, callKey: `${input.taskId}/compaction/${calls++}` }),
          ...(input.workflowId === undefined ? {} : { workflowId: input.workflowId }),
          request: { ...request, signal: input.signal },
        });
        usage = addUsage(usage, outcome.response.usage);
        return { text: outcome.response.text, costCents: outcome.costCents };
      },
      { model, maxTokens: 1024 },
    );
    const outcome = await memory.compact(summarize);
    if (!outcome.compacted) return undefined;
    const data = memory.toJSON();
    const { context } = deps;
    if (deps.config.enableCrossAgentMemory && context && data.summary) {
      await context.storeArtifact({
        artifactId: memoryArtifactId(input.agentId),
        content: { agentId: input.agentId, summary: data.summary },
        metadata: { tags: [MEMORY_TAG], agentId: input.agentId },
        agentId: SYSTEM_AGENT_ID,
      });
    }
    return { messages: data.messages, summary: data.summary ?? '', costCents: outcome.costCents, usage };
  };
}
