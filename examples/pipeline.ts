/**
 * Pipeline Pattern: each stage's output is the next stage's
 * input; feature extraction and model building run side by side. Offline:
 *
 *   npx tsx examples/pipeline.ts
 */
import { Orchestrator } from '../src/index.js';
import type { PipelineResult } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

const rawData = {
  rows: [
    { region: 'north', month: '2024-01', sales: 1200 },
    { region: 'south', month: '2024-01', sales: null },
    { region: 'north', month: '2024-02', sales: 1350 },
  ],
};

export async function main(): Promise<PipelineResult> {
  const orchestrator = new Orchestrator({ provider: 'simulated', enableThinkingAgents: false });
  try {
    // Create processing pipeline
    const pipeline = orchestrator.createPipeline([
      ['data_cleaner', 'Clean and validate input data'],
      ['feature_extractor', 'Extract relevant features'],
      ['model_builder', 'Build predictive model'],
      ['validator', 'Validate model performance'],
      ['reporter', 'Generate final report'],
    ]);

    // Execute pipeline with data flow
    const result = await pipeline.execute({
      inputData: rawData,
      // Pipeline options
      stopOnError: false,
      collectIntermediates: true,
      parallelStages: ['feature_extractor', 'model_builder'],
    });

    // Access intermediate results
    for (const [stage, output] of Object.entries(result.intermediates)) {
      console.log(`${stage}: ${output.summary}`);
    }
    console.log(`Pipeline ${result.status}, cost $${(result.totalCostCents / 100).toFixed(4)}`);
    return result;
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, main);
