/**
 * Config semantics a careful user expects: enum fields name what is allowed
 * and suggest the nearest value; a cost limit refuses models it cannot price
 * at every door (construction, registerTemplate, spawnAgent); misspelt task
 * fields and non-boolean conditions are WorkflowValidationErrors; spawning a
 * live id again is idempotent or a typed error; a taken dashboard port is a
 * typed error.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AgentExistsError,
  ConfigError,
  Orchestrator,
  PortInUseError,
  SubAgentTask,
  ThinkingAgent,
  WorkflowValidationError,
} from '../../src/index.js';
import type { OrchestratorConfig } from '../../src/index.js';
import { SharedContextStore } from '../../src/index.js';

const open: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

function orchestrator(config: OrchestratorConfig = {}): Orchestrator {
  const created = new Orchestrator({ provider: 'simulated', journal: false, ...config });
  open.push(created);
  return created;
}

/** The ConfigError `make` throws. */
function configError(make: () => unknown): ConfigError {
  try {
    make();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('enum config errors name the allowed values and the closest one', () => {
  // Deliberately wrong values, as a JavaScript caller could pass them.
  const bad = (config: Record<string, unknown>) => configError(() => new Orchestrator({ journal: false, ...config } as OrchestratorConfig));

  it("provider: 'antropic' lists the providers and suggests anthropic", () => {
    const error = bad({ provider: 'antropic' });
    expect(error.field).toBe('provider');
    expect(error.message).toBe(
      'Invalid config "provider": must be "simulated", "anthropic", "openai" or a ModelProvider (got "antropic"); did you mean "anthropic"?',
    );
  });

  it("journal: 'yes' says a boolean or an object, and suggests true", () => {
    const error = bad({ journal: 'yes' });
    expect(error.field).toBe('journal');
    expect(error.message).toBe('Invalid config "journal": must be true, false or an object (got "yes"); did you mean true (a boolean, not a string)?');
    expect(bad({ journal: 'off' }).message).toContain('did you mean false');
  });

  it('a nested enum inside a union points at the nested field', () => {
    expect(bad({ journal: { storage: 'mem' } }).message).toBe(
      'Invalid config "journal.storage": must be "fs", "memory" or a JournalStorage (got "mem"); did you mean "memory"?',
    );
    expect(bad({ journal: { storag: 'fs' } }).message).toBe('Invalid config "journal": unknown field(s) "storag"; did you mean "storage"?');
  });

  it('a plain enum field gets the same treatment; a far value gets no suggestion', () => {
    expect(bad({ enableSharedContext: true, sharedContext: { storage: 'memroy' } }).message).toBe(
      'Invalid config "sharedContext.storage": must be "fs" or "memory" (got "memroy"); did you mean "memory"?',
    );
    expect(bad({ provider: 'bedrock-xyz' }).message).toBe(
      'Invalid config "provider": must be "simulated", "anthropic", "openai" or a ModelProvider (got "bedrock-xyz")',
    );
  });

  it('agent configs and the context store map their enums alike', () => {
    expect(configError(() => new ThinkingAgent({ agentId: 'a', config: { thinkingStyle: 'analytic' as 'analytical' } })).message).toBe(
      'Invalid config "config.thinkingStyle": must be "analytical", "creative" or "systematic" (got "analytic"); did you mean "analytical"?',
    );
    expect(configError(() => new SharedContextStore({ storage: 'memry' as 'memory' })).message).toContain('did you mean "memory"?');
  });

  it('an agent provider name that is not registered suggests the near one', () => {
    const host = orchestrator();
    expect(configError(() => host.registerTemplate('t', { provider: 'simulatd' })).message).toContain('did you mean "simulated"?');
  });

  it('an unknown field gets the nearest known one, at any depth', () => {
    expect(bad({ maxParalelAgents: 3 }).message).toBe('Invalid config "(root)": unknown field(s) "maxParalelAgents"; did you mean "maxParallelAgents"?');
    expect(bad({ memoryConfig: { tokenTreshold: 500 } }).message).toContain('did you mean "tokenThreshold"?');
    expect(bad({ zzzzzzzzzz: 1 }).message).toBe('Invalid config "(root)": unknown field(s) "zzzzzzzzzz"');
  });

  it('a long value (a pasted key, say) is not quoted at all', () => {
    const secret = `sk-ant-api03-${'k'.repeat(90)}`;
    const message = bad({ provider: secret }).message;
    expect(message).toContain('(got a string of 103 characters)');
    expect(message).not.toContain('sk-ant');
  });
});

describe('a cost limit with a model of unknown price', () => {
  const limited = { totalCostLimitCents: 100 } as const;

  it('is a ConfigError at construction', () => {
    const error = configError(() => new Orchestrator({ journal: false, provider: 'simulated', model: 'house-model', ...limited }));
    expect(error.field).toBe('model');
    expect(error.message).toMatch(/no price is known for model "house-model"; add it under "pricing"/);
    expect(() => new Orchestrator({ journal: false, provider: 'simulated', model: 'house-model', maxCostPerAgentCents: 5 })).toThrow(ConfigError);
  });

  it('passes with a price for it, or without a limit', () => {
    const price = { inputCentsPerMTok: 1, outputCentsPerMTok: 1, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 0 };
    expect(() => orchestrator({ model: 'house-model', ...limited, pricing: { 'house-model': price } })).not.toThrow();
    expect(() => orchestrator({ model: 'house-model' })).not.toThrow();
  });

  it('is a ConfigError at registerTemplate, naming the template', () => {
    const host = orchestrator(limited);
    expect(configError(() => host.registerTemplate('local', { model: 'llama3.1' })).field).toBe('templates.local.model');
    expect(() => host.spawnAgent('local')).toThrow(/unknown template "local"/);
  });

  it('is a ConfigError at spawnAgent, naming the agent; nothing is spawned', () => {
    const host = orchestrator(limited);
    expect(configError(() => host.spawnAgent({ agentId: 'x', config: { model: 'llama3.1' } })).field).toBe('agents.x.model');
    expect(host.listAgents()).toEqual([]);
    // Without a limit the same spawn is fine.
    expect(orchestrator().spawnAgent({ agentId: 'x', config: { model: 'llama3.1' } }).id).toBe('x');
  });
});

describe('task typos and conditions', () => {
  it('new SubAgentTask({ dependancies }) is a WorkflowValidationError with a did-you-mean', () => {
    const make = () =>
      new SubAgentTask({ agentId: 'writer', taskDescription: 'Write', ...{ dependancies: ['researcher'] } });
    expect(make).toThrow(WorkflowValidationError);
    expect(make).toThrow('SubAgentTask "writer": dependancies is not a task field; did you mean "dependencies"? (got an array of 1)');
  });

  it('a plain-object task with an unknown key is refused before any model call, with a did-you-mean', async () => {
    const host = orchestrator();
    const tasks = [{ agentId: 'writer', taskDescription: 'Write', ...{ fallback_agent: 'editor' } }];
    await expect(host.executeWorkflow({ tasks })).rejects.toThrow(
      'Task "writer" (tasks[0]): fallback_agent is not a task field; did you mean "fallbackAgent"? (got "editor")',
    );
  });

  it.each([
    ['a Promise', (): unknown => Promise.resolve(false), /its condition returned a Promise/],
    ['a rejecting Promise', () => Promise.reject(new Error('late')), /its condition returned a Promise/],
    ['a string', () => 'false', /its condition must return true or false \(got "false"\)/],
    ['undefined', () => undefined, /its condition must return true or false \(got undefined\)/],
  ])('a condition returning %s fails its task with a WorkflowValidationError, not as true', async (_kind, condition, message) => {
    const host = orchestrator();
    const run = await host.executeWorkflow({
      continueOnFailure: true,
      // Deliberately not a boolean-returning function, as a JavaScript caller could pass (Reflect.apply drops the type).
      tasks: [{ agentId: 'guarded', taskDescription: 'Only if allowed', condition: (results) => Reflect.apply(condition, undefined, [results]) }],
    });
    const result = run.results.guarded;
    expect(result?.status).toBe('failed');
    expect(result?.error?.code).toBe('WORKFLOW_VALIDATION');
    expect(result?.error?.message).toMatch(message);
    expect(result?.attempts).toBe(0);
  });

  it('a condition returning false still skips, and true still runs', async () => {
    const run = await orchestrator().executeWorkflow({
      tasks: [
        { agentId: 'no', taskDescription: 'x', condition: () => false },
        { agentId: 'yes', taskDescription: 'y', condition: () => true },
      ],
    });
    expect(run.results.no?.status).toBe('skipped');
    expect(run.results.yes?.status).toBe('succeeded');
  });
});

describe('spawnAgent of an existing id', () => {
  it('with the same config returns the live agent (idempotent)', () => {
    const host = orchestrator();
    host.registerTemplate('researcher', { temperature: 0.3, tools: [] });
    const first = host.spawnAgent({ agentId: 'r', template: 'researcher' });
    const again = host.spawnAgent({ agentId: 'r', template: 'researcher', config: { temperature: 0.3 } });
    expect(again.id).toBe(first.id);
    expect(again.actor).toBe(first.actor);
    expect(host.listAgents()).toEqual(['r']);
  });

  it('with a different config is an AgentExistsError naming what differs; the first agent is kept', () => {
    const host = orchestrator();
    host.registerTemplate('researcher', { temperature: 0.3 });
    host.registerTemplate('writer', { temperature: 0.3 });
    const first = host.spawnAgent({ agentId: 'r', template: 'researcher' });
    const differing = (request: Parameters<Orchestrator['spawnAgent']>[0]): AgentExistsError => {
      try {
        host.spawnAgent(request);
      } catch (error) {
        if (error instanceof AgentExistsError) return error;
        throw error;
      }
      throw new Error('expected an AgentExistsError');
    };
    const changed = differing({ agentId: 'r', template: 'researcher', config: { temperature: 0.9, systemPrompt: 'Be brief' } });
    expect(changed.code).toBe('AGENT_EXISTS');
    expect(changed.message).toBe(
      'Agent "r" is already live with a different config.temperature, config.systemPrompt: stop it first, or spawn under another id',
    );
    expect(differing({ agentId: 'r', template: 'writer' }).details).toMatchObject({ differing: ['template'] });
    expect(host.spawnAgent({ agentId: 'r', template: 'researcher' }).actor).toBe(first.actor);
  });

  it('a stopped agent respawns with a new config when one is given', () => {
    const host = orchestrator();
    host.spawnAgent({ agentId: 'r', config: { temperature: 0.2 } });
    host.stopAgent('r');
    host.spawnAgent({ agentId: 'r', config: { temperature: 0.9 } });
    const snapshot: unknown = host.spawnAgent({ agentId: 'r', config: { temperature: 0.9 } }).actor?.getSnapshot();
    const temperature = (snapshot as { context: { config: { temperature: number } } }).context.config.temperature;
    expect(temperature).toBe(0.9);
  });
});

describe('a dashboard port already in use', () => {
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  it('is a PortInUseError (PORT_IN_USE) naming the port, not a raw EADDRINUSE; monitoring can be enabled after', async () => {
    const taken = createServer();
    blocker = taken;
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const host = orchestrator();
    const attempt = host.enableMonitoring({ dashboardPort: address.port });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toMatchObject({ code: 'PORT_IN_USE', port: address.port });
    await expect(attempt).rejects.toThrow(`The dashboard cannot listen on 127.0.0.1:${address.port}: the port is already in use`);
    const monitoring = await host.enableMonitoring({ dashboardPort: 0 });
    expect(monitoring.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
});
