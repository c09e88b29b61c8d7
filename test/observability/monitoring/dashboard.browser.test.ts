import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`dashboard.browser.test: skipped, ${CHROMIUM} does not exist (apt-get install -y chromium; .ci/run does it)`);
}

const SCREENSHOT = '/tmp/troupe-dashboard.png';

describe('the live dashboard in a real browser', () => {
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

  it.skipIf(!hasChromium)('shows agents on their state machine, Gantt bars, the cost and an alert while a workflow runs', async () => {
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.OPENAI_API_KEY;
    orchestrator = new Orchestrator({
      simulated: { latencyMs: 120, jitterMs: 40 },
      maxCostPerAgentCents: 50,
      totalCostLimitCents: 300,
      maxParallelAgents: 2,
    });
    const { dashboardUrl = '' } = await orchestrator.enableMonitoring({
      dashboardPort: 0,
      alertThresholds: { cost_per_task: 0.0001, error_rate: 0.5 },
    });
    if (!browser) throw new Error('chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1360, height: 960 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(dashboardUrl);
    await page.locator('#conn.live').waitFor();

    const run = orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'market_researcher', taskDescription: 'Research current market trends', priority: 'high' },
        { agentId: 'risk_assessor', taskDescription: 'Assess the main risks' },
        { agentId: 'strategy_writer', taskDescription: 'Write the strategy', dependencies: ['market_researcher', 'risk_assessor'] },
      ],
    });

    // While it runs: an agent is highlighted in a working phase, and its task has a running bar.
    const working = page.locator('.agent[data-agent] g.node.current[data-phase="thinking"], .agent[data-agent] g.node.current[data-phase="acting"], .agent[data-agent] g.node.current[data-phase="reflecting"]');
    await working.first().waitFor({ timeout: 20_000 });
    await page.locator('.gantt-bar[data-status="running"]').first().waitFor({ timeout: 20_000 });
    // A running agent shows the text the model is streaming for it.
    const live = page.locator('.agent[data-agent] [data-testid="live-text"]').first();
    await live.waitFor({ timeout: 20_000 });
    expect(await live.textContent()).toMatch(/^(thinking|acting|reflecting)\S*.*\S/s);
    await page.screenshot({ path: '/tmp/troupe-dashboard-running.png', fullPage: true });

    const result = await run;
    expect(result.status).toBe('succeeded');

    // Finished: every task has a succeeded bar, every agent card shows `done` highlighted, once.
    await expect.poll(() => page.locator('.gantt-bar[data-status="succeeded"]').count(), { timeout: 10_000 }).toBe(3);
    const cards = page.locator('.agent[data-agent]');
    await expect.poll(() => cards.count()).toBe(3);
    for (const agentId of ['market_researcher', 'risk_assessor', 'strategy_writer']) {
      const card = page.locator(`.agent[data-agent="${agentId}"]`);
      await expect.poll(() => card.locator('g.node.current').getAttribute('data-phase'), { timeout: 10_000 }).toBe('done');
      expect(await card.locator('g.node.current').count()).toBe(1);
      expect(await card.locator('g.node').count()).toBe(11);
    }

    // The cost figure is the ledger's spending, in cents, against the total limit.
    const spent = orchestrator.budget.snapshot().totalSpentCents;
    expect(spent).toBeGreaterThan(0);
    await expect.poll(async () => parseFloat((await page.locator('[data-testid="cost-spent"]').textContent()) ?? '')).toBeCloseTo(spent, 1);
    expect(await page.locator('[data-testid="cost"]').textContent()).toContain('$3.00 total limit');

    // The tiny cost_per_task threshold fired once.
    const alert = page.locator('[data-testid="alerts"] li[data-alert="cost_per_task"]');
    await alert.waitFor();
    expect(await alert.count()).toBe(1);
    expect(await alert.textContent()).toContain('above $0.0001');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`dashboard screenshot: ${SCREENSHOT}`);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
