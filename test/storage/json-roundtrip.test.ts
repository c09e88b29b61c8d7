/**
 * Any JSON a model or a user gives (keys `__proto__`, `constructor`,
 * `prototype` included) round-trips through journals (fs and memory),
 * artifacts (fs and memory) and a workflow run, and no prototype is polluted.
 * Random values come from a seeded generator, so a failure reproduces.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_USAGE } from '../../src/index.js';
import type { TaskResult } from '../../src/index.js';
import { readCassette, writeCassette } from '../../src/testing.js';
import { createScriptedProvider } from '../../src/testing.js';
import { FsJournalStorage } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import type { JournalStorage } from '../../src/index.js';
import { parseSafe, stringifySafe } from '../../src/storage/index.js';
import { SharedContextStore } from '../../src/index.js';
import { WorkflowJournals } from '../../src/index.js';
import { Orchestrator } from '../../src/index.js';

const directories: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-json-'));
  directories.push(dir);
  return dir;
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
  // No test may leave anything on Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
});
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** mulberry32: a small seeded generator. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['__proto__', 'constructor', 'prototype', '~__proto__', '~~constructor', '~prototype', 'toString', 'hasOwnProperty', 'valueOf', '', '0', '17', 'name', 'ключ', '鍵', '🔑', 'a.b', 'a"b', '\n', 'polluted'];
const STRINGS = ['', 'plain', 'naïve café', '日本語のテキスト', '👩‍👩‍👧 emoji', '\u0000\u001f control', '"quoted" \\ back', '\ud800 lone surrogate', 'line\nbreak', '__proto__'];
const NUMBERS = [0, -1, 1, 42, -0.5, 3.141592653589793, 1e21, -1e-7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 5e-324, 1.7976931348623157e308];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** A random JSON value; objects get their keys as own properties, as JSON.parse makes them. */
function randomJson(random: () => number, depth: number): Json {
  const roll = random();
  if (depth <= 0 || roll < 0.35) {
    const scalar = random();
    if (scalar < 0.1) return null;
    if (scalar < 0.2) return random() < 0.5;
    if (scalar < 0.55) return pick(random, NUMBERS);
    return pick(random, STRINGS) + (random() < 0.3 ? String(Math.floor(random() * 1000)) : '');
  }
  if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
  const object: { [key: string]: Json } = {};
  const size = Math.floor(random() * 5);
  for (let index = 0; index < size; index++) {
    Object.defineProperty(object, pick(random, KEYS), { value: randomJson(random, depth - 1), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** Every plain object inside `value` still has Object.prototype (a `__proto__` key never became a prototype). */
function prototypesIntact(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(prototypesIntact);
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(prototypesIntact);
}

/** Same JSON text (key order, every own key incl. `__proto__`) and intact prototypes. */
function expectSameJson(actual: unknown, expected: Json): void {
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  expect(prototypesIntact(actual)).toBe(true);
}

const SAMPLES = 60;
function samples(seed: number): Json[] {
  const random = seeded(seed);
  // Always include the three reserved keys at the top, then random values.
  const fixed: Json = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":[{"__proto__":null}]}');
  return [fixed, ...Array.from({ length: SAMPLES }, () => randomJson(random, 5))];
}

function taskResult(structured: Json): TaskResult {
  return {
    agentId: 'a', status: 'succeeded', output: 'done', structured, confidence: 1, attempts: 1, costCents: 0, usage: EMPTY_USAGE,
    startedAt: 1, finishedAt: 2, durationSeconds: 1, alternatives: [], simulated: true,
  };
}

describe('random JSON with reserved keys round-trips', () => {
  it('through the codec, without touching Object.prototype', () => {
    for (const value of samples(1)) expectSameJson(parseSafe(stringifySafe(value)), value);
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });

  it.each(['memory', 'fs'] as const)('through the journal (%s storage)', async (kind) => {
    const storage: JournalStorage = kind === 'memory' ? new MemoryJournalStorage() : new FsJournalStorage({ directory: tempDir() });
    const journals = new WorkflowJournals({ storage, now: () => 1 });
    const values = samples(kind === 'memory' ? 2 : 3);
    for (const [index, value] of values.entries()) {
      const run = journals.open(`wf_${index}`);
      await run.append({
        type: 'workflow.started', workflowId: `wf_${index}`,
        tasks: [{ agentId: 'a', taskDescription: 't', inputData: value, hasCondition: false }],
        options: { continueOnFailure: false, collectThinkingTraces: false, generateSummary: false, maxParallelAgents: 1 },
      });
      await run.append({ type: 'task.finished', agentId: 'a', result: taskResult(value) });
      await journals.close(`wf_${index}`);
    }
    for (const [index, value] of values.entries()) {
      const reading = (await journals.read(`wf_${index}`));
      expect(reading?.malformedLines).toEqual([]);
      const [started, finished] = reading?.records ?? [];
      if (started?.type !== 'workflow.started' || finished?.type !== 'task.finished') throw new Error('records missing');
      expectSameJson(started.tasks[0]?.inputData, value);
      expectSameJson(finished.result.structured, value);
    }
  });

  it.each(['memory', 'fs'] as const)('through artifacts, content and metadata (%s storage)', async (kind) => {
    const workspacePath = tempDir();
    const open = (): SharedContextStore =>
      kind === 'memory'
        ? new SharedContextStore({ storage: 'memory', agentPermissions: { '*': ['read', 'write', 'delete'] } })
        : new SharedContextStore({ workspacePath, agentPermissions: { '*': ['read', 'write', 'delete'] } });
    const store = open();
    const values = samples(kind === 'memory' ? 4 : 5);
    for (const [index, value] of values.entries()) {
      await store.storeArtifact({ artifactId: `doc_${index}`, content: value, metadata: { extra: value }, agentId: 'w' });
    }
    const check = async (reader: SharedContextStore): Promise<void> => {
      for (const [index, value] of values.entries()) {
        const artifact = await reader.getArtifact({ artifactId: `doc_${index}`, agentId: 'r' });
        expectSameJson(artifact.content, value);
        expectSameJson(artifact.metadata['extra'], value);
      }
    };
    await check(store);
    await store.close();
    if (kind === 'fs') {
      // A new store reads the versions back from disk.
      const reopened = open();
      cleanups.push(() => reopened.close());
      await check(reopened);
    }
  });

  it('through a cassette (recorded model answers)', () => {
    const path = join(tempDir(), 'cassette.json');
    const values = samples(6);
    const entries = Object.fromEntries(
      values.map((value, index) => [
        `hash_${index}`,
        {
          request: { model: 'm', messages: [], maxTokens: 10 },
          responses: [{ text: 't', toolCalls: [{ id: 'c', name: 'tool', input: value }], structured: value, usage: EMPTY_USAGE, model: 'm', stopReason: 'end_turn' as const }],
        },
      ]),
    );
    writeCassette(path, { version: 1, provider: 'p', entries });
    const read = readCassette(path);
    values.forEach((value, index) => {
      const response = read.entries[`hash_${index}`]?.responses[0];
      expectSameJson(response?.structured, value);
      expectSameJson(response?.toolCalls[0]?.input, value);
    });
  });

  it('through a journaled workflow: inputData and a model structured answer with reserved keys', async () => {
    const answer: Json = JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":"p"}');
    const inputData: Json = JSON.parse('{"constructor":"c","nested":[{"__proto__":[1,2]}]}');
    const provider = createScriptedProvider({ fallback: () => ({ text: 'ok', structured: answer }) });
    const o = new Orchestrator({ provider, workspacePath: tempDir() });
    cleanups.push(() => o.shutdown());
    // The scripted answer is the task's, not a reflection's: the agent does not reflect.
    o.registerTemplate('a', { enableSelfReflection: false });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'extract', inputData }] });
    expect(run.status, JSON.stringify(run.results.a?.error)).toBe('succeeded');
    expectSameJson(run.results.a?.structured, answer);
    const recorded = (await o.getWorkflow(run.workflowId));
    expect(recorded?.status).toBe('succeeded');
    expectSameJson(recorded?.result?.results.a?.structured, answer);
    expect(Reflect.get({}, 'isAdmin')).toBeUndefined();
  });
});
