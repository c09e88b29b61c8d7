/**
 * broadcast and subscribe: delivery by event type and prefix, subscriber
 * filters, ordering, unsubscribing, malformed patterns, and what an agent
 * keeps of what it observed (memory, respawns, the observation bound).
 */
import { describe, expect, it } from 'vitest';
import type { OrchestratorConfig } from '../../src/index.js';
import type { BroadcastMessage } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { MAX_OBSERVATIONS } from '../../src/index.js';
import { ConfigError } from '../../src/index.js';
import type { TroupeEvent } from '../../src/index.js';
import { systemText } from '../../src/index.js';
import { plain, poolOrchestrators } from '../support/pool-orchestrator.js';

const orchestrator = poolOrchestrators();


describe('broadcast and subscribe', () => {
  function fleet(config: OrchestratorConfig = {}) {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const o = orchestrator(model, config);
    o.registerTemplate('analyst', { ...plain, role: 'risk analyst', tags: ['finance'] });
    o.registerTemplate('writer', { ...plain, role: 'writer' });
    return { o, model };
  }

  it('delivers by exact type and by prefix, and each subscription once per broadcast', async () => {
    const { o } = fleet();
    const seen: string[] = [];
    o.subscribe({ agentId: 'exact', eventTypes: ['risk.alert'], callback: (m) => seen.push(`exact:${m.eventType}`) });
    o.subscribe({ agentId: 'prefix', eventTypes: ['risk.*'], callback: (m) => seen.push(`prefix:${m.eventType}`) });
    o.subscribe({ agentId: 'both', eventTypes: ['risk.*', 'risk.alert', '*'], callback: (m) => seen.push(`both:${m.eventType}`) });
    o.subscribe({ agentId: 'other', eventTypes: ['discovery'], callback: (m) => seen.push(`other:${m.eventType}`) });

    const report = await o.broadcast({ fromAgent: 'researcher', eventType: 'risk.alert', data: { level: 'high' } });
    await o.broadcast({ fromAgent: 'researcher', eventType: 'risk.alert.high', data: 1 });
    await o.broadcast({ fromAgent: 'researcher', eventType: 'risk', data: 2 });

    expect(report.recipients.slice().sort()).toEqual(['both', 'exact', 'prefix']);
    expect(seen.sort()).toEqual([
      'both:risk',
      'both:risk.alert',
      'both:risk.alert.high',
      'exact:risk.alert',
      'prefix:risk.alert',
      'prefix:risk.alert.high',
    ]);
  });

  it('passes subscribers through subscriberFilter by their agent descriptor (role, template, tags)', async () => {
    const { o } = fleet();
    o.spawnAgent({ agentId: 'ana', template: 'analyst' });
    o.spawnAgent({ agentId: 'wes', template: 'writer' });
    const seenBy: string[] = [];
    const descriptors: unknown[] = [];
    for (const agentId of ['ana', 'wes']) {
      o.subscribe({ agentId, eventTypes: ['discovery'], callback: (m) => seenBy.push(m.agentId) });
    }
    const report = await o.broadcast({
      fromAgent: 'researcher',
      eventType: 'discovery',
      data: { finding: 'New market opportunity identified', confidence: 0.9, impact: 'high' },
      subscriberFilter: (agent) => {
        descriptors.push(agent);
        return agent.role.includes('analyst');
      },
    });
    expect(seenBy).toEqual(['ana']);
    expect(report.recipients).toEqual(['ana']);
    expect(descriptors).toContainEqual({ id: 'ana', role: 'risk analyst', template: 'analyst', tags: ['finance'] });
  });

  it('keeps delivering when a callback throws, and reports the error as an event', async () => {
    const { o } = fleet();
    const failures: TroupeEvent<'broadcast.callback.failed'>[] = [];
    o.events.on('broadcast.callback.failed', (e) => failures.push(e));
    const seen: string[] = [];
    o.subscribe({ agentId: 'a', eventTypes: ['x'], callback: () => seen.push('a') });
    o.subscribe({ agentId: 'bad', eventTypes: ['x'], callback: () => { throw new Error('boom'); } });
    o.subscribe({ agentId: 'rejects', eventTypes: ['x'], callback: async () => { throw new Error('async boom'); } });
    o.subscribe({ agentId: 'c', eventTypes: ['x'], callback: () => seen.push('c') });

    const report = await o.broadcast({ fromAgent: 's', eventType: 'x' });

    expect(seen).toEqual(['a', 'c']);
    expect(report.failures).toBe(2);
    expect(failures.map((f) => [f.agentId, f.error.message]).sort()).toEqual([
      ['bad', 'boom'],
      ['rejects', 'async boom'],
    ]);
  });

  it("delivers one sender's broadcasts to each subscriber in order, even with async callbacks", async () => {
    const { o } = fleet();
    const syncSeen: number[] = [];
    const asyncSeen: number[] = [];
    o.subscribe({ agentId: 'sync', eventTypes: ['tick'], callback: (m) => { syncSeen.push(Number(m.data)); } });
    o.subscribe({
      agentId: 'async',
      eventTypes: ['tick'],
      callback: async (m: BroadcastMessage) => {
        // Earlier ticks take longer: without queueing they would finish out of order.
        for (let i = 0; i < 50 - Number(m.data); i++) await Promise.resolve();
        asyncSeen.push(Number(m.data));
      },
    });
    const sends = Array.from({ length: 50 }, (_, i) => o.broadcast({ fromAgent: 'clock', eventType: 'tick', data: i }));
    await Promise.all(sends);
    const expected = Array.from({ length: 50 }, (_, i) => i);
    expect(syncSeen).toEqual(expected);
    expect(asyncSeen).toEqual(expected);
  });

  it('stops delivering after unsubscribe, and never delivers to the sender itself', async () => {
    const { o } = fleet();
    const seen: string[] = [];
    const off = o.subscribe({ agentId: 'a', eventTypes: ['x'], callback: () => seen.push('a') });
    o.subscribe({ agentId: 'sender', eventTypes: ['x'], callback: () => seen.push('sender') });
    await o.broadcast({ fromAgent: 'sender', eventType: 'x' });
    off();
    await o.broadcast({ fromAgent: 'sender', eventType: 'x' });
    expect(seen).toEqual(['a']);
  });

  it('refuses malformed patterns and wildcard broadcasts with ConfigError', async () => {
    const { o } = fleet();
    expect(() => o.subscribe({ agentId: 'a', eventTypes: ['risk*'] })).toThrow(ConfigError);
    expect(() => o.subscribe({ agentId: 'a', eventTypes: [] })).toThrow(ConfigError);
    // broadcast returns a promise, so it rejects rather than throws.
    await expect(o.broadcast({ fromAgent: 'a', eventType: 'risk.*' })).rejects.toThrow(ConfigError);
  });

  it("puts broadcasts into live agents' memory as observations, which their next prompts show", async () => {
    const { o, model } = fleet();
    const ana = o.spawnAgent({ agentId: 'ana', template: 'analyst' });
    o.subscribe({ agentId: 'ana', eventTypes: ['risk.*'] });
    await o.broadcast({ fromAgent: 'researcher', eventType: 'risk.alert', data: { level: 'high' } });

    const snapshot: unknown = ana.actor?.getSnapshot();
    expect(JSON.stringify(snapshot)).toContain('[risk.alert from researcher] {\\"level\\":\\"high\\"}');
    await o.runOn('ana', { taskId: 't1', task: 'Assess' });
    expect(systemText(model.requests[0]?.system)).toContain(
      'Observations shared with you:\n- [risk.alert from researcher] {"level":"high"}',
    );
  });

  it('keeps broadcasts for stopped agents and gives them back when they respawn', async () => {
    const { o, model } = fleet();
    o.spawnAgent({ agentId: 'ana', template: 'analyst' });
    o.subscribe({ agentId: 'ana', eventTypes: ['discovery'] });
    o.stopAgent('ana');

    const report = await o.broadcast({ fromAgent: 'researcher', eventType: 'discovery', data: 'opportunity in APAC' });
    expect(report.recipients).toEqual(['ana']);
    expect(o.memoryOf('ana')?.observations).toEqual(['[discovery from researcher] opportunity in APAC']);

    o.spawnAgent({ agentId: 'ana', template: 'analyst' });
    await o.runOn('ana', { taskId: 't1', task: 'Plan' });
    expect(systemText(model.requests[0]?.system)).toContain(
      '[discovery from researcher] opportunity in APAC',
    );
  });

  it(`keeps at most ${MAX_OBSERVATIONS} observations, dropping the oldest`, async () => {
    const { o } = fleet();
    o.spawnAgent({ agentId: 'ana', template: 'analyst' });
    o.subscribe({ agentId: 'ana', eventTypes: ['n'] });
    for (let i = 0; i < MAX_OBSERVATIONS + 5; i++) await o.broadcast({ fromAgent: 's', eventType: 'n', data: i });
    o.stopAgent('ana');
    const observations = o.memoryOf('ana')?.observations ?? [];
    expect(observations).toHaveLength(MAX_OBSERVATIONS);
    expect(observations[0]).toBe('[n from s] 5');
    expect(observations.at(-1)).toBe(`[n from s] ${MAX_OBSERVATIONS + 4}`);
  });
});
