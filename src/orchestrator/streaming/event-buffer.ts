/**
 * The buffer between a running workflow and the consumer of its events. The
 * actors never wait for the consumer: `push` is synchronous and never blocks.
 * Past `capacity` unread events, a new `model.delta` is merged into the
 * unread delta of the same call and kind (its text appended, its partial
 * value replaced), so a slow reader loses granularity, never text; every
 * other event is always kept (there are a handful per task).
 */
import type { WorkflowEvent } from '../../protocols/events.js';

type DeltaEvent = Extract<WorkflowEvent, { type: 'model.delta' }>;

function isDelta(event: WorkflowEvent): event is DeltaEvent {
  return event.type === 'model.delta';
}

/** Default number of unread events before deltas are merged. */
export const DEFAULT_STREAM_BUFFER = 1024;

/**
 * A bounded async queue of workflow events.
 *
 * @example
 * ```ts
 * const buffer = new EventBuffer(256);
 * const off = hub.onAny((event) => buffer.push(event));
 * for await (const event of buffer) console.log(event.type);
 * ```
 */
export class EventBuffer implements AsyncIterable<WorkflowEvent> {
  readonly #capacity: number;
  #items: WorkflowEvent[] = [];
  #head = 0;
  /** Unread delta per `callId/kind`: its index in #items, where a merge goes. */
  readonly #lastDelta = new Map<string, number>();
  #waiting: ((result: IteratorResult<WorkflowEvent>) => void) | undefined;
  #failWaiting: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: { readonly error: unknown } | undefined;
  #merged = 0;
  #iterating = false;

  constructor(capacity = DEFAULT_STREAM_BUFFER) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`bufferSize must be a whole number >= 1, got ${String(capacity)}`);
    this.#capacity = capacity;
  }

  /** Deltas merged into an earlier unread one because the reader fell behind. */
  get merged(): number {
    return this.#merged;
  }

  /** Unread events. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(event: WorkflowEvent): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#clearWaiter();
      resolve({ value: event, done: false });
      return;
    }
    if (isDelta(event)) {
      const key = `${event.callId}/${event.kind}`;
      const at = this.#lastDelta.get(key);
      if (this.size >= this.#capacity && at !== undefined && at >= this.#head) {
        const earlier = this.#items[at];
        if (earlier && isDelta(earlier)) {
          this.#items[at] = { ...event, index: earlier.index, text: earlier.text + event.text };
          this.#merged++;
          return;
        }
      }
      this.#lastDelta.set(key, this.#items.length);
    }
    this.#items.push(event);
  }

  /** No more events: the iteration ends once the unread ones are read. */
  end(): void {
    this.#ended = true;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#clearWaiter();
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the iteration with `error` after the unread events. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = { error };
    this.#ended = true;
    if (this.#failWaiting) {
      const reject = this.#failWaiting;
      this.#clearWaiter();
      reject(error);
    }
  }

  #clearWaiter(): void {
    this.#waiting = undefined;
    this.#failWaiting = undefined;
  }

  #take(): WorkflowEvent | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const event = this.#items[this.#head];
    this.#head++;
    // Compact once the read prefix dominates, keeping the merge indexes valid.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      for (const [key, index] of this.#lastDelta) {
        if (index < this.#head) this.#lastDelta.delete(key);
        else this.#lastDelta.set(key, index - this.#head);
      }
      this.#head = 0;
    }
    return event;
  }

  next(): Promise<IteratorResult<WorkflowEvent>> {
    const event = this.#take();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.#error) return Promise.reject(this.#error.error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  /**
   * The events in order. One reader only: a second `for await` throws. Leaving
   * the loop early (break, return, throw) stops the buffering.
   */
  [Symbol.asyncIterator](): AsyncIterator<WorkflowEvent> {
    if (this.#iterating) throw new Error('a workflow event stream can be iterated only once');
    this.#iterating = true;
    return {
      next: () => this.next(),
      return: () => {
        this.#items = [];
        this.#head = 0;
        this.#lastDelta.clear();
        this.#ended = true;
        this.#error = undefined;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
