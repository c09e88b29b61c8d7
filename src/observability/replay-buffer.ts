/**
 * The recent messages a relay replays to a client that connects late,
 * bounded both by count and by total bytes: the oldest are dropped first, and
 * a message bigger than the whole byte bound is never kept.
 */

/** One relayed message. */
export interface ReplayMessage {
  readonly data: Buffer;
  readonly binary: boolean;
}

export class ReplayBuffer {
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  #items: ReplayMessage[] = [];
  /** Index of the oldest kept message in `#items` (dropping from the front is O(1)). */
  #head = 0;
  #bytes = 0;

  /**
   * @example
   * ```ts
   * const buffer = new ReplayBuffer(1000, 8 * 1024 * 1024);
   * buffer.push({ data: Buffer.from('{"type":"@xstate.actor"}'), binary: false });
   * for (const message of buffer.messages()) socket.send(message.data);
   * ```
   */
  constructor(maxMessages: number, maxBytes: number) {
    this.#maxMessages = Math.max(0, Math.floor(maxMessages));
    this.#maxBytes = Math.max(0, Math.floor(maxBytes));
  }

  /** Messages kept now. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Total bytes kept now. */
  get bytes(): number {
    return this.#bytes;
  }

  push(message: ReplayMessage): void {
    if (message.data.length > this.#maxBytes || this.#maxMessages === 0) return;
    this.#items.push(message);
    this.#bytes += message.data.length;
    while (this.size > this.#maxMessages || this.#bytes > this.#maxBytes) {
      const dropped = this.#items[this.#head];
      this.#head++;
      this.#bytes -= dropped?.data.length ?? 0;
    }
    // Compact once the dropped prefix is as long as what is kept.
    if (this.#head > 0 && this.#head >= this.size) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The kept messages, oldest first. */
  messages(): readonly ReplayMessage[] {
    return this.#items.slice(this.#head);
  }
}
