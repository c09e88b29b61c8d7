/**
 * Orchestrators and temporary directories a test file creates, shut down and
 * removed after each test. Call at the top level of a test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { OrchestratorConfig } from '../../src/index.js';

export interface Tracked {
  /** A new orchestrator, shut down after the test. */
  orchestrator(config: OrchestratorConfig): Orchestrator;
  /** A new temporary directory, removed after the test. */
  tempDir(prefix: string): string;
}

export function trackedForEachTest(): Tracked {
  const orchestrators: Orchestrator[] = [];
  const directories: string[] = [];
  afterEach(async () => {
    await Promise.all(orchestrators.splice(0).map((o) => o.shutdown()));
    for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    orchestrator(config) {
      const created = new Orchestrator(config);
      orchestrators.push(created);
      return created;
    },
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      directories.push(dir);
      return dir;
    },
  };
}
