/**
 * Opens a store with autoCleanup, writes once and never closes it: the process
 * must still exit, because the cleanup timer is unref'd.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedContextStore } from '../../../src/index.js';

const workspacePath = mkdtempSync(join(tmpdir(), 'troupe-idle-'));
process.on('exit', () => rmSync(workspacePath, { recursive: true, force: true }));
const store = new SharedContextStore({
  workspacePath,
  autoCleanup: true,
  ttlHours: 1,
  cleanupIntervalSeconds: 1,
  agentPermissions: { '*': ['read', 'write'] },
});
await store.storeArtifact({ artifactId: 'left-open', content: 'hello', agentId: 'writer' });
