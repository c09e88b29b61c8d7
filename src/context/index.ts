/**
 * The shared context store: versioned artifacts with lineage, per-agent
 * permissions, the artifact tools agents call, and shared observations.
 */
export { REDACTED_ID_PART, createArtifactScrubber } from './artifact-secrets.js';
export type { ArtifactScrubber } from './artifact-secrets.js';
export {
  ARTIFACT_TOOLS,
  MEMORY_TAG,
  OBSERVATIONS_TAG,
  SYSTEM_AGENT_ID,
  isArtifactTool,
  loadArtifacts,
  loadSharedMemories,
  memoryArtifactId,
  observationsArtifactId,
  runArtifactTool,
} from './artifact-tools.js';
export { PermissionTable } from './permissions.js';
export type { AgentPermissions, PermissionPolicyOptions } from './permissions.js';
export { MAX_SHARED_OBSERVATIONS, createObservationSharer } from './shared-observations.js';
export type { SharedObservations } from './shared-observations.js';
export { SharedContextStore } from './store.js';
export type { GetArtifactOptions, SharedContextStoreOptions, StoreArtifactOptions } from './store.js';
