/**
 * Agent configuration: validation of a template or ThinkingAgentConfig and the
 * defaults an agent inherits from the orchestrator.
 */
import { z } from 'zod';
import type { AgentConfig, ResolvedAgentConfig } from '../protocols/agent.js';
import { configErrorFrom } from '../util/config-errors.js';

const range = (min: number, max: number) =>
  z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
const whole = (min: number, max: number) => range(min, max).int(`must be a whole number between ${min} and ${max}`);

export const agentConfigSchema = z.strictObject({
  model: z.string().min(1, 'must be a model name').optional(),
  provider: z.string().min(1, 'must be a provider name').optional(),
  temperature: range(0, 2).optional(),
  maxTokens: whole(1, 200_000).optional(),
  systemPrompt: z.string().optional(),
  tools: z.array(z.string().min(1)).optional(),
  role: z.string().optional(),
  tags: z.array(z.string()).optional(),
  enableExtendedThinking: z.boolean().optional(),
  maxThinkingTokens: whole(0, 128_000).optional(),
  thinkingStyle: z.enum(['analytical', 'creative', 'systematic']).optional(),
  enableSelfReflection: z.boolean().optional(),
  enableAlternativeExploration: z.boolean().optional(),
  confidenceThreshold: range(0, 1).optional(),
  maxAlternativeRounds: whole(0, 10).optional(),
  enableCrossAgentQueries: z.boolean().optional(),
  sharedContextAccess: z.boolean().optional(),
  timeoutSeconds: range(0.001, 86_400).optional(),
  streamIdleTimeoutSeconds: range(0, 86_400).optional(),
  maxToolRounds: whole(0, 100).optional(),
  maxParallelToolCalls: whole(1, 64).optional(),
  askHuman: z.boolean().optional(),
  approvalTimeoutSeconds: range(0, 2_592_000).optional(),
});

/** Tool calls of one turn that run at the same time unless a template says otherwise. */
export const DEFAULT_MAX_PARALLEL_TOOL_CALLS = 4;

/** Defaults an agent inherits from its orchestrator (or the standalone defaults). */
export interface AgentDefaults {
  readonly model: string;
  readonly provider: string;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly enableThinking: boolean;
  readonly timeoutSeconds: number;
  /** 0: no idle limit on streaming calls. */
  readonly streamIdleTimeoutSeconds?: number;
  readonly enableCrossAgentQueries: boolean;
  readonly sharedContextAccess: boolean;
  /** Seconds a person has to decide on an approval (0 or absent: wait). */
  readonly approvalTimeoutSeconds?: number;
}

export const STANDALONE_DEFAULTS: AgentDefaults = {
  model: 'claude-sonnet-4-5',
  provider: 'simulated',
  temperature: 0.7,
  maxTokens: 4096,
  enableThinking: true,
  timeoutSeconds: 300,
  enableCrossAgentQueries: false,
  sharedContextAccess: false,
};

/**
 * The fields in which two resolved configs differ (lists compared element by element).
 * @example
 * ```ts
 * differingConfigFields(a, { ...a, temperature: 0.1 }); // ['temperature']
 * ```
 */
export function differingConfigFields(a: ResolvedAgentConfig, b: ResolvedAgentConfig): string[] {
  const same = (x: unknown, y: unknown): boolean =>
    Array.isArray(x) && Array.isArray(y) ? x.length === y.length && x.every((item, i) => item === y[i]) : x === y;
  return (Object.keys(a) as (keyof ResolvedAgentConfig)[]).filter((field) => !same(a[field], b[field]));
}

/**
 * Validates `config` and fills every field from `defaults`.
 * @throws ConfigError naming the field (prefixed with `field`).
 */
export function resolveAgentConfig(
  config: AgentConfig,
  defaults: AgentDefaults,
  field = 'config',
): ResolvedAgentConfig {
  const parsed = agentConfigSchema.safeParse(config);
  if (!parsed.success) throw configErrorFrom(parsed.error, field, config, agentConfigSchema);
  const c = parsed.data;
  return {
    model: c.model ?? defaults.model,
    provider: c.provider ?? defaults.provider,
    temperature: c.temperature ?? defaults.temperature,
    maxTokens: c.maxTokens ?? defaults.maxTokens,
    systemPrompt: c.systemPrompt ?? '',
    tools: c.tools ?? [],
    role: c.role ?? '',
    tags: c.tags ?? [],
    enableExtendedThinking: c.enableExtendedThinking ?? defaults.enableThinking,
    maxThinkingTokens: c.maxThinkingTokens ?? 2000,
    thinkingStyle: c.thinkingStyle ?? 'analytical',
    enableSelfReflection: c.enableSelfReflection ?? true,
    enableAlternativeExploration: c.enableAlternativeExploration ?? false,
    confidenceThreshold: c.confidenceThreshold ?? 0.7,
    maxAlternativeRounds: c.maxAlternativeRounds ?? 2,
    enableCrossAgentQueries: c.enableCrossAgentQueries ?? defaults.enableCrossAgentQueries,
    sharedContextAccess: c.sharedContextAccess ?? defaults.sharedContextAccess,
    timeoutSeconds: c.timeoutSeconds ?? defaults.timeoutSeconds,
    streamIdleTimeoutSeconds: c.streamIdleTimeoutSeconds ?? defaults.streamIdleTimeoutSeconds ?? 0,
    maxToolRounds: c.maxToolRounds ?? 8,
    maxParallelToolCalls: c.maxParallelToolCalls ?? DEFAULT_MAX_PARALLEL_TOOL_CALLS,
    askHuman: c.askHuman ?? false,
    approvalTimeoutSeconds: c.approvalTimeoutSeconds ?? defaults.approvalTimeoutSeconds ?? 0,
  };
}
