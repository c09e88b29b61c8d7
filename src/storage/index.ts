/**
 * Storage backends behind the ArtifactStorage and JournalStorage ports: in memory
 * and on the file system.
 */
export {
  copyValue,
  decodeArtifactVersion,
  decodeMetadata,
  encodeArtifactWrite,
  isMetadataRecord,
  tagsOf,
} from './artifact-codec.js';
export type { DecodedArtifactVersion, EncodedArtifactWrite } from './artifact-codec.js';
export { MAX_ARTIFACT_ID_LENGTH, artifactIdProblem, assertArtifactId } from './artifact-id.js';
export { applyCommit, assertNextVersion } from './artifact-storage.js';
export type {
  ArtifactRecord,
  ArtifactStorage,
  MutableArtifactRecord,
  VersionCommit,
} from './artifact-storage.js';
export { FsArtifactStorage, parseModification } from './fs-artifacts.js';
export type { FsArtifactStorageOptions } from './fs-artifacts.js';
export { appendDurably, fsyncDirectory, isMissingFile, writeFileAtomic } from './fs-durable.js';
export { FsJournalStorage, journalFileName } from './journal-fs.js';
export type { FsJournalStorageOptions } from './journal-fs.js';
export { MemoryJournalStorage } from './journal-memory.js';
export { isJournalStorage } from './journal-storage.js';
export type { JournalStorage } from './journal-storage.js';
export { MemoryArtifactStorage } from './memory-artifacts.js';
export { plainJsonText, plainJsonValue } from './plain-json.js';
export { parseSafe, stringifySafe } from './superjson-safe.js';
export { WORKSPACE_LOCK_FILE, acquireLockFile, acquireWorkspaceLock } from './workspace-lock.js';
export type { WorkspaceLock } from './workspace-lock.js';
