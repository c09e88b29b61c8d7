/**
 * `npm run bench`: runs every bench case (bench/*.ts with a BenchCase as its
 * default export) one after another, prints one table of figures, each next
 * to the baseline measured in the same run and their ratio, and writes
 * bench/results.json. A case that throws is reported as failed; the others
 * still run.
 *
 * Options: `--quick` (tiny sizes), `--only name[,name]` (run some cases).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchCaseResult, BenchFigure } from './harness.js';
import { isBenchFigure, ratioOf } from './harness.js';
import { BENCH_DIR, benchCaseNames, loadBenchCase } from './support/cases.js';

/** Runs one case; never throws. */
export async function runBenchCase(name: string, quick: boolean): Promise<BenchCaseResult> {
  const start = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  try {
    const benchCase = await loadBenchCase(name);
    const figures = await benchCase({ quick });
    const malformed = figures.filter((figure) => !isBenchFigure(figure));
    if (malformed.length > 0) throw new Error(`${malformed.length} malformed figure(s): ${JSON.stringify(malformed[0])}`);
    return { name, status: 'ok', durationMs: elapsed(), figures };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { name, status: 'failed', durationMs: elapsed(), figures: [], error: message };
  }
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** The printed table: one row per figure, one per failed case. */
export function formatTable(results: readonly BenchCaseResult[]): string {
  const header = ['case', 'metric', 'value', 'baseline', 'ratio', 'target', 'met'];
  const rows: string[][] = [];
  for (const result of results) {
    if (result.status === 'failed') {
      rows.push([result.name, 'FAILED', (result.error ?? '').split('\n')[0] ?? '', '', '', '', '✗']);
      continue;
    }
    for (const figure of result.figures) rows.push(rowOf(figure));
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function rowOf(figure: BenchFigure): string[] {
  const ratio = ratioOf(figure);
  return [
    figure.case,
    figure.metric,
    `${formatNumber(figure.value)} ${figure.unit}`,
    figure.baseline ? `${formatNumber(figure.baseline.value)} (${figure.baseline.name})` : '',
    ratio === undefined ? '' : `${ratio.toFixed(ratio < 10 ? 3 : 1)}×`,
    figure.target ?? '',
    figure.met === undefined ? '' : figure.met ? '✓' : '✗',
  ];
}

/** Where and when the figures were measured. */
export function machineOf(): Record<string, string | number> {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',').filter(Boolean)) : undefined;
  const names = (await benchCaseNames()).filter((name) => !only || only.has(name));
  const results: BenchCaseResult[] = [];
  for (const name of names) {
    process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''} ... `);
    const result = await runBenchCase(name, quick);
    process.stderr.write(`${result.status} in ${(result.durationMs / 1000).toFixed(1)} s\n`);
    results.push(result);
  }
  const machine = machineOf();
  console.log(`\ntroupe bench — ${machine.date} — ${machine.cpu} × ${machine.cores}, node ${machine.node}${quick ? ' — quick' : ''}\n`);
  console.log(formatTable(results));
  const failed = results.filter((result) => result.status === 'failed');
  for (const result of failed) console.log(`\n${result.name} failed:\n${result.error ?? ''}`);
  const figures = results.flatMap((result) =>
    result.figures.map((figure) => ({ ...figure, ...(ratioOf(figure) === undefined ? {} : { ratio: ratioOf(figure) }) })),
  );
  const path = join(BENCH_DIR, 'results.json');
  await writeFile(path, `${JSON.stringify({ machine, quick, cases: results, figures }, null, 2)}\n`);
  console.log(`\nwrote ${path}`);
  if (failed.length > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
