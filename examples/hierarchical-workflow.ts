/**
 * Hierarchical Task Delegation: research in parallel, a
 * synthesis that depends on it (with an alternative path under confidence
 * 0.8), and a review that runs only when the synthesis is unsure, with a
 * fallback expert. Offline on the simulated model:
 *
 *   npx tsx examples/hierarchical-workflow.ts
 */
import { ExecutionMode, Orchestrator, SubAgentTask } from '../src/index.js';
import type { WorkflowResult } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

export async function main(): Promise<WorkflowResult> {
  // Every field of EnhancedOrchestratorConfig.
  const orchestrator = new Orchestrator({
    // Core settings (provider "anthropic" in production; the simulated model keeps this offline)
    model: 'claude-3-5-sonnet',
    provider: 'simulated',
    temperature: 0.7,
    maxTokens: 4096,
    // Agent features
    enableThinkingAgents: true,
    enableSharedContext: true,
    sharedContext: { storage: 'memory' },
    enableAlternativePaths: true,
    // Memory management
    enableCrossAgentMemory: true,
    memoryConfig: { tokenThreshold: 50000, preserveLastNMessages: 10 },
    // Execution settings
    maxParallelAgents: 5,
    agentTimeoutSeconds: 300,
    retryFailedAgents: true,
    // Cost management
    maxCostPerAgentCents: 100,
    totalCostLimitCents: 1000,
  });
  // A fallback must be something the supervisor can always run: a template.
  orchestrator.registerTemplate('expert_consultant', { systemPrompt: 'You are expert_consultant, a senior strategy expert.' });

  const workflowTasks = [
    // Phase 1: Research (parallel)
    new SubAgentTask({
      agentId: 'market_researcher',
      taskDescription: 'Research current market trends',
      executionMode: ExecutionMode.Parallel,
      priority: 'high',
      estimatedDurationSeconds: 120,
    }),
    new SubAgentTask({
      agentId: 'competitor_analyst',
      taskDescription: 'Analyze competitor strategies',
      executionMode: ExecutionMode.Parallel,
      priority: 'high',
    }),
    // Phase 2: Synthesis (depends on Phase 1)
    new SubAgentTask({
      agentId: 'strategy_synthesizer',
      taskDescription: 'Synthesize research into strategic recommendations',
      dependencies: ['market_researcher', 'competitor_analyst'],
      executionMode: ExecutionMode.Sequential,
      // Advanced options
      requireAllDependencies: true,
      confidenceThreshold: 0.8,
      alternativePathsAllowed: true,
    }),
    // Phase 3: Review and refinement
    new SubAgentTask({
      agentId: 'senior_reviewer',
      taskDescription: 'Review and refine strategy',
      dependencies: ['strategy_synthesizer'],
      // Conditional execution
      condition: (results) => (results.strategy_synthesizer?.confidence ?? 0) < 0.9,
      fallbackAgent: 'expert_consultant',
    }),
  ];

  try {
    const results = await orchestrator.executeWorkflow({
      tasks: workflowTasks,
      // Workflow options
      continueOnFailure: true,
      collectThinkingTraces: true,
      generateSummary: true,
    });

    for (const [agentId, result] of Object.entries(results.results)) {
      const confidence = result.confidence === null ? '' : ` (confidence ${result.confidence.toFixed(2)})`;
      console.log(`${agentId}: ${result.status}${confidence}${result.fallbackUsed ? `, by ${result.fallbackUsed}` : ''}`);
    }
    console.log(`Thinking traces from: ${Object.keys(results.thinkingTraces).join(', ')}`);
    console.log(`Workflow summary: ${results.summary}`);
    console.log(`Total duration: ${results.durationSeconds}s`);
    console.log(`Total cost: $${(results.totalCostCents / 100).toFixed(2)}`);
    if (results.simulated) console.log('(answers from the simulated model)');
    return results;
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, main);
