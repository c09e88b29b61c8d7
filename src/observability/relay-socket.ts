/**
 * The inspection observer's side of the relay: one WebSocket client that
 * sends each Stately inspection event to the relay as JSON. Events sent before
 * the socket opens wait (a bounded number); a connection the relay drops is
 * opened again after a short pause. `stop()` ends it for good: no timer or
 * reconnection is left behind, so a program that stops its relay can exit.
 */
import type { WebSocket } from 'ws';
import type { StatelyInspectionEvent } from './stately-events.js';

/** Pause before connecting again after the relay dropped the connection. */
const RECONNECT_MS = 1000;

/**
 * The event as JSON. Events arrive redacted into plain data; one that still
 * cannot be written (a BigInt the redactor kept, say) is left out rather than
 * thrown into the actor system that is being inspected.
 */
function toJson(event: StatelyInspectionEvent): string | undefined {
  try {
    return JSON.stringify(event);
  } catch {
    return undefined;
  }
}

/** The `ws` package's client class (passed in, as `ws` is loaded on first use). */
export type WebSocketClass = typeof WebSocket;

/**
 * A Stately inspector adapter (`start`, `stop`, `send`) on a `ws` client.
 *
 * @example
 * ```ts
 * const { WebSocket } = await import('ws');
 * const socket = new RelaySocket('ws://127.0.0.1:4242', WebSocket, 1000);
 * const inspector = createInspector(socket, { serialize });
 * inspector.start();
 * // ...
 * inspector.stop(); // closes the socket; nothing reconnects
 * ```
 */
export class RelaySocket {
  readonly #url: string;
  readonly #WebSocket: WebSocketClass;
  readonly #maxWaiting: number;
  #socket: WebSocket | undefined;
  #open = false;
  #stopped = false;
  #waiting: string[] = [];
  #reconnect: NodeJS.Timeout | undefined;

  constructor(url: string, webSocketClass: WebSocketClass, maxWaiting: number) {
    this.#url = url;
    this.#WebSocket = webSocketClass;
    this.#maxWaiting = maxWaiting;
  }

  /** Connects to the relay (again, after a drop), unless stopped. */
  start(): void {
    if (this.#stopped || this.#socket !== undefined) return;
    const socket = new this.#WebSocket(this.#url);
    this.#socket = socket;
    socket.on('open', () => {
      this.#open = true;
      for (const text of this.#waiting) socket.send(text);
      this.#waiting = [];
    });
    // A refused or reset connection ends in 'close', which schedules the next attempt.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#open = false;
      this.#socket = undefined;
      if (this.#stopped) return;
      this.#reconnect = setTimeout(() => this.start(), RECONNECT_MS);
      this.#reconnect.unref();
    });
  }

  /** Closes the connection and drops what waits; nothing reconnects afterwards. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnect);
    this.#waiting = [];
    this.#socket?.close();
  }

  /** Sends one event now, or when the socket opens (the oldest waiting event is dropped past the bound). */
  send(event: StatelyInspectionEvent): void {
    if (this.#stopped) return;
    const text = toJson(event);
    if (text === undefined) return;
    if (this.#open && this.#socket !== undefined) {
      this.#socket.send(text);
      return;
    }
    this.#waiting.push(text);
    if (this.#waiting.length > this.#maxWaiting) this.#waiting.shift();
  }
}
