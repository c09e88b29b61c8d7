/**
 * A real redis-server for tests: started on 127.0.0.1 on a free port, in a
 * temp dir of its own (its AOF and RDB files live there), with stop, restart
 * (same port, same data dir: what was persisted survives) and kill (SIGKILL).
 *
 * Without redis-server the tests that need it skip and say why; under
 * `CI=true` a missing redis-server is a failure, so CI always runs them
 * (.ci/run installs it with apt-get).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/** The redis-server binary, or undefined when none is installed. */
export function redisServerBinary(): string | undefined {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path !== '' ? path : undefined;
}

/**
 * Whether the Redis tests can run: true with redis-server installed. Without
 * it, prints why they skip and returns false, or throws under `CI=true`.
 */
export function redisAvailable(testName: string): boolean {
  if (redisServerBinary() !== undefined) return true;
  const reason = `${testName}: redis-server is not installed (apt-get install -y redis-server; .ci/run does it)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true this is a failure, not a skip`);
  console.warn(`${reason}: skipped`);
  return false;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** Turns the append-only file on (default false). */
  readonly appendonly?: boolean;
  /** `always`, `everysec` (Redis's default) or `no`; only with appendonly. */
  readonly appendfsync?: 'always' | 'everysec' | 'no';
}

/** A running redis-server a test owns. */
export interface TestRedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly directory: string;
  /** Stops it cleanly (SHUTDOWN semantics: SIGTERM, it saves what its config says). */
  stop(): Promise<void>;
  /** Kills it with SIGKILL: only what was already persisted survives. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves once a TCP connection to the port answers PING with PONG (bounded by `attempts`). */
async function waitUntilReady(port: number, child: ChildProcess, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before it was ready`);
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.setTimeout(500, () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
      socket.on('data', (chunk) => {
        answer += chunk.toString('utf8');
        if (answer.includes('\r\n')) {
          socket.end();
          // LOADING while the AOF is replayed: not ready yet.
          resolve(answer.startsWith('+PONG'));
        }
      });
      socket.once('connect', () => socket.write('PING\r\n'));
    });
    if (pong) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

/**
 * Starts a redis-server on 127.0.0.1 on a free port in a temp dir.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer({ appendonly: true, appendfsync: 'always' });
 * try { use(redis.url); } finally { await redis.close(); }
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<TestRedisServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed');
  const directory = mkdtempSync(join(tmpdir(), 'troupe-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', directory,
    '--save', '',
    '--appendonly', options.appendonly ? 'yes' : 'no',
    '--appendfsync', options.appendfsync ?? 'everysec',
    '--protected-mode', 'yes',
    '--loglevel', 'warning',
    '--daemonize', 'no',
  ];
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const started = spawn(binary, args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    await waitUntilReady(port, started);
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running) return;
    const exited = waitForExit(running);
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    directory,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await start();
    },
    close: async () => {
      await halt('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
