/**
 * A TCP proxy on 127.0.0.1 for partition tests: it forwards every connection
 * to `target` until paused. Paused, it stops forwarding in both directions
 * without closing anything (bytes wait in the proxy, as on a network that
 * went silent); resumed, it delivers what waited, in order, and forwards again.
 */
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops forwarding, both ways, on every connection (new ones wait too). */
  pause(): void;
  /** Delivers what waited and forwards again. */
  resume(): void;
  /** Bytes forwarded so far, both ways. */
  forwardedBytes(): number;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** One direction of a connection: holds chunks while paused. */
class Pipe {
  readonly #held: Buffer[] = [];
  readonly #to: Socket;
  readonly #count: (bytes: number) => void;

  constructor(from: Socket, to: Socket, isPaused: () => boolean, count: (bytes: number) => void) {
    this.#to = to;
    this.#count = count;
    from.on('data', (chunk: Buffer) => {
      if (isPaused() || this.#held.length > 0) this.#held.push(chunk);
      else this.#write(chunk);
    });
  }

  #write(chunk: Buffer): void {
    if (this.#to.destroyed) return;
    this.#count(chunk.length);
    this.#to.write(chunk);
  }

  flush(): void {
    for (const chunk of this.#held.splice(0)) this.#write(chunk);
  }
}

/**
 * Starts a proxy to `targetPort` on 127.0.0.1.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy(redis.port);
 * const worker = startWorker(proxy.url); // its Redis traffic goes through the proxy
 * proxy.pause(); // the worker is cut off; nothing is closed
 * ```
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let paused = false;
  let forwarded = 0;
  const count = (bytes: number): void => {
    forwarded += bytes;
  };
  const pipes: Pipe[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    pipes.push(new Pipe(client, upstream, () => paused, count), new Pipe(upstream, client, () => paused, count));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const pipe of pipes) pipe.flush();
    },
    forwardedBytes: () => forwarded,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
