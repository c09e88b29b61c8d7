/**
 * Map-Reduce Pattern: one analyzer per document in parallel,
 * then a synthesizer combines the analyses. The pattern is written
 * out first; `orchestrator.mapReduce` does the same in one call. Offline:
 *
 *   npx tsx examples/map-reduce.ts
 */
import { ExecutionMode, Orchestrator, SubAgentTask } from '../src/index.js';
import type { TaskResult } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

interface Document {
  readonly title: string;
  readonly body: string;
}

const documents: Document[] = [
  { title: 'Q1 earnings report', body: 'Revenue grew 12% on strong cloud demand; margins narrowed.' },
  { title: 'Customer survey 2024', body: 'Satisfaction is up, but onboarding remains the top complaint.' },
  { title: 'Competitor launch notes', body: 'A rival launched a cheaper tier aimed at small teams.' },
];

export async function mapReduceAnalysis(orchestrator: Orchestrator, docs: readonly Document[]): Promise<TaskResult> {
  // Map phase: Analyze documents in parallel
  const mapTasks = docs.map(
    (doc, i) =>
      new SubAgentTask({
        agentId: `analyzer_${i}`,
        taskDescription: `Analyze document: ${doc.title}`,
        executionMode: ExecutionMode.Parallel,
        inputData: doc,
      }),
  );
  const mapResults = await orchestrator.executeTasks(mapTasks);

  // Reduce phase: Combine analyses
  const reduceTask = new SubAgentTask({
    agentId: 'synthesizer',
    taskDescription: 'Combine all document analyses',
    inputData: Object.fromEntries(Object.entries(mapResults).map(([agentId, result]) => [agentId, result.output])),
    executionMode: ExecutionMode.Sequential,
  });
  return orchestrator.executeTask(reduceTask);
}

export async function main(): Promise<TaskResult> {
  const orchestrator = new Orchestrator({ provider: 'simulated', maxParallelAgents: 5 });
  try {
    const finalResult = await mapReduceAnalysis(orchestrator, documents);
    console.log(`Map-reduce over ${documents.length} documents: ${finalResult.status}, confidence ${finalResult.confidence?.toFixed(2)}`);
    console.log(`Final result: ${finalResult.output?.split('\n')[0] ?? ''}`);

    // The same in one call.
    const { mapResults, result } = await orchestrator.mapReduce(documents);
    console.log(`orchestrator.mapReduce: ${Object.keys(mapResults).length} analyses, synthesis ${result.status}`);
    console.log(`Total cost of both runs: $${(orchestrator.budget.snapshot().totalSpentCents / 100).toFixed(4)}`);
    return finalResult;
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, main);
