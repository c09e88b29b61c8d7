/**
 * The dashboard's HTTP server (node:http, loopback only): `GET /` serves the
 * page, `GET /events` streams snapshots over Server-Sent Events, `GET /state`
 * returns the current snapshot as JSON; `POST /approvals/<id>/<verb>` runs a
 * token-guarded action (actions.ts).
 *
 * Cheap when nobody watches: `notify()` returns at once without clients; with
 * clients, changes are coalesced and one snapshot is serialised per
 * `throttleMs` for all of them.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../../../protocols/errors/errors.js';
import { handleAction, isActionPath } from './actions.js';
import type { DashboardActions } from './actions.js';

export interface DashboardServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The page's HTML. */
  readonly page: string;
  /** The current state, as plain JSON-able data. */
  readonly snapshot: () => unknown;
  /** Told when the number of connected browsers changes. */
  readonly onClients?: (count: number) => void;
  /** Least time between two pushes. Default 100 ms. */
  readonly throttleMs?: number;
  /** Keep-alive comment interval for idle streams. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Token-guarded actions (approving from the page); absent: the dashboard is read-only. */
  readonly actions?: DashboardActions;
}

export interface DashboardServer {
  /** e.g. `http://127.0.0.1:41234/` */
  readonly url: string;
  readonly port: number;
  /** Browsers connected to the event stream. */
  readonly clients: number;
  /** Something changed: push a snapshot soon (no-op without clients). */
  notify(): void;
  /** Ends every stream and stops listening. Idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Only loopback-named hosts: a page on another origin cannot reach us by DNS rebinding. */
function allowedHost(header: string | undefined, port: number): boolean {
  return header === `${HOST}:${port}` || header === `localhost:${port}`;
}

// The page is self-contained: inline style and script, data only from this origin.
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Starts the server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const server = await startDashboardServer({ port: 0, page: dashboardPage(), snapshot: () => model.snapshot() });
 * console.log(`dashboard at ${server.url}`);
 * model.onChange(() => server.notify());
 * await server.close();
 * ```
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const throttleMs = options.throttleMs ?? 100;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const streams = new Set<ServerResponse>();
  let flushTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  let port = options.port;

  const serialise = (): string => `data: ${JSON.stringify(options.snapshot())}\n\n`;

  const flush = (): void => {
    flushTimer = undefined;
    if (streams.size === 0) return;
    const message = serialise();
    for (const stream of streams) stream.write(message);
  };

  const setClients = (): void => {
    if (streams.size > 0 && !heartbeat) {
      heartbeat = setInterval(() => {
        for (const stream of streams) stream.write(': keep-alive\n\n');
      }, heartbeatMs);
      heartbeat.unref();
    } else if (streams.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
    options.onClients?.(streams.size);
  };

  const openStream = (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: 1000\n\n${serialise()}`);
    streams.add(response);
    request.on('close', () => {
      if (streams.delete(response)) setClients();
    });
    setClients();
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (!allowedHost(request.headers.host, port)) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
      return;
    }
    const path = new URL(request.url ?? '/', `http://${HOST}`).pathname;
    if (request.method === 'POST' && isActionPath(path)) {
      const origins = [`http://${HOST}:${port}`, `http://localhost:${port}`];
      handleAction(request, response, path, options.actions, origins).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('dashboard error\n');
      });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/') {
      response.writeHead(200, PAGE_HEADERS).end(request.method === 'HEAD' ? undefined : options.page);
    } else if (path === '/events') {
      openStream(request, response);
    } else if (path === '/state') {
      response
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        .end(JSON.stringify(options.snapshot()));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };

  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch {
      // A snapshot that failed to build must not take the host app down.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('dashboard error\n');
    }
  });
  // An embedded monitor must not keep the host process alive on its own.
  server.on('connection', (socket) => socket.unref());
  server.unref();
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError('dashboard', HOST, options.port, error) : error);
    };
    server.once('error', fail);
    server.listen(options.port, HOST, () => {
      server.off('error', fail);
      resolve();
    });
  });
  port = addressPort(server.address(), options.port);

  return {
    url: `http://${HOST}:${port}/`,
    port,
    get clients() {
      return streams.size;
    },
    notify() {
      if (closed || streams.size === 0 || flushTimer) return;
      flushTimer = setTimeout(flush, throttleMs);
      flushTimer.unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (flushTimer) clearTimeout(flushTimer);
      if (heartbeat) clearInterval(heartbeat);
      flushTimer = undefined;
      heartbeat = undefined;
      for (const stream of streams) stream.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function addressPort(address: string | AddressInfo | null, fallback: number): number {
  return typeof address === 'object' && address !== null ? address.port : fallback;
}
