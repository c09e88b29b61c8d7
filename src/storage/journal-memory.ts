/**
 * In-memory JournalStorage for tests: the same line protocol as the fs
 * storage, so codec, torn-line handling and summaries are exercised alike.
 */
import type { JournalStorage } from './journal-storage.js';

export class MemoryJournalStorage implements JournalStorage {
  readonly #logs = new Map<string, string>();
  readonly #summaries = new Map<string, string>();

  async append(workflowId: string, line: string): Promise<void> {
    const text = this.#logs.get(workflowId) ?? '';
    // Like the fs storage: a torn last line is cut off before appending.
    const kept = text === '' || text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    this.#logs.set(workflowId, `${kept}${line}\n`);
  }

  async appendMany(workflowId: string, lines: readonly string[]): Promise<void> {
    if (lines.length > 0) await this.append(workflowId, lines.join('\n'));
  }

  async read(workflowId: string): Promise<string | undefined> {
    return this.#logs.get(workflowId);
  }

  async list(): Promise<string[]> {
    return [...this.#logs.keys()];
  }

  close(): void {
    // Nothing is held open.
  }

  async remove(workflowId: string): Promise<void> {
    this.#logs.delete(workflowId);
    this.#summaries.delete(workflowId);
  }

  async size(workflowId: string): Promise<number | undefined> {
    const text = this.#logs.get(workflowId);
    return text === undefined ? undefined : Buffer.byteLength(text);
  }

  async readSummary(workflowId: string): Promise<string | undefined> {
    return this.#summaries.get(workflowId);
  }

  async writeSummary(workflowId: string, text: string): Promise<void> {
    this.#summaries.set(workflowId, text);
  }

  /** Replaces a log's raw text (tests use it to simulate torn or corrupt lines). */
  setRaw(workflowId: string, text: string): void {
    this.#logs.set(workflowId, text);
  }
}
