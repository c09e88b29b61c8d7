/**
 * A tiny HTTP server on 127.0.0.1 (port 0) that stands in for a model API in
 * tests: it records every request's method, path, headers and body, and answers
 * from a queue of scripted replies or faults. Real SDKs point their `baseURL` at it.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ModelProvider, ModelRequest } from '../../src/index.js';

/** What the server does with the next request. */
export type ScriptedReply =
  /** Answer with `body` as JSON (status 200 unless given). */
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number; readonly headers?: Readonly<Record<string, string>> }
  /** Answer with `body` verbatim (for malformed bodies). */
  | { readonly kind: 'raw'; readonly body: string; readonly status?: number; readonly headers?: Readonly<Record<string, string>> }
  /** Destroy the socket without answering: a dropped connection. */
  | { readonly kind: 'drop' }
  /** Never answer: a stalled server. The socket is closed by the client or by `close()`. */
  | { readonly kind: 'stall' }
  /**
   * Send a 200 JSON head and the start of a body, then either drop the socket
   * (`then: 'drop'`) or never send the rest (`then: 'stall'`).
   */
  | { readonly kind: 'partial'; readonly then: 'drop' | 'stall' }
  /**
   * A 200 `text/event-stream`: each event written on its own (raw strings go
   * out verbatim), then the response ends (`then: 'end'`, default), the socket
   * is destroyed (`'drop'`), or nothing more is sent (`'stall'`).
   */
  | { readonly kind: 'sse'; readonly events: readonly SseEvent[]; readonly then?: 'end' | 'drop' | 'stall' };

/** One server-sent event: `event:` (optional) and `data:` lines, or raw text. */
export type SseEvent = { readonly event?: string; readonly data: unknown } | { readonly raw: string };

function sseText(event: SseEvent): string {
  if ('raw' in event) return event.raw;
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  return `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${data}\n\n`;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  readonly body: unknown;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Queues replies, consumed one per request. */
  reply(...replies: readonly ScriptedReply[]): void;
  /** Resolves once `count` requests in all have arrived. */
  waitForRequests(count: number): Promise<void>;
  /** Responses whose connection closed (answered, dropped or cancelled by the client). */
  readonly closedResponses: number;
  /** Resolves once `count` responses in all have closed. */
  waitForClosed(count: number): Promise<void>;
  /** Stops listening and destroys open sockets (stalled ones too). */
  close(): Promise<void>;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Readonly<Record<string, string>>, json: boolean): void {
  res.writeHead(status, { ...(json ? { 'content-type': 'application/json' } : {}), ...headers });
  res.end(body);
}

/**
 * Starts a server on an ephemeral loopback port.
 *
 * @example
 * ```ts
 * const server = await startLoopbackServer();
 * server.reply({ kind: 'json', status: 429, headers: { 'retry-after': '3' }, body: { error: { type: 'rate_limit_error', message: 'slow down' } } });
 * const provider = createAnthropicProvider({ apiKey: 'test', baseURL: server.url });
 * ```
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const closeWaiters: { count: number; resolve: () => void }[] = [];
  let closedResponses = 0;

  const server = createServer((req, res) => {
    res.on('close', () => {
      closedResponses++;
      for (const waiter of closeWaiters.filter((w) => closedResponses >= w.count)) {
        closeWaiters.splice(closeWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
      });
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const next = queue.shift();
      if (!next) {
        send(res, 599, JSON.stringify({ error: { type: 'test_error', message: 'no scripted reply left' } }), {}, true);
        return;
      }
      switch (next.kind) {
        case 'json':
          send(res, next.status ?? 200, JSON.stringify(next.body), next.headers ?? {}, true);
          return;
        case 'raw':
          send(res, next.status ?? 200, next.body, next.headers ?? {}, false);
          return;
        case 'drop':
          req.socket.destroy();
          return;
        case 'stall':
          return;
        case 'sse': {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          for (const event of next.events) res.write(sseText(event));
          const then = next.then ?? 'end';
          if (then === 'end') res.end();
          // Destroy after the events have left, so the client is mid-stream.
          else if (then === 'drop') setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        case 'partial':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
          res.write('{"id":"partial","content":[');
          // Destroy after the head and first chunk have left, so the client is mid-body.
          if (next.then === 'drop') setTimeout(() => req.socket.destroy(), 20);
          return;
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the loopback server has no TCP address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    reply(...replies) {
      queue.push(...replies);
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    get closedResponses() {
      return closedResponses;
    },
    waitForClosed(count) {
      if (closedResponses >= count) return Promise.resolve();
      return new Promise((resolve) => closeWaiters.push({ count, resolve }));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Runs `request` and returns what it rejected with (fails the test if it resolved). */
export async function rejection(provider: ModelProvider, request: ModelRequest): Promise<unknown> {
  try {
    await provider.complete(request);
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject');
}

/** The JSON body of the `index`th request the server received. */
export function sentBody(server: LoopbackServer, index = 0): Record<string, unknown> {
  const body = server.requests[index]?.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('no JSON request body');
  return { ...body };
}
