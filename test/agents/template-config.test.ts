import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, Orchestrator } from '../../src/index.js';

function configOf(actor: { getSnapshot(): unknown } | undefined): unknown {
  const snapshot = actor?.getSnapshot();
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot)) return undefined;
  const context = snapshot.context;
  return typeof context === 'object' && context !== null && 'config' in context ? context.config : undefined;
}

describe('agents spawned from a template', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.shutdown();
  });

  it('get the template as it is at each spawn, and a template changed into an invalid one fails naming the agent', () => {
    orchestrator = new Orchestrator({ journal: false });
    const template: { temperature: number; tags: string[] } = { temperature: 0.2, tags: ['a'] };
    orchestrator.registerTemplate('worker', template);
    const first = orchestrator.spawnAgent({ agentId: 'w1', template: 'worker' });
    const second = orchestrator.spawnAgent({ agentId: 'w2', template: 'worker' });
    expect(configOf(first.actor)).toMatchObject({ temperature: 0.2, tags: ['a'] });
    expect(configOf(second.actor)).toEqual(configOf(first.actor));
    template.temperature = 0.4;
    template.tags.push('b');
    expect(configOf(orchestrator.spawnAgent({ agentId: 'w3', template: 'worker' }).actor)).toMatchObject({ temperature: 0.4, tags: ['a', 'b'] });
    template.temperature = 5;
    expect(() => orchestrator?.spawnAgent({ agentId: 'w4', template: 'worker' })).toThrow(ConfigError);
    expect(() => orchestrator?.spawnAgent({ agentId: 'w5', template: 'worker' })).toThrow(/agents\.w5/);
  });
});
