import { describe, expect, it } from 'vitest';
import { RunSpend } from '../../src/model/index.js';
import type { ModelCall } from '../../src/index.js';

const usage = (inputTokens: number) => ({ inputTokens, outputTokens: 1, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

function call(workflowId: string, taskId: string): ModelCall {
  return { agentId: 'x', purpose: 'acting', provider: 'simulated', workflowId, taskId, request: { model: 'm', maxTokens: 1, messages: [] } };
}

describe('RunSpend', () => {
  it("counts a task's attempts, fallback, alternative and consensus voters, and nothing of another task", () => {
    const spend = new RunSpend();
    spend.open('wf');
    spend.charge(call('wf', 'wf/a#1'), 0.1, usage(10));
    spend.charge(call('wf', 'wf/a#2'), 0.2, usage(20));
    spend.charge(call('wf', 'wf/a/fallback#1'), 0.3, usage(30));
    spend.charge(call('wf/consensus:a', 'wf/consensus:a/voter-1#1'), 0.4, usage(40));
    spend.charge(call('wf', 'wf/ab#1'), 5, usage(500));
    spend.charge(call('wf', 'other/a#1'), 7, usage(700));
    expect(spend.taskSpend('wf', 'a')).toEqual({ costCents: 1, usage: { ...usage(100), outputTokens: 4 } });
    expect(spend.taskSpend('wf', 'ab')).toEqual({ costCents: 5, usage: usage(500) });
    expect(spend.taskSpend('wf', 'b')).toBeUndefined();
    expect(spend.taskSpend('other', 'a')).toBeUndefined();
  });

  it('forgets a closed run', () => {
    const spend = new RunSpend();
    spend.open('wf');
    spend.charge(call('wf', 'wf/a#1'), 0.1, usage(10));
    spend.close('wf');
    expect(spend.taskSpend('wf', 'a')).toBeUndefined();
  });
});
