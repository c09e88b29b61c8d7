/**
 * A small WebSocket relay on 127.0.0.1 for the Stately inspector: every text
 * message one client sends is forwarded to every other client, and the last
 * messages are replayed to clients that connect later. Its HTTP page embeds
 * the inspector UI and feeds it the relayed events (as @statelyai/inspect's
 * own server does). RFC 6455 framing is done here, so the library needs no
 * WebSocket server dependency.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
/** Bound on one message, so a misbehaving client cannot grow memory without end. */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface WebSocketRelayOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Messages kept for clients that connect later. Default 1000. */
  readonly replayBufferSize?: number;
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
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/** One connected client: its socket and the frames it has not finished sending. */
interface Client {
  readonly socket: Socket;
  pending: Buffer;
  fragments: Buffer[];
  fragmentOpcode: number;
}

function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126 ? Buffer.alloc(2) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) {
    header[1] = length;
  } else if (length < 0x10000) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Parses one frame from the front of `buffer`, or returns undefined when it is incomplete. */
function decodeFrame(buffer: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer.readUInt8(0);
  const second = buffer.readUInt8(1);
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    const big = buffer.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE_BYTES)) throw new RangeError('frame too large');
    length = Number(big);
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (masked) {
    for (let i = 0; i < payload.length; i++) {
      payload[i] = (payload[i] ?? 0) ^ (buffer[maskOffset + (i % 4)] ?? 0);
    }
  }
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: offset + length };
}

/** Browser pages may connect only from the relay's own page; Node clients send no Origin. */
function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/**
 * Starts a relay bound to 127.0.0.1.
 *
 * @example
 * ```ts
 * const relay = await startWebSocketRelay({ port: 0 });
 * console.log(relay.wsUrl); // ws://127.0.0.1:54321
 * await relay.close();
 * ```
 */
export async function startWebSocketRelay(options: WebSocketRelayOptions = {}): Promise<WebSocketRelay> {
  const replayBufferSize = options.replayBufferSize ?? 1000;
  const clients = new Set<Client>();
  const sockets = new Set<Socket>();
  const replay: Buffer[] = [];
  let port = 0;

  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '/') !== '/') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(options.page ? options.page(`ws://127.0.0.1:${port}`) : '<!DOCTYPE html><title>troupe relay</title>');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const drop = (client: Client): void => {
    clients.delete(client);
    client.socket.destroy();
  };

  const relay = (from: Client, opcode: number, payload: Buffer): void => {
    const frame = encodeFrame(opcode, payload);
    replay.push(frame);
    if (replay.length > replayBufferSize) replay.shift();
    for (const client of clients) if (client !== from && client.socket.writable) client.socket.write(frame);
  };

  const onData = (client: Client, chunk: Buffer): void => {
    client.pending = client.pending.length === 0 ? chunk : Buffer.concat([client.pending, chunk]);
    for (;;) {
      let frame: ReturnType<typeof decodeFrame>;
      try {
        frame = decodeFrame(client.pending);
      } catch {
        drop(client);
        return;
      }
      if (!frame) return;
      client.pending = client.pending.subarray(frame.size);
      switch (frame.opcode) {
        case OPCODE.close:
          if (client.socket.writable) client.socket.end(encodeFrame(OPCODE.close, frame.payload.subarray(0, 2)));
          clients.delete(client);
          return;
        case OPCODE.ping:
          if (client.socket.writable) client.socket.write(encodeFrame(OPCODE.pong, frame.payload));
          break;
        case OPCODE.pong:
          break;
        case OPCODE.text:
        case OPCODE.binary:
        case OPCODE.continuation: {
          if (frame.opcode !== OPCODE.continuation) {
            client.fragments = [];
            client.fragmentOpcode = frame.opcode;
          }
          client.fragments.push(frame.payload);
          const message = Buffer.concat(client.fragments);
          if (message.length > MAX_MESSAGE_BYTES) {
            drop(client);
            return;
          }
          if (frame.fin) {
            client.fragments = [];
            relay(client, client.fragmentOpcode, message);
          }
          break;
        }
        default:
          drop(client);
          return;
      }
    }
  };

  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string' || request.headers.upgrade?.toLowerCase() !== 'websocket' || !originAllowed(request, port)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const client: Client = { socket, pending: Buffer.alloc(0), fragments: [], fragmentOpcode: OPCODE.text };
    clients.add(client);
    socket.setNoDelay(true);
    for (const frame of replay) socket.write(frame);
    socket.on('data', (chunk: Buffer) => onData(client, chunk));
    socket.on('close', () => clients.delete(client));
    socket.on('error', () => drop(client));
    if (head.length > 0) onData(client, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the inspector relay has no TCP address');
  port = address.port;

  return {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    get clientCount() {
      return clients.size;
    },
    close() {
      for (const client of clients) drop(client);
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
