import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApprovalRequest, Orchestrator } from '../../../src/index.js';
import { createScriptedProvider } from '../../../src/testing.js';
import { trackedForEachTest } from '../../support/tracked.js';

const { orchestrator } = trackedForEachTest();

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request to the dashboard (loopback). */
function send(url: string, options: { method: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A task whose gated tool call waits for a person, and the dashboard watching it. */
async function waitingRun(): Promise<{ o: Orchestrator; url: string; token: string; request: ApprovalRequest; run: Promise<unknown>; ran: string[] }> {
  const model = createScriptedProvider().enqueue({ toolCalls: [{ id: 'c1', name: 'deploy', input: { env: 'prod' } }] }, { text: 'deployed' });
  const o = orchestrator({ provider: model, journal: false });
  const ran: string[] = [];
  o.registerTool({
    name: 'deploy',
    description: 'Deploy',
    inputSchema: z.object({ env: z.string() }),
    needsApproval: true,
    execute: ({ env }) => (ran.push(env), `deployed to ${env}`),
  });
  o.registerTemplate('ops', { tools: ['deploy'], enableSelfReflection: false, enableExtendedThinking: false });
  const monitoring = await o.enableMonitoring({ dashboardPort: 0 });
  const requested = new Promise<ApprovalRequest>((resolve) => {
    const off = o.events.on('approval.requested', ({ request: r }) => (off(), resolve(r)));
  });
  const run = o.executeTask({ agentId: 'ops', taskDescription: 'Deploy it' });
  return { o, url: monitoring.dashboardUrl ?? '', token: monitoring.dashboardToken ?? '', request: await requested, run, ran };
}

describe('dashboard approval actions', () => {
  it('lists the pending approval in the snapshot and the page carries the token', async () => {
    const { url, token, request: pending } = await waitingRun();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const state = JSON.parse((await send(`${url}state`, { method: 'GET' })).body) as { approvals: unknown[] };
    expect(state.approvals).toEqual([
      expect.objectContaining({ id: pending.id, kind: 'tool', tool: 'deploy', agentId: 'ops', detail: '{"env":"prod"}' }),
    ]);
    expect((await send(url, { method: 'GET' })).body).toContain(`<meta name="troupe-token" content="${token}">`);
  });

  it('refuses actions without the token (401), with a wrong one or from another origin (403): nothing is approved', async () => {
    const { o, url, token, request: pending, ran } = await waitingRun();
    const action = `${url}approvals/${pending.id}/approve`;
    const json = { 'content-type': 'application/json' };
    expect((await send(action, { method: 'POST', headers: json, body: '{}' })).status).toBe(401);
    expect((await send(action, { method: 'POST', headers: { ...json, 'x-troupe-token': 'guess' }, body: '{}' })).status).toBe(403);
    expect((await send(action, { method: 'POST', headers: { ...json, 'x-troupe-token': `${token}x` }, body: '{}' })).status).toBe(403);
    const crossSite = { ...json, 'x-troupe-token': token, origin: 'http://evil.example' };
    expect((await send(action, { method: 'POST', headers: crossSite, body: '{}' })).status).toBe(403);
    // A form post (no JSON) is refused even with the token.
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-troupe-token': token };
    expect((await send(action, { method: 'POST', headers: form, body: 'note=x' })).status).toBe(415);
    expect(o.approvals.list().map((r) => r.id)).toEqual([pending.id]);
    expect(ran).toEqual([]);
  });

  it('approves with the token; an unknown id is 404; a reject needs a reason', async () => {
    const { o, url, token, request: pending, run, ran } = await waitingRun();
    const headers = { 'content-type': 'application/json', 'x-troupe-token': token };
    expect((await send(`${url}approvals/apr_unknown/approve`, { method: 'POST', headers, body: '{}' })).status).toBe(404);
    expect((await send(`${url}approvals/${pending.id}/reject`, { method: 'POST', headers, body: '{}' })).status).toBe(400);
    const ok = await send(`${url}approvals/${pending.id}/approve`, { method: 'POST', headers, body: JSON.stringify({ note: 'from the dashboard' }) });
    expect(ok.status).toBe(200);
    await run;
    expect(ran).toEqual(['prod']);
    expect(o.approvals.list()).toEqual([]);
    expect((await send(`${url}approvals/${pending.id}/approve`, { method: 'POST', headers, body: '{}' })).status).toBe(404);
  });
});
