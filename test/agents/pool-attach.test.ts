import { describe, expect, it } from 'vitest';
import { AgentPool, STANDALONE_DEFAULTS } from '../../src/agents/index.js';
import { EventHub } from '../../src/index.js';

function unattachedPool(): AgentPool {
  return new AgentPool({
    defaults: STANDALONE_DEFAULTS,
    templates: new Map([['writer', { role: 'writer' }]]),
    agentTypes: new Map(),
    toolDefinitions: () => [],
    events: new EventHub(),
    breakpointOnError: () => false,
  });
}

describe('an agent pool before it is attached to a supervisor', () => {
  it('refuses to spawn, naming the missing attach step, and records nothing', () => {
    const pool = unattachedPool();
    expect(() => pool.spawn({ template: 'writer', agentId: 'w1' })).toThrow(/not attached to a supervisor yet \(AgentPool\.attach\)/);
    expect(pool.list()).toEqual([]);
  });

  it('has no actor for any agent and closes cleanly', () => {
    const pool = unattachedPool();
    expect(pool.ref('w1')).toBeUndefined();
    expect(() => pool.close()).not.toThrow();
  });
});
