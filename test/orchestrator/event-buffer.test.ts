import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import type { TaskResult, WorkflowEvent } from '../../src/index.js';

function delta(callId: string, index: number, text: string): WorkflowEvent {
  return { type: 'model.delta', callId, agentId: 'a', purpose: 'acting', step: 'acting', provider: 'p', workflowId: 'wf', kind: 'text', text, index };
}
const result: TaskResult = {
  agentId: 'a',
  status: 'succeeded',
  output: 'x',
  confidence: 1,
  attempts: 1,
  costCents: 0,
  usage: EMPTY_USAGE,
  startedAt: 0,
  finishedAt: 0,
  durationSeconds: 0,
  alternatives: [],
  simulated: false,
};
const started: WorkflowEvent = { type: 'task.started', workflowId: 'wf', agentId: 'a', attempt: 1, at: 0 };

async function drain(buffer: EventBuffer): Promise<WorkflowEvent[]> {
  const out: WorkflowEvent[] = [];
  for await (const event of buffer) out.push(event);
  return out;
}

describe('EventBuffer', () => {
  it('hands events to a waiting reader in order', async () => {
    const buffer = new EventBuffer(4);
    const reading = drain(buffer);
    buffer.push(started);
    buffer.push(delta('c1', 0, 'x'));
    buffer.end();
    expect((await reading).map((e) => e.type)).toEqual(['task.started', 'model.delta']);
  });

  it('past capacity merges a call’s deltas without losing text, and keeps every other event', async () => {
    const buffer = new EventBuffer(2);
    buffer.push(started);
    for (let i = 0; i < 50; i++) buffer.push(delta('c1', i, `${i},`));
    buffer.push({ type: 'task.finished', workflowId: 'wf', agentId: 'a', result });
    buffer.end();
    const events = await drain(buffer);
    expect(buffer.merged).toBe(49);
    expect(events.map((e) => e.type)).toEqual(['task.started', 'model.delta', 'task.finished']);
    const text = events.flatMap((e) => (e.type === 'model.delta' ? [e.text] : [])).join('');
    expect(text).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
  });

  it('ends the iteration with the failure after the unread events', async () => {
    const buffer = new EventBuffer(4);
    buffer.push(started);
    buffer.fail(new Error('boom'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of buffer) seen.push(event.type);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual(['task.started']);
  });
});
