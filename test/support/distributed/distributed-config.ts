/** The config and DAG the distributed tests run in one process and on workers alike. */
import type { OrchestratorConfig, SubAgentTaskSpec } from '../../../src/index.js';

/** The simulated model's price in the priced configs: 0.001¢ a token. */
export const TEST_PRICING = {
  simulated: { inputCentsPerMTok: 1_000, outputCentsPerMTok: 1_000, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 0 },
};

const budget = process.env.TROUPE_TEST_BUDGET_CENTS;

export const DISTRIBUTED_CONFIG: OrchestratorConfig = {
  seed: 11,
  journal: false,
  enableThinkingAgents: false,
  simulated: { latencyMs: Number(process.env.TROUPE_TEST_LATENCY_MS ?? 0) },
  // With a budget: the simulated model priced at 0.001¢ a token, so limits bite.
  ...(budget === undefined
    ? {}
    : {
        totalCostLimitCents: Number(budget),
        pricing: TEST_PRICING,
      }),
  // With TROUPE_TEST_SHARED_CONTEXT: the shared context on (its storage left unnamed), in a workspace of this process's own.
  ...(process.env.TROUPE_TEST_SHARED_CONTEXT === undefined ? {} : sharedContextConfig(process.env.TROUPE_TEST_SHARED_CONTEXT)),
};

/** The shared context on, every agent allowed to read and write, fs files (if any) under `workspacePath`. */
export function sharedContextConfig(workspacePath: string): OrchestratorConfig {
  return { enableSharedContext: true, agentPermissions: { '*': ['read', 'write'] }, workspacePath };
}

/** DISTRIBUTED_CONFIG priced, under a total limit: what a worker started with TROUPE_TEST_BUDGET_CENTS runs. */
export function pricedConfig(limitCents: number): OrchestratorConfig {
  return { seed: 11, journal: false, enableThinkingAgents: false, simulated: { latencyMs: 0 }, totalCostLimitCents: limitCents, pricing: TEST_PRICING };
}

/** A seeded 50-task DAG: task i depends on up to two of the five before it. */
export function dagOf50(): SubAgentTaskSpec[] {
  let state = 5;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: 50 }, (_, i) => {
    const dependencies = new Set<string>();
    if (i > 0) for (let k = 0; k < Math.floor(next() * 3); k++) dependencies.add(`t${Math.max(0, i - 1 - Math.floor(next() * 5))}`);
    return {
      agentId: `t${i}`,
      taskDescription: `Step ${i}: summarise the findings of the earlier steps`,
      ...(dependencies.size > 0 ? { dependencies: [...dependencies] } : {}),
    };
  });
}
