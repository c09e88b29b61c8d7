/**
 * Dynamic Agent Creation: templates registered by name, agents
 * spawned at run time from a template when one fits, else a generic agent with
 * a specialty prompt. Offline on the simulated model:
 *
 *   npx tsx examples/dynamic-agents.ts
 */
import { randomUUID } from 'node:crypto';
import { Orchestrator } from '../src/index.js';
import type { AgentRef, AgentTemplate, TaskResult } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

// Define agent templates
const agentTemplates: Record<string, AgentTemplate> = {
  researcher: {
    model: 'claude-3-5-sonnet',
    temperature: 0.3,
    systemPrompt: 'You are a thorough researcher...',
  },
  analyst: {
    model: 'gpt-4o',
    temperature: 0.5,
    tools: ['web_search', 'code_interpreter'],
  },
};

/** The specialties a query needs (a keyword match here; an LLM call in a real app). */
export function analyzeTaskRequirements(userQuery: string): string[] {
  const needs: [string, RegExp][] = [
    ['researcher', /\b(research|sources|trends?)\b/i],
    ['analyst', /\b(analy[sz]e|numbers|data)\b/i],
    ['cryptography', /\b(crypto\w*|encryption)\b/i],
  ];
  return needs.filter(([, pattern]) => pattern.test(userQuery)).map(([specialty]) => specialty);
}

export async function main(): Promise<Record<string, TaskResult>> {
  const orchestrator = new Orchestrator({ provider: 'simulated', enableThinkingAgents: false });
  // The analyst template names two tools: register offline stand-ins for them.
  orchestrator.registerTool({
    name: 'web_search',
    description: 'Search the web and return result snippets.',
    inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    execute: (input: unknown) => ({ results: [`(offline) no web access for ${JSON.stringify(input)}`] }),
  });
  orchestrator.registerTool({
    name: 'code_interpreter',
    description: 'Run a short computation and return its result.',
    inputSchema: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
    execute: () => ({ result: '(offline) computation skipped' }),
  });
  for (const [name, template] of Object.entries(agentTemplates)) orchestrator.registerTemplate(name, template);

  // Dynamic agent spawning
  const createSpecializedAgent = (specialty: string): AgentRef => {
    if (specialty in agentTemplates) {
      return orchestrator.spawnAgent({ template: specialty, agentId: `${specialty}_${randomUUID().replace(/-/g, '').slice(0, 8)}` });
    }
    // Create generic agent with specialty prompt
    return orchestrator.spawnAgent({
      agentId: `generic_${specialty}`,
      config: { model: 'gpt-4o', systemPrompt: `You are a specialist in ${specialty}...` },
    });
  };

  try {
    const userQuery = 'Research market trends, analyze the numbers and assess the cryptography risks';
    // Spawn agents based on task requirements
    const taskRequirements = analyzeTaskRequirements(userQuery);
    const agents: AgentRef[] = [];
    for (const requirement of taskRequirements) agents.push(createSpecializedAgent(requirement));

    console.log(`Requirements: ${taskRequirements.join(', ')}`);
    console.log(`Spawned agents: ${agents.map((agent) => `${agent.id} (template ${agent.template})`).join(', ')}`);
    // Each spawned agent works on the query in parallel.
    const results = await orchestrator.executeTasks(
      agents.map((agent) => ({ agentId: agent.id, taskDescription: userQuery })),
    );
    for (const agent of agents) {
      const result = results[agent.id];
      const model = orchestrator.inspectAgent(agent.id);
      console.log(`${agent.id}: ${result?.status}, ${model?.tasksCompleted ?? 0} task(s), ${result?.output?.split('\n')[0] ?? ''}`);
    }
    return results;
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, main);
