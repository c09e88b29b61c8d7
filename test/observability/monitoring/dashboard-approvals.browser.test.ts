import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Orchestrator } from '../../../src/index.js';
import type { ApprovalRequest } from '../../../src/index.js';
import { createScriptedProvider } from '../../../src/testing.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`dashboard-approvals.browser.test: skipped, ${CHROMIUM} does not exist (apt-get install -y chromium; .ci/run does it)`);
}

describe('approving from the dashboard in a real browser', () => {
  let browser: Browser | undefined;
  let orchestrator: Orchestrator | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await orchestrator?.shutdown();
    await browser?.close();
  });

  it.skipIf(!hasChromium)('shows the waiting agent in awaitingApproval and its request; clicking Approve runs the tool', async () => {
    const model = createScriptedProvider().enqueue({ toolCalls: [{ id: 'c1', name: 'deploy', input: { env: 'prod' } }] }, { text: 'deployed' });
    orchestrator = new Orchestrator({ provider: model, journal: false });
    const o = orchestrator;
    const ran: string[] = [];
    o.registerTool({
      name: 'deploy',
      description: 'Deploy',
      inputSchema: z.object({ env: z.string() }),
      needsApproval: true,
      execute: ({ env }) => (ran.push(env), `deployed to ${env}`),
    });
    o.registerTemplate('ops', { tools: ['deploy'], enableSelfReflection: false, enableExtendedThinking: false });
    const { dashboardUrl = '' } = await o.enableMonitoring({ dashboardPort: 0 });
    if (!browser) throw new Error('chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1360, height: 960 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(dashboardUrl);
    await page.locator('#conn.live').waitFor();

    const requested = new Promise<ApprovalRequest>((resolve) => {
      const off = o.events.on('approval.requested', ({ request }) => (off(), resolve(request)));
    });
    const run = o.executeTask({ agentId: 'ops', taskDescription: 'Deploy it' });
    const request = await requested;

    const item = page.locator(`[data-testid="approval"][data-id="${request.id}"]`);
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute('data-kind')).toBe('tool');
    expect(await item.locator('pre').textContent()).toBe('{"env":"prod"}');
    await page.locator('.agent[data-agent="ops"] g.node.current[data-phase="awaitingApproval"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: '/tmp/troupe-dashboard-approval.png', fullPage: true });
    expect(ran).toEqual([]);

    await item.locator('input[data-role="text"]').fill('ship it');
    await item.locator('button[data-verb="approve"]').click();
    const result = await run;
    expect(result.status).toBe('succeeded');
    expect(ran).toEqual(['prod']);
    expect(model.requests[1]?.messages.at(-1)?.content).toEqual([
      { type: 'tool_result', toolUseId: 'c1', content: 'deployed to prod\n\n(Approved by a person: ship it)' },
    ]);
    await expect.poll(() => page.locator('[data-testid="approval"]').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('[data-testid="approvals-status"]').textContent()).toContain('approve');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
