/**
 * The main demo's live view fits the terminal: no line as wide as the
 * terminal, no more lines than it has rows, and each redraw moves the cursor
 * up by exactly the lines it drew before (so nothing scrolls); piped, the demo
 * prints plain lines with no escape codes.
 */
import { describe, expect, it } from 'vitest';
import { runMainDemo } from '../examples/main-demo.js';
import { fit, LiveView, renderFrame } from '../examples/support/live-view.js';
import type { LiveFrame } from '../examples/support/live-view.js';

const frame = (agents: number): LiveFrame => ({
  title: 'troupe main demo: hierarchical workflow on the simulated model (offline)',
  elapsedSeconds: 12.34,
  costCents: 0.62508,
  limitCents: 1000,
  rows: Array.from({ length: agents }, (_, i) => ({
    agentId: i % 2 === 0 ? `strategy_synthesizer_with_a_very_long_identifier_${i}` : `agent_${i}`,
    state: i % 2 === 0 ? 'working.consulting.waiting' : 'idle',
    calls: i * 7,
    costCents: i * 0.125,
  })),
});

const ESCAPE = /\x1b\[[0-9]*[A-Za-z]/g;

describe('renderFrame', () => {
  for (const columns of [80, 60, 40, 120]) {
    it(`keeps every line under ${columns} columns`, () => {
      const lines = renderFrame(frame(6), columns, 40);
      expect(lines.length).toBe(3 + 6);
      for (const line of lines) expect([...line].length).toBeLessThan(columns);
      expect(lines[0]).toContain('cost 0.625¢ of 1000¢');
      expect(lines[0]).toContain('12.3s');
    });
  }

  it('shows at most rows - 1 lines, counting the agents left out', () => {
    const lines = renderFrame(frame(30), 80, 10);
    expect(lines.length).toBe(9);
    expect(lines.at(-1)).toBe('… 25 more agents');
  });

  it('cuts text with an ellipsis', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('abc', 4)).toBe('abc');
  });
});

describe('LiveView', () => {
  it('redraws in place: cursor up by the lines it drew, then clear', () => {
    const writes: string[] = [];
    const view = new LiveView({ write: (text) => writes.push(text), isTTY: true, columns: 80, rows: 24 });
    view.draw(frame(2));
    view.draw(frame(4));
    view.draw(frame(1));
    expect(writes[0]).not.toMatch(ESCAPE);
    const first = (writes[0] ?? '').split('\n').length - 1;
    expect(first).toBe(5);
    expect(writes[1]?.startsWith(`\x1b[${first}A`)).toBe(true);
    const second = (writes[1] ?? '').replace(ESCAPE, '').split('\n').length - 1;
    expect(second).toBe(7);
    expect(writes[2]?.startsWith(`\x1b[${second}A`)).toBe(true);
    expect(view.drawnLines).toBe(4);
  });
});

describe('npm start (the main demo)', () => {
  it('in an 80-column terminal, draws frames that fit and redraws each over the last', async () => {
    const writes: string[] = [];
    await runMainDemo({ latencyMs: 0, out: { write: (text: string) => writes.push(text), isTTY: true, columns: 80, rows: 24 } });
    const frames = writes.filter((text) => text.includes('troupe main demo'));
    expect(frames.length).toBeGreaterThan(3);
    let previous = 0;
    for (const text of frames) {
      const moves = [...text.matchAll(/\x1b\[(\d+)A/g)].map((match) => Number(match[1]));
      expect(moves).toEqual(previous === 0 ? [] : [previous]);
      const lines = text.replace(ESCAPE, '').replace(/\r/g, '').split('\n');
      expect(lines.pop()).toBe('');
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
      expect(lines.length).toBeLessThan(24);
      previous = lines.length;
    }
  });

  it('piped, prints plain progress lines with no escape codes', async () => {
    let text = '';
    await runMainDemo({ latencyMs: 0, out: { write: (chunk: string) => (text += chunk), isTTY: false } });
    expect(text).not.toMatch(ESCAPE);
    expect(text).toMatch(/market_researcher\s+→ /);
    expect(text).toContain('✔ strategy_synthesizer succeeded');
  });
});
