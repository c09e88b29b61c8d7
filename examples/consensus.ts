/**
 * Consensus Pattern: five experts give opinions in parallel,
 * then a consensus task has them vote (structured output, counted in code),
 * weighted by confidence with a quorum of 0.8. Offline:
 *
 *   npx tsx examples/consensus.ts
 */
import { ExecutionMode, Orchestrator, SubAgentTask } from '../src/index.js';
import type { TaskResult } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

export async function consensusDecision(orchestrator: Orchestrator, question: string): Promise<TaskResult> {
  // Get opinions from multiple agents
  const agents = ['expert_1', 'expert_2', 'expert_3', 'expert_4', 'expert_5'];
  const opinionTasks = agents.map(
    (agent) =>
      new SubAgentTask({
        agentId: agent,
        taskDescription: `Provide opinion on: ${question}`,
        executionMode: ExecutionMode.Parallel,
      }),
  );
  const opinions = await orchestrator.executeTasks(opinionTasks);

  // Aggregate opinions: the keys of inputData (the experts) are the voters.
  const consensusTask = new SubAgentTask({
    agentId: 'consensus_builder',
    taskDescription: 'Build consensus from expert opinions',
    inputData: Object.fromEntries(Object.entries(opinions).map(([agentId, result]) => [agentId, result.output])),
    // Consensus parameters
    consensusConfig: {
      method: 'weighted_voting', // majority, weighted_voting, deliberative
      confidenceWeights: true,
      requireQuorum: 0.8,
      options: ['yes', 'no'],
    },
  });
  return orchestrator.executeTask(consensusTask);
}

export async function main(): Promise<TaskResult> {
  const orchestrator = new Orchestrator({ provider: 'simulated', enableThinkingAgents: false, maxParallelAgents: 5 });
  try {
    const consensus = await consensusDecision(orchestrator, 'Should we expand into the European market next year?');
    for (const vote of consensus.consensus?.votes ?? []) {
      console.log(`${vote.agentId}: ${vote.decision} (confidence ${vote.confidence.toFixed(2)}, weight ${vote.weight.toFixed(2)})`);
    }
    console.log(`Consensus: ${consensus.output}`);
    return consensus;
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, main);
