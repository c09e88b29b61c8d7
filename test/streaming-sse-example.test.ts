import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startStreamingServer } from '../examples/streaming-sse.js';
import type { StreamingServer } from '../examples/streaming-sse.js';

interface Message {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Reads the SSE stream at `url`; `stopWhen` may end it early (the client goes away). */
async function readEvents(url: string, stopWhen?: (message: Message) => boolean): Promise<Message[]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error('no body');
  const messages: Message[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return messages;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed !== 'object' || parsed === null) continue;
      const message = { event, data: { ...parsed } };
      messages.push(message);
      if (stopWhen?.(message)) {
        controller.abort();
        return messages;
      }
    }
  }
}

describe('examples/streaming-sse.ts', () => {
  let server: StreamingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('streams a workflow to the browser: task starts, text deltas in order, results, the end', async () => {
    server = await startStreamingServer({ port: 0, latencyMs: 0 });
    const page = await (await fetch(server.url)).text();
    expect(page).toContain("new EventSource('/events')");
    const messages = await readEvents(new URL('events', server.url).href);
    const kinds = messages.map((m) => `${m.event}:${String(m.data.agentId ?? '')}`).filter((k, i, all) => k !== all[i - 1]);
    expect(kinds[0]).toBe('task.started:researcher');
    expect(kinds.at(-1)).toBe('workflow.finished:');
    expect(kinds.indexOf('task.finished:researcher')).toBeLessThan(kinds.indexOf('task.started:writer'));
    expect(messages.filter((m) => m.event === 'model.delta').length).toBeGreaterThan(10);
    expect(messages.at(-1)?.data.status).toBe('succeeded');
    const result = await server.runs[0];
    const written = messages
      .filter((m) => m.event === 'model.delta' && m.data.agentId === 'writer' && m.data.step === 'acting' && m.data.kind === 'text')
      .map((m) => String(m.data.text))
      .join('');
    expect(written).toBe(result?.results.writer?.output);
  });

  it('aborts the run when the browser goes away mid-stream', async () => {
    server = await startStreamingServer({ port: 0, latencyMs: 200 });
    const messages = await readEvents(new URL('events', server.url).href, (m) => m.event === 'model.delta');
    expect(messages.at(-1)?.event).toBe('model.delta');
    const result = await server.runs[0];
    expect(result?.status).toBe('cancelled');
  });

  it('refuses requests addressed to another host name', async () => {
    server = await startStreamingServer({ port: 0, latencyMs: 0 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('events', server?.url), { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    expect(server.runs).toHaveLength(0);
  });
});
