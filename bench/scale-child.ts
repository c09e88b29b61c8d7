/**
 * One scale measurement in a process of its own (so heap figures are not
 * polluted by other cases), started by bench/scale.ts as
 * `node --expose-gc --import tsx bench/scale-child.ts <mode> <count>`.
 * Prints one JSON line: `{ mode, count, spawnMs, heapBytes, heapBytesPerAgent }`.
 *
 * Modes, each spawning `count` idle agents of the same agent machine:
 * - `troupe`: `orchestrator.spawnAgent(template)`;
 * - `xstate-parent`: raw XState, one parent machine that `spawnChild`s every agent;
 * - `flat`: `createActor(agentMachine).start()` `count` times, no parent.
 */
import { createActor, enqueueActions, setup } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { createAgentMachine } from '../src/actors/agent/machine.js';
import type { AgentMachineInput } from '../src/actors/agent/machine.js';
import { createSimulatedProvider } from '../src/providers/simulated/simulated.js';
import { STANDALONE_DEFAULTS, resolveAgentConfig } from '../src/agents/agent-config.js';
import { createModelGateway } from '../src/model/gateway.js';
import { DEFAULT_PRICES } from '../src/providers/model-prices.js';
import { Orchestrator } from '../src/orchestrator/orchestrator.js';

export type ScaleMode = 'troupe' | 'xstate-parent' | 'flat';

export interface ScaleSample {
  readonly mode: ScaleMode;
  readonly count: number;
  readonly spawnMs: number;
  /** Heap growth after a full GC, with every agent alive. */
  readonly heapBytes: number;
  readonly heapBytesPerAgent: number;
}

function isScaleMode(value: string | undefined): value is ScaleMode {
  return value === 'troupe' || value === 'xstate-parent' || value === 'flat';
}

function collect(): void {
  if (!globalThis.gc) throw new Error('run with --expose-gc');
  globalThis.gc();
  globalThis.gc();
}

/** The agent machine as troupe builds it, on the offline model, for the raw XState modes. */
function rawAgentMachine() {
  const simulated = createSimulatedProvider();
  return createAgentMachine({
    gateway: createModelGateway({ resolveProvider: () => simulated, prices: DEFAULT_PRICES }),
    now: Date.now,
  });
}

function agentInput(index: number): AgentMachineInput {
  return { agentId: `agent_${index}`, template: 'default', config: resolveAgentConfig({}, STANDALONE_DEFAULTS) };
}

/** Spawns `count` agents the `mode` way; returns what keeps them alive and how to stop them. */
function spawnAll(mode: ScaleMode, count: number): { keep: unknown; stop: () => Promise<void> } {
  if (mode === 'troupe') {
    const orchestrator = new Orchestrator({ journal: false });
    orchestrator.registerTemplate('idle', {});
    const refs = [];
    for (let i = 0; i < count; i++) refs.push(orchestrator.spawnAgent('idle').id);
    return { keep: [orchestrator, refs], stop: () => orchestrator.shutdown() };
  }
  const agentMachine = rawAgentMachine();
  if (mode === 'flat') {
    const actors: AnyActorRef[] = [];
    for (let i = 0; i < count; i++) actors.push(createActor(agentMachine, { input: agentInput(i) }).start());
    return {
      keep: actors,
      stop: async () => {
        for (const actor of actors) actor.stop();
      },
    };
  }
  const parent = createActor(
    setup({
      types: { events: {} as { type: 'spawn'; index: number } },
      actors: { agent: agentMachine },
    }).createMachine({
      on: {
        spawn: {
          actions: enqueueActions(({ event, enqueue }) => {
            enqueue.spawnChild('agent', { id: `agent_${event.index}`, input: agentInput(event.index) });
          }),
        },
      },
    }),
  ).start();
  for (let i = 0; i < count; i++) parent.send({ type: 'spawn', index: i });
  return {
    keep: parent,
    stop: async () => {
      parent.stop();
    },
  };
}

/**
 * Measures one mode: spawn time, then heap growth with every agent alive.
 * With `stopAfter` false the agents are left running (stopping 10,000 raw
 * XState children is O(N²) too, and the process is about to exit anyway).
 */
export async function measureScale(mode: ScaleMode, count: number, stopAfter = true): Promise<ScaleSample> {
  // Warm up the code paths (and load the modules) outside the measurement.
  const warm = spawnAll(mode, Math.min(100, count));
  await warm.stop();
  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const spawned = spawnAll(mode, count);
  const spawnMs = Number(process.hrtime.bigint() - start) / 1e6;
  collect();
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  const sample: ScaleSample = { mode, count, spawnMs, heapBytes, heapBytesPerAgent: heapBytes / count };
  // `keep` holds the agents until the heap was read.
  if (spawned.keep === undefined) throw new Error('nothing spawned');
  if (stopAfter) await spawned.stop();
  return sample;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, countText] = process.argv.slice(2);
  if (!isScaleMode(mode)) throw new Error(`usage: scale-child.ts troupe|xstate-parent|flat <count> (got "${mode}")`);
  const count = Number(countText ?? '10000');
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive whole number, got "${countText}"`);
  const sample = await measureScale(mode, count, false);
  process.stdout.write(`${JSON.stringify(sample)}\n`, () => process.exit(0));
}
