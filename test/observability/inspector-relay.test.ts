/**
 * The inspector relay under hostile clients: a refused upgrade followed by a
 * TCP reset, unmasked frames, invalid UTF-8, big fragmented messages, an
 * oversized message. The host process must never see an unhandled error (the
 * test runner fails the run if it does), later clients must still work, and
 * what is replayed stays bounded by bytes.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PortInUseError } from '../../src/index.js';
import { startInspectorRelay } from '../../src/index.js';
import { ReplayBuffer } from '../../src/observability/index.js';
import { startWebSocketRelay } from '../../src/index.js';
import type { WebSocketRelay } from '../../src/index.js';

let relay: WebSocketRelay | undefined;
const opened: WebSocket[] = [];

afterEach(async () => {
  for (const client of opened.splice(0)) client.terminate();
  await relay?.close();
  relay = undefined;
});

/** A `ws` client that collects every message it receives. */
async function client(url: string): Promise<{ socket: WebSocket; received: string[]; next(): Promise<string> }> {
  const socket = new WebSocket(url);
  opened.push(socket);
  const received: string[] = [];
  const waiters: ((text: string) => void)[] = [];
  let read = 0;
  socket.on('message', (data) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    received.push(text);
    const waiter = waiters.shift();
    if (waiter) {
      read++;
      waiter(text);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    /** The next message not yet read (one already received, or the next to arrive). */
    next: () => {
      const ready = received[read];
      if (ready !== undefined) {
        read++;
        return Promise.resolve(ready);
      }
      return new Promise<string>((resolve) => waiters.push(resolve));
    },
  };
}

/** A frame as a client would send it; `mask: false` breaks RFC 6455 on purpose. */
function frame(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: boolean } = {}): Buffer {
  const fin = options.fin ?? true;
  const mask = options.mask ?? true;
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = (mask ? 0x80 : 0) | (length < 126 ? length : length < 0x10000 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([header, masked]);
}

/** A raw TCP connection that has completed (or been refused) the WebSocket handshake. */
interface RawClient {
  readonly socket: Socket;
  /** The HTTP response head. */
  readonly response: string;
  /** Resolves with the close code of the first close frame the server sends. */
  readonly closeCode: Promise<number>;
}

async function rawUpgrade(port: number, headers: Record<string, string> = {}): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const lines = [
    'GET / HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  let buffer = Buffer.alloc(0);
  let response = '';
  let resolveCode: (code: number) => void = () => undefined;
  const closeCode = new Promise<number>((resolve) => (resolveCode = resolve));
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!response) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        response = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        resolve();
      }
      // Server frames are unmasked; look for a close frame (opcode 8) at the front of what is left.
      while (buffer.length >= 2) {
        const opcode = (buffer[0] ?? 0) & 0x0f;
        const length = (buffer[1] ?? 0) & 0x7f;
        const offset = length === 126 ? 4 : length === 127 ? 10 : 2;
        const size = length === 126 ? buffer.readUInt16BE(2) : length === 127 ? Number(buffer.readBigUInt64BE(2)) : length;
        if (buffer.length < offset + size) return;
        if (opcode === 0x8) resolveCode(size >= 2 ? buffer.readUInt16BE(offset) : 1005);
        buffer = buffer.subarray(offset + size);
      }
    });
    socket.on('close', () => {
      resolveCode(1006);
      resolve();
    });
  });
  return { socket, response, closeCode };
}

describe('the inspector relay against hostile clients', () => {
  it('survives a refused upgrade followed by a connection reset, and later clients still work', async () => {
    relay = await startWebSocketRelay();
    for (let i = 0; i < 5; i++) {
      const refused = await rawUpgrade(relay.port, { Origin: 'http://evil.example' });
      expect(refused.response).toMatch(/^HTTP\/1\.1 40[03]/);
      refused.socket.resetAndDestroy();
    }
    const notAnUpgrade = await rawUpgrade(relay.port, { 'Sec-WebSocket-Version': '99' });
    expect(notAnUpgrade.response).toMatch(/^HTTP\/1\.1 4\d\d/);
    notAnUpgrade.socket.resetAndDestroy();

    const a = await client(relay.wsUrl);
    const b = await client(relay.wsUrl);
    const received = b.next();
    a.socket.send('hello after resets');
    expect(await received).toBe('hello after resets');
  });

  it('survives a client that resets mid-connection', async () => {
    relay = await startWebSocketRelay();
    const raw = await rawUpgrade(relay.port);
    expect(raw.response).toMatch(/^HTTP\/1\.1 101/);
    raw.socket.write(frame(0x1, Buffer.from('x'.repeat(1000))).subarray(0, 500));
    raw.socket.resetAndDestroy();
    const a = await client(relay.wsUrl);
    const b = await client(relay.wsUrl);
    const received = b.next();
    a.socket.send('still here');
    expect(await received).toBe('still here');
  });

  it('closes an unmasked client frame with 1002 and relays nothing of it', async () => {
    relay = await startWebSocketRelay();
    const watcher = await client(relay.wsUrl);
    const raw = await rawUpgrade(relay.port);
    raw.socket.write(frame(0x1, Buffer.from('unmasked'), { mask: false }));
    expect(await raw.closeCode).toBe(1002);
    const sender = await client(relay.wsUrl);
    const received = watcher.next();
    sender.socket.send('after');
    expect(await received).toBe('after');
    expect(watcher.received).not.toContain('unmasked');
  });

  it('closes invalid UTF-8 in a text message with 1007, and never relays or replays it', async () => {
    relay = await startWebSocketRelay();
    const watcher = await client(relay.wsUrl);
    const raw = await rawUpgrade(relay.port);
    raw.socket.write(frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    expect(await raw.closeCode).toBe(1007);
    const sender = await client(relay.wsUrl);
    const received = watcher.next();
    sender.socket.send('valid');
    expect(await received).toBe('valid');
    const late = await client(relay.wsUrl);
    const replayed = late.next();
    expect(await replayed).toBe('valid');
    expect(watcher.received).toEqual(['valid']);
  });

  it('relays a big message sent in many fragments intact', async () => {
    relay = await startWebSocketRelay();
    const watcher = await client(relay.wsUrl);
    const raw = await rawUpgrade(relay.port);
    const chunk = 'abcdefgh'.repeat(512); // 4 KiB
    const fragments = 1024; // 4 MiB in all
    const received = watcher.next();
    for (let i = 0; i < fragments; i++) {
      raw.socket.write(frame(i === 0 ? 0x1 : 0x0, Buffer.from(chunk), { fin: i === fragments - 1 }));
    }
    const text = await received;
    expect(text.length).toBe(chunk.length * fragments);
    expect(text.startsWith(chunk) && text.endsWith(chunk)).toBe(true);
  });

  it('closes a message over maxMessageBytes with 1009 and keeps serving others', async () => {
    relay = await startWebSocketRelay({ maxMessageBytes: 1024 });
    const watcher = await client(relay.wsUrl);
    const raw = await rawUpgrade(relay.port);
    raw.socket.write(frame(0x1, Buffer.alloc(600, 0x61), { fin: false }));
    raw.socket.write(frame(0x0, Buffer.alloc(600, 0x61)));
    expect(await raw.closeCode).toBe(1009);
    const sender = await client(relay.wsUrl);
    const received = watcher.next();
    sender.socket.send('small');
    expect(await received).toBe('small');
  });
});

describe('the relay replay and lifecycle', () => {
  it('replays to a late client only the newest messages that fit replayBufferBytes', async () => {
    relay = await startWebSocketRelay({ replayBufferBytes: 1000 });
    const sender = await client(relay.wsUrl);
    const echo = await client(relay.wsUrl);
    for (let i = 0; i < 10; i++) {
      const seen = echo.next();
      sender.socket.send(`${i}`.padEnd(300, '.'));
      await seen;
    }
    const late = await client(relay.wsUrl);
    const messages = await Promise.all([late.next(), late.next(), late.next()]);
    expect(messages.map((message) => message[0])).toEqual(['7', '8', '9']);
    // Nothing else arrives: a marker sent now is the very next message.
    const marker = late.next();
    sender.socket.send('marker');
    expect(await marker).toBe('marker');
    expect(late.received).toHaveLength(4);
  });

  it('closes clients with 1001 (going away) when the relay stops', async () => {
    relay = await startWebSocketRelay();
    const a = await client(relay.wsUrl);
    const code = new Promise<number>((resolve) => a.socket.once('close', (closeCode) => resolve(closeCode)));
    await relay.close();
    relay = undefined;
    expect(await code).toBe(1001);
  });

  it('reports a port already in use as a PortInUseError', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error: unknown = await startWebSocketRelay({ port }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(PortInUseError);
      expect(error).toMatchObject({ code: 'PORT_IN_USE', port });
      await expect(startInspectorRelay({ port })).rejects.toMatchObject({ code: 'PORT_IN_USE', port });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('ReplayBuffer', () => {
  const message = (text: string) => ({ data: Buffer.from(text), binary: false });

  it('drops the oldest messages past the count or the byte bound, and never keeps a message bigger than the bound', () => {
    const buffer = new ReplayBuffer(3, 10);
    for (const text of ['aaaa', 'bbbb', 'cc']) buffer.push(message(text));
    expect(buffer.bytes).toBe(10);
    buffer.push(message('d'));
    expect(buffer.messages().map((item) => item.data.toString())).toEqual(['bbbb', 'cc', 'd']);
    buffer.push(message('e'));
    expect(buffer.messages().map((item) => item.data.toString())).toEqual(['cc', 'd', 'e']);
    buffer.push(message('x'.repeat(11)));
    expect(buffer.messages().map((item) => item.data.toString())).toEqual(['cc', 'd', 'e']);
    expect(buffer.size).toBe(3);
    expect(buffer.bytes).toBe(4);
  });
});
