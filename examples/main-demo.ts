/**
 * The main demo (`npm start`): a hierarchical workflow, research in
 * parallel → synthesis → conditional review, on the offline simulated model,
 * with a live terminal view of every agent's state, the text it is streaming
 * right now, and the cost so far.
 *
 * Runs with no network and no API key. In a terminal the view redraws in
 * place; piped (CI, tests) it prints one line per change.
 */
import { ExecutionMode, Orchestrator } from '../src/index.js';
import type { SubAgentTaskSpec, WorkflowResult } from '../src/index.js';
import { LiveView } from './support/live-view.js';
import type { LiveOutput } from './support/live-view.js';
import { runIfMain } from './support/run-example.js';

export interface DemoOptions {
  /** Simulated model latency per call, in ms. */
  readonly latencyMs?: number;
  /** Where to print; the live view fits its `columns` and `rows` when it is a TTY. Default process.stdout. */
  readonly out?: LiveOutput;
}

interface AgentRow {
  state: string;
  calls: number;
  costCents: number;
  /** The tail of what the agent is streaming (its current step's text). */
  text: string;
  step: string;
  streamedChars: number;
}

/** Characters of streamed text kept per row. */
const TEXT_TAIL = 200;

/** The last `width` characters of `text` on one line. */
function tailLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `…${flat.slice(flat.length - width + 1)}` : flat;
}

const tasks: SubAgentTaskSpec[] = [
  // Phase 1: research (parallel)
  {
    agentId: 'market_researcher',
    taskDescription: 'Research current market trends',
    executionMode: ExecutionMode.Parallel,
    priority: 'high',
    estimatedDurationSeconds: 120,
  },
  {
    agentId: 'competitor_analyst',
    taskDescription: 'Analyze competitor strategies',
    executionMode: ExecutionMode.Parallel,
    priority: 'high',
  },
  // Phase 2: synthesis (depends on phase 1)
  {
    agentId: 'strategy_synthesizer',
    taskDescription: 'Synthesize research into strategic recommendations',
    dependencies: ['market_researcher', 'competitor_analyst'],
    executionMode: ExecutionMode.Sequential,
    requireAllDependencies: true,
    confidenceThreshold: 0.8,
    alternativePathsAllowed: true,
  },
  // Phase 3: review, only when the synthesis is not already very confident
  {
    agentId: 'senior_reviewer',
    taskDescription: 'Review and refine strategy',
    dependencies: ['strategy_synthesizer'],
    condition: (results) => (results.strategy_synthesizer?.confidence ?? 0) < 0.9,
    fallbackAgent: 'expert_consultant',
  },
];

function stateOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, child]) => (key === 'working' ? stateOf(child) : `${key}.${stateOf(child)}`))
      .join(',');
  }
  return '?';
}

/** Runs the demo and returns the workflow result. */
export async function runMainDemo(options: DemoOptions = {}): Promise<WorkflowResult> {
  const out = options.out ?? process.stdout;
  const live = out.isTTY === true;
  const orchestrator = new Orchestrator({
    provider: 'simulated',
    model: 'claude-3-5-sonnet',
    simulated: { latencyMs: options.latencyMs ?? 250, jitterMs: (options.latencyMs ?? 250) / 2 },
    maxParallelAgents: 5,
    enableAlternativePaths: true,
    totalCostLimitCents: 1000,
    maxCostPerAgentCents: 100,
  });
  orchestrator.registerTemplate('expert_consultant', {
    systemPrompt: 'You are a senior strategy consultant.',
    thinkingStyle: 'systematic',
  });

  const rows = new Map<string, AgentRow>();
  let costCents = 0;
  const started = Date.now();
  const view = new LiveView(out);

  const render = () =>
    view.draw({
      title: 'troupe main demo: hierarchical workflow on the simulated model (offline)',
      elapsedSeconds: (Date.now() - started) / 1000,
      costCents,
      limitCents: 1000,
      rows: [...rows].map(([agentId, row]) => ({
        agentId,
        state: row.state,
        calls: row.calls,
        costCents: row.costCents,
        ...(row.text ? { streaming: `${row.step}: ${tailLine(row.text, 200)}` } : {}),
      })),
    });
  const log = (line: string) => (live ? render() : out.write(`${line}\n`));

  orchestrator.events.on('agent.spawned', ({ agentId }) => {
    rows.set(agentId, { state: 'idle', calls: 0, costCents: 0, text: '', step: '', streamedChars: 0 });
    const actor = orchestrator.actor.system.get(`agent:${agentId}`);
    actor?.subscribe((snapshot: { value: unknown }) => {
      const row = rows.get(agentId);
      if (!row) return;
      const state = stateOf(snapshot.value);
      if (state === row.state) return;
      row.state = state;
      log(`  ${agentId.padEnd(22)} → ${state}`);
    });
  });
  orchestrator.events.on('model.call.finished', (event) => {
    costCents += event.costCents;
    const row = rows.get(event.agentId);
    if (row) {
      row.calls++;
      row.costCents += event.costCents;
    }
    if (live) render();
  });
  orchestrator.events.on('task.finished', ({ agentId, result }) => {
    const streamed = rows.get(agentId)?.streamedChars ?? 0;
    log(
      `✔ ${agentId} ${result.status}${result.confidence === null ? '' : ` (confidence ${result.confidence.toFixed(2)})`}${result.reason ? `: ${result.reason}` : ''}${
        streamed > 0 ? ` · streamed ${streamed} chars` : ''
      }`,
    );
  });

  try {
    const result = await orchestrator.executeWorkflow({
      tasks,
      continueOnFailure: true,
      collectThinkingTraces: true,
      generateSummary: true,
      // Every model call streams while this listens: the live view shows each agent's text as it is generated.
      onEvent: (event) => {
        if (event.type !== 'model.delta' || (event.kind !== 'text' && event.kind !== 'thinking')) return;
        const row = rows.get(event.agentId);
        if (!row) return;
        const text = row.step === event.step ? row.text + event.text : event.text;
        row.step = event.step;
        row.text = text.slice(-TEXT_TAIL);
        row.streamedChars += event.text.length;
        if (live) render();
      },
    });
    if (live) render();
    out.write('\n');
    out.write(`Workflow ${result.workflowId}: ${result.status}${result.simulated ? ' (simulated model: no real LLM was called)' : ''}\n`);
    for (const task of Object.values(result.results)) {
      out.write(`  ${task.agentId.padEnd(22)} ${task.status.padEnd(10)} attempts ${task.attempts}  ${task.costCents.toFixed(3)}¢\n`);
    }
    out.write(`\nWorkflow summary:\n${result.summary}\n\n`);
    out.write(`Total duration: ${result.durationSeconds.toFixed(2)}s\n`);
    out.write(`Total cost: $${(result.totalCostCents / 100).toFixed(4)} (${result.totalCostCents.toFixed(3)}¢)\n`);
    out.write(`Thinking traces collected: ${Object.keys(result.thinkingTraces).length}\n`);
    return result;
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, runMainDemo);
