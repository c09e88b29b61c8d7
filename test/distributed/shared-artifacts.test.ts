import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { DISTRIBUTED_CONFIG, sharedContextConfig } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { stopWorkerProcess } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('shared-artifacts.test');

describe.skipIf(!hasRedis)('the shared context across workers', () => {
  const directories: string[] = [];
  const workspace = (): string => {
    const directory = mkdtempSync(join(tmpdir(), 'troupe-shared-'));
    directories.push(directory);
    return directory;
  };
  // Registered before the suite, so it runs after the suite's afterAll: the workspaces go once no worker uses them.
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });
  const suite = useRedisSuite();

  it('an artifact the coordinator writes is read on a worker; one an agent writes on worker A is read on worker B and on the coordinator', async () => {
    const queue = 'shared';
    const [first, second] = await Promise.all([1, 2].map(() => suite.worker(queue, { TROUPE_TEST_SHARED_CONTEXT: workspace() })));
    if (!first || !second) throw new Error('workers did not start');
    const coordinatorWorkspace = workspace();
    const coordinator = new Orchestrator({
      ...DISTRIBUTED_CONFIG,
      ...sharedContextConfig(coordinatorWorkspace),
      distributed: { redis: suite.server.url, queue },
    });
    const ranBy = new Map<string, string>();
    coordinator.events.on('worker.task', (event) => {
      if (event.status === 'finished') ranBy.set(event.agentId, event.workerId);
    });
    try {
      const context = coordinator.context;
      if (!context) throw new Error('no shared context on the coordinator');
      expect(context.storage.kind).toBe('redis');
      await context.storeArtifact({ artifactId: 'brief', content: 'Plan the launch in three steps', agentId: 'planner' });

      // The writer reads the coordinator's brief (a missing artifact would fail its task) and writes `artifact` with write_artifact.
      const written = await coordinator.executeWorkflow({
        tasks: [{ agentId: 'writer', taskDescription: 'Save the plan with write_artifact', sharedArtifacts: ['brief'] }],
      });
      expect(written.results.writer?.status).toBe('succeeded');
      const writerWorker = ranBy.get('writer');
      expect([first.id, second.id]).toContain(writerWorker);
      const onCoordinator = await context.getArtifact({ artifactId: 'artifact', agentId: 'auditor', includeLineage: true });
      expect(onCoordinator.version).toBe(1);
      expect(onCoordinator.lineage?.createdBy).toBe('writer');

      // Only the other worker is left: the reader's task loads `artifact` there.
      const [writerProcess, other] = writerWorker === first.id ? [first, second] : [second, first];
      await stopWorkerProcess(writerProcess.child);
      const read = await coordinator.executeWorkflow({
        tasks: [{ agentId: 'reader', taskDescription: 'Summarise the saved plan', sharedArtifacts: ['artifact'] }],
      });
      expect(read.results.reader?.status).toBe('succeeded');
      expect(ranBy.get('reader')).toBe(other.id);

      // The reader, quoting the writer's note, wrote the artifact again on the other worker: one version history for all.
      const latest = await context.getArtifact({ artifactId: 'artifact', agentId: 'auditor', includeLineage: true });
      expect(latest.version).toBe(2);
      expect(latest.lineage?.modifications.map((m) => [m.version, m.agentId])).toEqual([
        [1, 'writer'],
        [2, 'reader'],
      ]);
      // The coordinator's compare-and-set on the latest version succeeds; one on a stale version is refused.
      const receipt = await context.storeArtifact({ artifactId: 'artifact', content: 'revised', agentId: 'auditor', expectedVersion: 2 });
      expect(receipt.version).toBe(3);
      await expect(context.storeArtifact({ artifactId: 'artifact', content: 'stale', agentId: 'auditor', expectedVersion: 2 })).rejects.toMatchObject({
        code: 'VERSION_CONFLICT',
      });
      // Nothing went to the processes' own workspaces.
      for (const directory of directories) expect(readdirSync(directory).filter((name) => name === 'artifacts')).toEqual([]);
    } finally {
      await coordinator.shutdown();
    }
  });
});
