import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebSocketReceiver } from '@statelyai/inspect';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { createActor, createMachine } from 'xstate';
import type { InspectionEvent } from 'xstate';
import { startInspectorRelay } from '../../src/index.js';
import type { InspectorRelay } from '../../src/index.js';
import { createRedactor, REDACTED, redactInspectionEvent } from '../../src/index.js';
import { anthropicReply, SECRET_KEY, SECRET_PROMPT, SECRET_TASK, secretsIn, secretTasks, startSecretRun } from '../support/secret-run.js';
import type { SecretRun } from '../support/secret-run.js';

const execute = promisify(execFile);
let relay: InspectorRelay | undefined;
let run: SecretRun | undefined;
afterEach(async () => {
  await run?.orchestrator.shutdown();
  await run?.server.close();
  await relay?.stop();
  run = undefined;
  relay = undefined;
});

/** A field of an inspected snapshot (typed `Snapshot<unknown>`, which declares neither `value` nor `context`). */
function snapshotField(snapshot: object, key: 'value' | 'context'): unknown {
  return Reflect.get(snapshot, key);
}

function isRecordWith(value: unknown, key: string, expected: string): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Reflect.get(value, key) === expected;
}

function actorNames(events: readonly StatelyInspectionEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const event of events) if (event.type === '@xstate.actor') names.set(event.sessionId, event.name);
  return names;
}

function stateValues(events: readonly StatelyInspectionEvent[], sessionId: string | undefined): string[] {
  return events.flatMap((event) =>
    event.type === '@xstate.snapshot' && event.sessionId === sessionId ? [JSON.stringify(snapshotField(event.snapshot, 'value'))] : [],
  );
}

function sessionOf(names: Map<string, string>, name: string): string | undefined {
  return [...names].find(([, actorName]) => actorName === name)?.[0];
}

describe('the Stately inspector relay', () => {
  it('serves a page on 127.0.0.1 that embeds the Stately inspector and connects to the relay', async () => {
    relay = await startInspectorRelay();
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(relay.wsUrl).toBe(relay.url.replace('http://', 'ws://').replace(/\/$/, ''));
    const page = await (await fetch(relay.url)).text();
    expect(page).toContain('https://stately.ai/inspect');
    expect(page).toContain(JSON.stringify(relay.wsUrl));
  });

  it('shows the supervisor, the context actor, the workflow and each agent with their transitions, and no secret', async () => {
    relay = await startInspectorRelay();
    const received: StatelyInspectionEvent[] = [];
    const raw: string[] = [];
    createWebSocketReceiver({ server: relay.wsUrl }).subscribe((event) => {
      received.push(event);
      raw.push(JSON.stringify(event));
    });
    run = await startSecretRun({ inspect: relay.inspect, enableSharedContext: true, sharedContext: { storage: 'memory' } });
    run.server.reply(anthropicReply(), anthropicReply());
    const result = await run.orchestrator.executeWorkflow({ tasks: secretTasks });
    expect(result.status).toBe('succeeded');
    const workflowId = result.workflowId;
    await vi.waitFor(() => expect(stateValues(received, sessionOf(actorNames(received), workflowId))).toContain('"finished"'), {
      timeout: 10_000,
    });

    const names = actorNames(received);
    expect([...names.values()]).toEqual(expect.arrayContaining(['supervisor', 'context', workflowId, 'analyst', 'reviewer']));
    const analystStates = stateValues(received, sessionOf(names, 'analyst'));
    expect(analystStates).toEqual(expect.arrayContaining(['"idle"', '{"working":"acting"}', '"done"']));
    expect(analystStates.indexOf('"idle"')).toBeLessThan(analystStates.indexOf('{"working":"acting"}'));
    expect(analystStates.indexOf('{"working":"acting"}')).toBeLessThan(analystStates.lastIndexOf('"done"'));
    expect(stateValues(received, sessionOf(names, workflowId))).toEqual(expect.arrayContaining(['"running"', '"finished"']));

    // The secrets were really in play: the model server got all three.
    const sent = JSON.stringify(run.server.requests.map((request) => request.body));
    expect(sent).toContain(SECRET_TASK);
    expect(sent).toContain(SECRET_PROMPT);
    expect(JSON.stringify(run.server.requests[0]?.headers)).toContain(SECRET_KEY);
    // ...and reached the inspector only redacted, with ids, event types and numbers kept.
    expect(raw.flatMap(secretsIn)).toEqual([]);
    const analystDone = received.find(
      (event) => event.type === '@xstate.snapshot' && event.sessionId === sessionOf(names, 'analyst') && snapshotField(event.snapshot, 'value') === 'done',
    );
    expect(analystDone?.type === '@xstate.snapshot' ? snapshotField(analystDone.snapshot, 'context') : undefined).toMatchObject({
      agentId: 'analyst',
      task: { taskId: expect.stringContaining(workflowId), task: REDACTED },
      config: { systemPrompt: REDACTED, model: 'claude-haiku-4-5' },
      run: { usage: { inputTokens: 120, outputTokens: 30 }, costCents: expect.any(Number) },
    });
    expect(received.some((event) => event.type === '@xstate.event' && event.event.type === 'agent.task')).toBe(true);
  });

  it('gives a raw inspection observer passed to the orchestrator only redacted events', async () => {
    const seen: InspectionEvent[] = [];
    run = await startSecretRun({ inspect: (event) => seen.push(event) });
    run.server.reply(anthropicReply(), anthropicReply());
    await run.orchestrator.executeWorkflow({ tasks: secretTasks });
    // Everything an observer can reach: the event, its snapshot, and the actor's snapshot read from the ref.
    const reachable = seen.map((event) =>
      JSON.stringify({ event, actorSnapshot: event.actorRef.getSnapshot(), ...('sourceRef' in event ? { source: event.sourceRef?.getSnapshot() } : {}) }),
    );
    expect(reachable.join('\n')).toContain(REDACTED);
    expect(reachable.flatMap(secretsIn)).toEqual([]);
    expect(seen.some((event) => event.type === '@xstate.snapshot' && JSON.stringify(event.snapshot).includes('"working"'))).toBe(true);
  });
});

describe('inspector relay options', () => {
  it('embeds the inspectorUrl given, escaped', async () => {
    relay = await startInspectorRelay({ inspectorUrl: 'http://127.0.0.1:9/inspect?a=1&b="x"' });
    const page = await (await fetch(relay.url)).text();
    expect(page).toContain('src="http://127.0.0.1:9/inspect?a=1&#38;b=&#34;x&#34;"');
    expect(page).not.toContain('https://stately.ai/inspect');
  });

  it('cuts the secrets given out of every event, and replays only the last replayBufferSize messages to a late client', async () => {
    const secret = 'custom-relay-secret-0123456789';
    relay = await startInspectorRelay({ secrets: [secret], replayBufferSize: 2 });
    const early: string[] = [];
    createWebSocketReceiver({ server: relay.wsUrl }).subscribe((event) => early.push(JSON.stringify(event)));
    // A literal context is in the machine's definition too, which the inspector is sent with the actor.
    const machine = createMachine({
      id: 'probe',
      context: { note: `holds ${secret}`, systemPrompt: 'STATIC-PROMPT-text' },
      initial: 'a',
      states: { a: { on: { next: 'b' } }, b: { on: { next: 'a' } } },
    });
    const actor = createActor(machine, { inspect: relay.inspect }).start();
    for (let i = 0; i < 4; i++) actor.send({ type: 'next' });
    await vi.waitFor(() => expect(early.length).toBeGreaterThan(4), { timeout: 5_000 });
    expect(early.join('\n')).toContain(`holds ${REDACTED}`);
    expect(early.join('\n')).not.toContain(secret);
    expect(early.join('\n')).not.toContain('STATIC-PROMPT');
    const actorEvent = early.map((text): unknown => JSON.parse(text)).find((event) => isRecordWith(event, 'type', '@xstate.actor'));
    // The definition keeps the machine's shape for the inspector's graph.
    expect(JSON.parse(isRecordWith(actorEvent, 'type', '@xstate.actor') ? String(actorEvent.definition) : '{}')).toMatchObject({
      id: 'probe',
      initial: 'a',
      states: { a: { on: { next: 'b' } } },
    });

    const late: string[] = [];
    createWebSocketReceiver({ server: relay.wsUrl }).subscribe((event) => late.push(JSON.stringify(event)));
    await vi.waitFor(() => expect(late).toHaveLength(2), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(late).toEqual(early.slice(-2));
    actor.stop();
  });
});

describe('a stopped relay', () => {
  it('leaves nothing running: a program that starts and stops one at once exits', async () => {
    // Stopped before its observer's socket opened, the relay used to leave the socket reconnecting every 5 s, for ever.
    const script = `import { startInspectorRelay } from './src/index.ts';
      const relay = await startInspectorRelay();
      await relay.stop();
      console.log('stopped');`;
    // A process still running at 45 s is killed, and the call rejects.
    const { stdout } = await execute('node', ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 45_000 });
    expect(stdout.trim()).toBe('stopped');
  });

  it('does no work for inspection events still sent to its observer', async () => {
    relay = await startInspectorRelay();
    const captured: InspectionEvent[] = [];
    createActor(createMachine({ id: 'm' }), { inspect: (event) => captured.push(event) }).start();
    await relay.stop();
    vi.useFakeTimers();
    try {
      for (const event of captured) relay.inspect.next?.(event);
      expect(captured.length).toBeGreaterThan(0);
      expect(vi.getTimerCount()).toBe(0); // the adapter schedules one timer per event it takes
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('redacting inspection events', () => {
  it('keeps state values, ids, event types, costs and usage, and replaces prompts and keys', () => {
    const machine = createMachine({
      id: 'probe',
      context: {
        agentId: 'a1',
        task: { taskId: 't1', task: 'secret task text' },
        config: { systemPrompt: 'secret system', temperature: 0.2 },
        headers: { authorization: 'Bearer secret-token' },
        provider: { apiKey: 'secret-key' },
        run: { costCents: 1.5, usage: { inputTokens: 10, outputTokens: 2 }, conversation: [{ role: 'user', content: 'secret message' }] },
      },
      initial: 'idle',
      states: { idle: { on: { go: 'busy' } }, busy: {} },
    });
    const events: InspectionEvent[] = [];
    const actor = createActor(machine, { inspect: (event) => events.push(event) }).start();
    actor.send({ type: 'go', toolCalls: [{ id: 'c1', name: 'search', input: { query: 'secret query' } }], costCents: 2 });
    const redactor = createRedactor();
    const text = JSON.stringify(events.map((event) => redactInspectionEvent(redactor, event)));
    expect(text).not.toMatch(/secret/);
    const snapshot = events.map((event) => redactInspectionEvent(redactor, event)).find((event) => event.type === '@xstate.snapshot' && event.event.type === 'go');
    expect(snapshot?.type === '@xstate.snapshot' ? JSON.parse(JSON.stringify(snapshot)) : undefined).toMatchObject({
      event: { type: 'go', costCents: 2, toolCalls: [{ id: REDACTED, name: REDACTED, input: { query: REDACTED } }] },
      snapshot: {
        value: 'busy',
        context: {
          agentId: 'a1',
          task: { taskId: 't1', task: REDACTED },
          config: { systemPrompt: REDACTED, temperature: 0.2 },
          headers: { authorization: REDACTED },
          provider: { apiKey: REDACTED },
          run: { costCents: 1.5, usage: { inputTokens: 10, outputTokens: 2 }, conversation: [{ role: REDACTED, content: REDACTED }] },
        },
      },
    });
    actor.stop();
  });
});
