/**
 * Writes to the fs store in an endless loop until it is killed, printing
 * "<artifactId> <version>" after each write is acknowledged. Continues from
 * whatever versions the workspace already holds.
 *
 * Usage: node --import tsx test/support/processes/context-crash-writer.ts <workspacePath>
 */
// The context capability's own face, not the package index: this script is
// started ten times a test, and loading the whole package costs ~2 s a start.
import { ArtifactNotFoundError } from '../../../src/protocols/index.js';
import { SharedContextStore } from '../../../src/context/index.js';
import { CRASH_ARTIFACTS, crashContent } from '../context-crash-content.js';

const workspacePath = process.argv[2];
if (!workspacePath) throw new Error('usage: context-crash-writer.ts <workspacePath>');
const store = new SharedContextStore({ workspacePath, maxVersionsPerArtifact: 3, agentPermissions: { writer: ['read', 'write'] } });

const next = new Map<string, number>();
for (const artifactId of CRASH_ARTIFACTS) {
  const current = await store.getArtifact({ artifactId, agentId: 'writer' }).catch((error: unknown) => {
    if (error instanceof ArtifactNotFoundError) return undefined;
    throw error;
  });
  next.set(artifactId, (current?.version ?? 0) + 1);
}
process.stdout.write('ready\n');
for (;;) {
  for (const artifactId of CRASH_ARTIFACTS) {
    const version = next.get(artifactId) ?? 1;
    await store.storeArtifact({ artifactId, content: crashContent(artifactId, version), agentId: 'writer', expectedVersion: version - 1 });
    next.set(artifactId, version + 1);
    process.stdout.write(`${artifactId} ${version}\n`);
  }
}
