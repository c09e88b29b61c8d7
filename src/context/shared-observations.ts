/**
 * Cross-agent memory of broadcasts (`enableCrossAgentMemory`): every
 * broadcast's observation is also kept in the context store, per sender, so
 * agents that did not subscribe see it in their task prompts, next to the
 * other agents' memory summaries.
 */
import type { AgentBroadcastEvent } from '../protocols/agent-protocol.js';
import { observationOf } from '../actors/agent/run.js';
import { ArtifactNotFoundError } from '../protocols/errors/errors.js';
import { observationsArtifactId, OBSERVATIONS_TAG, SYSTEM_AGENT_ID } from './artifact-tools.js';
import type { SharedContextStore } from './store.js';

/** How many of a sender's latest broadcasts its artifact keeps. */
export const MAX_SHARED_OBSERVATIONS = 20;

/** What an observations artifact holds. */
export interface SharedObservations {
  readonly fromAgent: string;
  /** Rendered observations, oldest first. */
  readonly observations: readonly string[];
}

/**
 * Returns the function that records a broadcast in `store`. Writes are
 * chained, so concurrent broadcasts never lose one another's observation.
 *
 * @example
 * ```ts
 * const share = createObservationSharer(store);
 * await share({ type: 'agent.broadcast', fromAgent: 'scout', eventType: 'risk.alert', data: { level: 'high' } });
 * ```
 */
export function createObservationSharer(store: SharedContextStore): (event: AgentBroadcastEvent) => Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  return (event) => {
    const write = tail.then(() => append(store, event));
    tail = write.catch(() => undefined);
    return write;
  };
}

async function append(store: SharedContextStore, event: AgentBroadcastEvent): Promise<void> {
  const artifactId = observationsArtifactId(event.fromAgent);
  const previous = await readObservations(store, artifactId);
  const content: SharedObservations = {
    fromAgent: event.fromAgent,
    observations: [...(previous?.content.observations ?? []), observationOf(event)].slice(-MAX_SHARED_OBSERVATIONS),
  };
  await store.storeArtifact({
    artifactId,
    content,
    metadata: { tags: [OBSERVATIONS_TAG], agentId: event.fromAgent },
    agentId: SYSTEM_AGENT_ID,
    ...(previous ? { expectedVersion: previous.version } : {}),
  });
}

async function readObservations(
  store: SharedContextStore,
  artifactId: string,
): Promise<{ version: number; content: SharedObservations } | undefined> {
  try {
    const artifact = await store.getArtifact({ artifactId, agentId: SYSTEM_AGENT_ID });
    return isSharedObservations(artifact.content) ? { version: artifact.version, content: artifact.content } : undefined;
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return undefined;
    throw error;
  }
}

function isSharedObservations(value: unknown): value is SharedObservations {
  if (typeof value !== 'object' || value === null || !('observations' in value) || !('fromAgent' in value)) return false;
  return Array.isArray(value.observations) && value.observations.every((note) => typeof note === 'string');
}
