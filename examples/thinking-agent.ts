/**
 * Thinking Agents: a standalone ThinkingAgent thinks, answers,
 * reflects, and explores alternatives under confidence 0.8, with thinking
 * directives, agents it may consult and shared artifacts. Offline:
 *
 *   npx tsx examples/thinking-agent.ts
 */
import { SharedContextStore, ThinkingAgent } from '../src/index.js';
import type { AgentTaskResult, LoadedArtifact } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

export async function main(): Promise<AgentTaskResult> {
  // Create a thinking agent
  const thinkingAgent = new ThinkingAgent({
    agentId: 'researcher',
    config: {
      model: 'claude-3-5-sonnet',
      provider: 'simulated', // "anthropic" in production
      // Thinking configuration
      enableExtendedThinking: true,
      maxThinkingTokens: 8000,
      thinkingStyle: 'analytical', // analytical, creative, systematic
      // Reasoning features
      enableSelfReflection: true,
      enableAlternativeExploration: true,
      confidenceThreshold: 0.8,
      // Collaboration
      enableCrossAgentQueries: true,
      sharedContextAccess: true,
    },
  });

  // Shared artifacts, from a context store.
  const store = new SharedContextStore({ storage: 'memory', agentPermissions: { researcher: ['read', 'write'] } });
  await store.storeArtifact({ artifactId: 'research_papers', content: ['Shor 1994', 'NIST PQC round 3 report'], agentId: 'researcher' });
  await store.storeArtifact({ artifactId: 'threat_models', content: { harvestNowDecryptLater: 'high' }, agentId: 'researcher' });
  const sharedArtifacts: LoadedArtifact[] = [];
  for (const artifactId of ['research_papers', 'threat_models']) {
    const artifact = await store.getArtifact({ artifactId, agentId: 'researcher' });
    sharedArtifacts.push({ artifactId, version: artifact.version, content: artifact.content });
  }

  try {
    // Execute task with thinking
    const result = await thinkingAgent.executeTask({
      task: 'Analyze the implications of quantum computing on cryptography',
      // Thinking directives
      thinkingDirectives: [
        'Consider both near-term and long-term impacts',
        'Evaluate current mitigation strategies',
        'Identify knowledge gaps',
      ],
      // Collaboration context
      availableAgents: ['security_expert', 'quantum_physicist'],
      sharedArtifacts,
    });

    // Access thinking process
    console.log(`Thinking process: ${result.thinkingProcess}`);
    console.log(`Confidence: ${result.confidence}`);
    console.log(`Alternative approaches: ${JSON.stringify(result.alternatives.map(({ confidence, critique }) => ({ confidence, critique })))}`);
    return result;
  } finally {
    thinkingAgent.stop();
    await store.close();
  }
}

runIfMain(import.meta.url, main);
