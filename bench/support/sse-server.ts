/**
 * A loopback model API for the streaming bench: every POST is answered with
 * a short event stream in the real wire format, Anthropic's for
 * `/v1/messages` and OpenAI's for `/v1/chat/completions`. The first text
 * delta leaves with the response head; the rest follows on the next turn.
 */
import { createServer } from 'node:http';

function anthropicEvents(): string[] {
  const event = (data: { type: string } & Record<string, unknown>): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
  return [
    event({
      type: 'message_start',
      message: { id: 'msg_b', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } },
    }),
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'First' } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' and the rest.' } }),
    event({ type: 'content_block_stop', index: 0 }),
    event({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } }),
    event({ type: 'message_stop' }),
  ];
}

function openaiEvents(): string[] {
  const chunk = (choices: unknown[], usage: unknown = null): string =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices, usage })}\n\n`;
  return [
    chunk([{ index: 0, delta: { role: 'assistant', content: 'First' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: ' and the rest.' }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([], { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }),
    'data: [DONE]\n\n',
  ];
}

/** Starts the server on 127.0.0.1; resolves with its URL and a close function. */
export async function startSseModelServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const events = req.url?.includes('chat/completions') ? openaiEvents() : anthropicEvents();
      const firstDeltaAt = req.url?.includes('chat/completions') ? 1 : 3;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(events.slice(0, firstDeltaAt).join(''));
      setImmediate(() => res.end(events.slice(firstDeltaAt).join('')));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
