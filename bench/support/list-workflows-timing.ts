/**
 * Times `listWorkflows` over many fs journals (not a bench case: run by hand).
 *
 *   npx tsx bench/support/list-workflows-timing.ts make <workspace> 200   # journal 200 runs
 *   npx tsx bench/support/list-workflows-timing.ts time <workspace>       # time listing them
 *
 * `time` opens a fresh orchestrator on the workspace and lists 5 times:
 * the first listing (cold) and the median of the others are printed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Orchestrator } from '../../src/orchestrator/orchestrator.js';

const [mode, workspacePath, count] = process.argv.slice(2);
if (!workspacePath || (mode !== 'make' && mode !== 'time')) throw new Error('usage: list-workflows-timing.ts make|time <workspace> [count]');

const TASKS = [
  { agentId: 'researcher', taskDescription: 'Research the market for electric bicycles in Europe' },
  { agentId: 'analyst', taskDescription: 'Analyse the findings and list the risks', dependencies: ['researcher'] },
  { agentId: 'writer', taskDescription: 'Write the executive summary', dependencies: ['analyst'] },
];

if (mode === 'make') {
  const orchestrator = new Orchestrator({ workspacePath });
  for (let index = 0; index < Number(count ?? 200); index++) await orchestrator.executeWorkflow({ tasks: TASKS });
  await orchestrator.shutdown();
  const directory = join(workspacePath, 'journals');
  const journals = readdirSync(directory).filter((name) => name.endsWith('.jsonl'));
  const bytes = journals.reduce((sum, name) => sum + statSync(join(directory, name)).size, 0);
  console.log(`${journals.length} journals, ${(bytes / 1e6).toFixed(1)} MB`);
} else {
  const orchestrator = new Orchestrator({ workspacePath });
  const times: number[] = [];
  let listed = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    listed = (await orchestrator.listWorkflows()).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await orchestrator.shutdown();
  const rest = times.slice(1).sort((a, b) => a - b);
  console.log(`${listed} runs listed: first ${times[0]?.toFixed(1)} ms, median of next 4 ${rest[2]?.toFixed(1)} ms`);
}
