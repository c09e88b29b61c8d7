/**
 * A small WebSocket relay on 127.0.0.1 for the Stately inspector: every
 * message one client sends is forwarded to every other client, and recent
 * messages are replayed to clients that connect later. Its HTTP page embeds
 * the inspector UI and feeds it the relayed events (as @statelyai/inspect's
 * own server does).
 *
 * The WebSocket protocol is the `ws` package's: it rejects unmasked client
 * frames and invalid UTF-8 in text messages (closing with 1002 / 1007),
 * assembles fragments in linear time and closes with 1009 a message over the
 * size limit. Every socket has an error listener, so a client that resets
 * its connection at any moment cannot take the host process down.
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { PortInUseError } from '../protocols/errors/errors.js';
import { loadWs } from './load-ws.js';
import { ReplayBuffer } from './replay-buffer.js';

const HOST = '127.0.0.1';
/** Default bound on one message. */
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Default bound on the bytes kept for replay. */
const DEFAULT_REPLAY_BUFFER_BYTES = 8 * 1024 * 1024;
/** How long `close()` waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 500;
/** Close code sent to clients when the relay stops (RFC 6455 "going away"). */
const GOING_AWAY = 1001;

export interface WebSocketRelayOptions {
  /** TCP port; 0 (default) picks a free one. A port already in use is a `PortInUseError`. */
  readonly port?: number;
  /** Messages kept for clients that connect later. Default 1000. */
  readonly replayBufferSize?: number;
  /** Total bytes of the messages kept for replay (oldest dropped first). Default 8 MiB. */
  readonly replayBufferBytes?: number;
  /** Largest message a client may send; a bigger one closes that client with 1009. Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** The HTML served at `/`, given the relay's ws URL. Default: a blank page. */
  readonly page?: (wsUrl: string) => string;
}

export interface WebSocketRelay {
  /** `http://127.0.0.1:<port>/` (the page). */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  readonly port: number;
  /** Clients connected now. */
  readonly clientCount: number;
  /** Closes every connection (code 1001) and stops listening. */
  close(): Promise<void>;
}

/** Browser pages may connect only from the relay's own page; Node clients send no Origin. */
function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
}

/** Answers a refused upgrade and closes the socket; a reset from the client meanwhile is ignored. */
function refuseUpgrade(socket: Duplex, status: string): void {
  socket.on('error', () => socket.destroy());
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

/** A single message as one Buffer (ws hands over fragments as an array when asked to; here as a Buffer or list). */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError('inspector relay', HOST, port, error) : error);
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Starts a relay bound to 127.0.0.1.
 *
 * @example
 * ```ts
 * const relay = await startWebSocketRelay({ port: 0, replayBufferBytes: 1024 * 1024 });
 * console.log(relay.wsUrl); // ws://127.0.0.1:54321
 * await relay.close();
 * ```
 */
export async function startWebSocketRelay(options: WebSocketRelayOptions = {}): Promise<WebSocketRelay> {
  const { WebSocketServer } = await loadWs();
  const replay = new ReplayBuffer(options.replayBufferSize ?? 1000, options.replayBufferBytes ?? DEFAULT_REPLAY_BUFFER_BYTES);
  const clients = new Set<WebSocket>();
  const sockets = new Set<Duplex>();
  let port = 0;
  let closing = false;

  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '/') !== '/') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(options.page ? options.page(`ws://${HOST}:${port}`) : '<!DOCTYPE html><title>troupe relay</title>');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  // A malformed HTTP request: answer 400 and close; never an unhandled error.
  server.on('clientError', (_error, socket) => refuseUpgrade(socket, '400 Bad Request'));

  const webSockets = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
  webSockets.on('error', () => undefined);

  const onConnection = (client: WebSocket): void => {
    clients.add(client);
    client.on('error', () => client.terminate());
    client.on('close', () => clients.delete(client));
    for (const message of replay.messages()) client.send(message.data, { binary: message.binary });
    client.on('message', (data, isBinary) => {
      const payload = toBuffer(data);
      replay.push({ data: payload, binary: isBinary });
      for (const other of clients) {
        if (other !== client && other.readyState === other.OPEN) other.send(payload, { binary: isBinary });
      }
    });
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing) return refuseUpgrade(socket, '503 Service Unavailable');
    if (!originAllowed(request, port)) return refuseUpgrade(socket, '403 Forbidden');
    // ws answers a request that is not a valid WebSocket upgrade with 400 itself.
    webSockets.handleUpgrade(request, socket, head, onConnection);
  });

  const requestedPort = options.port ?? 0;
  await listen(server, requestedPort);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the inspector relay has no TCP address');
  port = address.port;

  return {
    url: `http://${HOST}:${port}/`,
    wsUrl: `ws://${HOST}:${port}`,
    port,
    get clientCount() {
      return clients.size;
    },
    async close() {
      closing = true;
      const closed = [...clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.readyState === client.CLOSED) return resolve();
            client.once('close', () => resolve());
            client.close(GOING_AWAY, 'relay closing');
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
      for (const client of clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      webSockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
