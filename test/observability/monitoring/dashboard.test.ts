import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator } from '../../../src/index.js';
import { ConfigError } from '../../../src/index.js';
import { EMPTY_USAGE } from '../../../src/index.js';
import type { ModelResponse } from '../../../src/index.js';
import { createScriptedProvider } from '../../../src/testing.js';
import type { DashboardSnapshot } from '../../../src/index.js';
import { phaseOfState } from '../../../src/observability/monitoring/dashboard/index.js';
import { startDashboardServer } from '../../../src/index.js';

const saved = { anthropic: process.env.ANTHROPIC_API_KEY, openai: process.env.OPENAI_API_KEY };
beforeEach(() => {
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.OPENAI_API_KEY;
});
afterEach(() => {
  if (saved.anthropic !== undefined) process.env.ANTHROPIC_API_KEY = saved.anthropic;
  if (saved.openai !== undefined) process.env.OPENAI_API_KEY = saved.openai;
});

function isSnapshot(value: unknown): value is DashboardSnapshot {
  return typeof value === 'object' && value !== null && 'agents' in value && 'workflows' in value && 'cost' in value;
}

/** Reads the dashboard's event stream; keeps every raw payload. */
function openStream(url: string) {
  const controller = new AbortController();
  const raw: string[] = [];
  const snapshots: DashboardSnapshot[] = [];
  const waiters: { test: (s: DashboardSnapshot) => boolean; resolve: (s: DashboardSnapshot) => void }[] = [];
  const done = (async () => {
    const response = await fetch(new URL('events', url), { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        raw.push(message);
        const data = message.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const parsed: unknown = JSON.parse(data.slice(6));
        if (!isSnapshot(parsed)) continue;
        snapshots.push(parsed);
        for (const waiter of [...waiters]) {
          if (waiter.test(parsed)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(parsed);
          }
        }
      }
    }
  })().catch((error: unknown) => {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  });
  return {
    raw,
    snapshots,
    done,
    /** The first snapshot (already received or coming) that passes `test`. */
    until(test: (s: DashboardSnapshot) => boolean): Promise<DashboardSnapshot> {
      const seen = snapshots.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    close: () => controller.abort(),
  };
}

/** A scripted model whose answers wait until the test releases them. */
function gatedModel() {
  const gates: (() => void)[] = [];
  const model = createScriptedProvider({
    fallback: async (): Promise<Partial<ModelResponse>> => {
      await new Promise<void>((resolve) => gates.push(resolve));
      // Usage a request of this size can have: more input than it holds would be an overrun, which closes the limits.
      return { text: 'answer', usage: { ...EMPTY_USAGE, inputTokens: 120, outputTokens: 100 } };
    },
  });
  return {
    model,
    waiting: () => gates.length,
    releaseAll: () => {
      for (const open of gates.splice(0)) open();
    },
  };
}

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard server', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.shutdown();
    orchestrator = undefined;
  });

  it('listens on 127.0.0.1 at a free port and serves a self-contained page', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false });
    const { dashboardUrl } = await orchestrator.enableMonitoring({ dashboardPort: 0 });
    expect(dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(dashboardUrl ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('EventSource');
    // No external assets: nothing is loaded from another origin.
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    const state: unknown = await (await fetch(new URL('state', dashboardUrl))).json();
    expect(isSnapshot(state)).toBe(true);
    expect((await fetch(new URL('nope', dashboardUrl))).status).toBe(404);
    expect((await fetch(dashboardUrl ?? '', { method: 'POST' })).status).toBe(405);
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({ dashboardPort: 0 });
    const port = new URL(dashboardUrl).port;
    expect(await getWithHost(dashboardUrl, `evil.example:${port}`)).toBe(403);
    expect(await getWithHost(dashboardUrl, `localhost:${port}`)).toBe(200);
  });

  it('streams agents in their current state, the tasks on a timeline, cost, tokens and alerts', async () => {
    const gated = gatedModel();
    orchestrator = new Orchestrator({
      provider: gated.model,
      model: 'claude-3-5-haiku',
      enableThinkingAgents: false,
      totalCostLimitCents: 500,
      maxCostPerAgentCents: 100,
    });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({
      dashboardPort: 0,
      dashboardThrottleMs: 5,
      alertThresholds: { cost_per_task: 0.0001 },
    });
    const stream = openStream(dashboardUrl);
    await stream.until(() => true); // connected: the first snapshot arrives at once
    const run = orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'researcher', taskDescription: 'Research' },
        { agentId: 'writer', taskDescription: 'Write', dependencies: ['researcher'] },
      ],
    });
    // The researcher's model call is held: its agent is drawn in `acting`, its bar is running.
    const acting = await stream.until((s) => s.agents.some((a) => a.id === 'researcher' && a.phase === 'acting'));
    expect(acting.workflows[0]?.tasks).toEqual([expect.objectContaining({ agentId: 'researcher', status: 'running' })]);
    expect(acting.workflows[0]?.status).toBe('running');
    // Let both calls through.
    const release = setInterval(() => gated.releaseAll(), 5);
    const result = await run;
    clearInterval(release);
    expect(result.status).toBe('succeeded');
    const final = await stream.until((s) => s.workflows[0]?.status === 'succeeded' && s.alerts.length > 0);
    const budget = orchestrator.budget.snapshot();
    expect(final.cost.spentCents).toBe(budget.totalSpentCents);
    expect(final.cost.spentCents).toBeGreaterThan(0);
    expect(final.cost).toMatchObject({ totalLimitCents: 500, perAgentLimitCents: 100 });
    const calls = gated.model.requests.length; // acting and reflecting, per task
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(final.tokens).toMatchObject({ input: 120 * calls, output: 100 * calls });
    const bars = final.workflows[0]?.tasks ?? [];
    expect(bars.map((t) => [t.agentId, t.status])).toEqual([
      ['researcher', 'succeeded'],
      ['writer', 'succeeded'],
    ]);
    for (const bar of bars) expect(bar.finishedAt ?? 0).toBeGreaterThanOrEqual(bar.startedAt ?? Infinity);
    expect(final.alerts[0]).toMatchObject({ name: 'cost_per_task', agentId: 'researcher' });
    expect(final.agents.find((a) => a.id === 'writer')?.phase).toBe('done');
    stream.close();
    await stream.done;
  });

  it('never streams prompt text or API keys (live text off)', async () => {
    const secretKey = 'sk-ant-api03-TOPSECRETKEY0000000000000000000000000000';
    const secretText = 'hunter2-PASSWORD-7f3a9c';
    orchestrator = new Orchestrator({
      anthropic: { apiKey: secretKey },
      provider: 'simulated',
      simulated: { latencyMs: 5 },
      maxCostPerAgentCents: 100,
    });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({
      dashboardPort: 0,
      dashboardThrottleMs: 1,
      alertThresholds: { cost_per_task: 0, execution_time: 0, confidence_min: 1 },
      dashboardLiveText: false,
    });
    const stream = openStream(dashboardUrl);
    await stream.until(() => true);
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'auditor', taskDescription: `Check whether the admin password ${secretText} is strong`, inputData: { password: secretText } },
        { agentId: 'reporter', taskDescription: `Report on ${secretText}`, dependencies: ['auditor'] },
      ],
      generateSummary: true,
    });
    expect(run.summary.length).toBeGreaterThan(0);
    await stream.until((s) => s.workflows[0]?.status !== 'running' && s.alerts.length >= 2);
    const html = await (await fetch(dashboardUrl)).text();
    const state = await (await fetch(new URL('state', dashboardUrl))).text();
    stream.close();
    await stream.done;
    expect(stream.raw.length).toBeGreaterThan(2);
    for (const text of [html, state, ...stream.raw]) {
      expect(text).not.toContain(secretKey);
      expect(text).not.toContain('TOPSECRET');
      expect(text).not.toContain(secretText);
      expect(text).not.toContain('hunter2');
    }
    // The payloads did carry the run: ids, statuses and numbers.
    expect(state).toContain('"auditor"');
    expect(state).toContain('"succeeded"');
  });

  it("shows each agent's live streamed text, the tail of it, with keys cut out", async () => {
    const secretKey = 'sk-ant-api03-LIVETEXTKEY000000000000000000000000000000';
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const long = 'word '.repeat(1000);
    const model = createScriptedProvider().enqueue({ chunks: ['Hello ', 'from ', 'the writer ', `key ${secretKey} `, long, 'THE END', { gate }] });
    orchestrator = new Orchestrator({ anthropic: { apiKey: secretKey }, provider: model, enableThinkingAgents: false });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({ dashboardPort: 0, dashboardThrottleMs: 1 });
    const stream = openStream(dashboardUrl);
    await stream.until(() => true);
    const run = orchestrator.executeWorkflow({ tasks: [{ agentId: 'writer', taskDescription: 'Write' }] });
    const early = await stream.until((s) => s.agents.some((a) => a.id === 'writer' && a.liveText.includes('Hello from')));
    expect(early.agents.find((a) => a.id === 'writer')?.liveStep).toBe('acting');
    const late = await stream.until((s) => s.agents.some((a) => a.id === 'writer' && a.liveText.endsWith('THE END')));
    const writer = late.agents.find((a) => a.id === 'writer');
    expect(writer?.liveText.length).toBe(2048);
    for (const text of stream.raw) expect(text).not.toContain(secretKey);
    open();
    model.enqueue({ structured: { confidence: 0.9, critique: 'ok' } });
    await run;
    stream.close();
    await stream.done;
  });

  it('makes model calls stream only while a browser watches', async () => {
    const scripted = createScriptedProvider({ fallback: () => ({ chunks: ['a ', 'b'] }) });
    let streams = 0;
    const stream = scripted.stream?.bind(scripted);
    orchestrator = new Orchestrator({
      provider: {
        name: 'counted',
        complete: (request) => scripted.complete(request),
        ...(stream
          ? {
              stream: (request, onDelta) => {
                streams++;
                return stream(request, onDelta);
              },
            }
          : {}),
      },
      enableThinkingAgents: false,
    });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({ dashboardPort: 0, dashboardThrottleMs: 1 });
    const task = (id: string) => ({ tasks: [{ agentId: id, taskDescription: 'Go' }] });
    await orchestrator.executeWorkflow(task('before'));
    expect(streams).toBe(0);
    const watcher = openStream(dashboardUrl);
    await watcher.until(() => true);
    await orchestrator.executeWorkflow(task('watched'));
    expect(streams).toBeGreaterThan(0);
    watcher.close();
    await watcher.done;
    // The server sees the browser leave on its own schedule: wait until nobody is counted.
    let runs = 0;
    await vi.waitFor(async () => {
      const before = streams;
      await orchestrator?.executeWorkflow(task(`after_${runs++}`));
      expect(streams).toBe(before);
    });
  });

  it('builds no snapshot while no browser is connected', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false, simulated: { latencyMs: 1 } });
    await orchestrator.enableMonitoring({ dashboardPort: 0, dashboardThrottleMs: 1 });
    const snapshots = vi.spyOn(orchestrator.budget, 'snapshot');
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'one' }, { agentId: 'b', taskDescription: 'two' }] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(snapshots).not.toHaveBeenCalled();
  });

  it('stops with orchestrator.shutdown(): streams end and the port closes', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({ dashboardPort: 0 });
    const stream = openStream(dashboardUrl);
    await stream.until(() => true);
    await orchestrator.shutdown();
    await stream.done; // the server ended the stream
    await expect(fetch(dashboardUrl)).rejects.toThrow();
  });

  it('replaces the previous dashboard when enabled again, and checks its port', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false });
    const first = await orchestrator.enableMonitoring({ dashboardPort: 0 });
    const second = await orchestrator.enableMonitoring({ dashboardPort: 0, metrics: ['cost'] });
    await expect(fetch(first.dashboardUrl ?? '')).rejects.toThrow();
    expect((await fetch(second.dashboardUrl ?? '')).status).toBe(200);
    expect(orchestrator.getMetrics().collected).toEqual(['cost']);
    await expect(orchestrator.enableMonitoring({ dashboardPort: 70_000 })).rejects.toThrow(ConfigError);
  });
});

describe('monitoring options', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.shutdown();
    orchestrator = undefined;
  });

  it('stamps alerts and dashboard snapshots with the injected clock', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false, journal: false, simulated: { latencyMs: 1 } });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({ dashboardPort: 0, now: () => 42_000, alertThresholds: { execution_time: 0 } });
    const alerts: number[] = [];
    orchestrator.events.on('alert', (alert) => alerts.push(alert.at));
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'one' }] });
    expect(alerts).toEqual([42_000]);
    const state: unknown = await (await fetch(new URL('state', dashboardUrl))).json();
    expect(isSnapshot(state) && state.at).toBe(42_000);
  });

  it('listens to what only the dashboard draws (task starts, retries, alerts) only when there is a dashboard', async () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false, journal: false });
    await orchestrator.enableMonitoring();
    expect(orchestrator.events.has('task.finished')).toBe(true);
    expect(orchestrator.events.has('task.started')).toBe(false);
    expect(orchestrator.events.has('alert')).toBe(false);
    await orchestrator.enableMonitoring({ dashboardPort: 0 });
    expect(orchestrator.events.has('task.started')).toBe(true);
    expect(orchestrator.events.has('alert')).toBe(true);
  });
});

describe('the dashboard stream', () => {
  /** Reads the raw SSE text of a server's /events. */
  async function rawStream(url: string) {
    const controller = new AbortController();
    const response = await fetch(new URL('events', url), { signal: controller.signal });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    const stream = { text: '', close: () => controller.abort() };
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        stream.text += decoder.decode(value, { stream: true });
      }
    })().catch(() => undefined);
    return stream;
  }
  const dataMessages = (text: string) => text.split('\n').filter((line) => line.startsWith('data: ')).length;

  it('coalesces changes into one push per dashboardThrottleMs', async () => {
    let built = 0;
    const server = await startDashboardServer({ port: 0, page: '', snapshot: () => ({ built: ++built }), throttleMs: 300 });
    try {
      const stream = await rawStream(server.url);
      await vi.waitFor(() => expect(dataMessages(stream.text)).toBe(1)); // the snapshot sent on connect
      for (let i = 0; i < 5; i++) server.notify();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(dataMessages(stream.text)).toBe(1); // nothing before the throttle window ends
      await vi.waitFor(() => expect(dataMessages(stream.text)).toBe(2), { timeout: 3_000 });
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(dataMessages(stream.text)).toBe(2); // five changes, one push
      expect(built).toBe(2);
      stream.close();
    } finally {
      await server.close();
    }
  });

  it('keeps idle streams alive with a comment every heartbeatMs', async () => {
    const server = await startDashboardServer({ port: 0, page: '', snapshot: () => ({}), heartbeatMs: 20 });
    try {
      const stream = await rawStream(server.url);
      await vi.waitFor(() => expect(stream.text).toContain(': keep-alive'), { timeout: 3_000 });
      stream.close();
    } finally {
      await server.close();
    }
  });
});

describe('agent phases', () => {
  it('are read from the agent machine state value', () => {
    expect(phaseOfState('idle')).toBe('idle');
    expect(phaseOfState({ working: 'usingTools' })).toBe('usingTools');
    expect(phaseOfState({ working: 'compacting' })).toBe('thinking');
    expect(phaseOfState({ working: 'failing' })).toBe('failed');
    expect(phaseOfState('somewhereCustom')).toBeNull();
    expect(phaseOfState(undefined)).toBeNull();
  });
});
