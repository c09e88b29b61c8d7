/**
 * In-memory JournalStorage for tests: the same line protocol as the fs
 * storage, so codec, torn-line handling and summaries are exercised alike.
 */
import type { JournalStorage } from './journal-storage.js';

export class MemoryJournalStorage implements JournalStorage {
  readonly #logs = new Map<string, string>();
  readonly #summaries = new Map<string, string>();

  append(workflowId: string, line: string): void {
    const text = this.#logs.get(workflowId) ?? '';
    // Like the fs storage: a torn last line is cut off before appending.
    const kept = text === '' || text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    this.#logs.set(workflowId, `${kept}${line}\n`);
  }

  read(workflowId: string): string | undefined {
    return this.#logs.get(workflowId);
  }

  list(): string[] {
    return [...this.#logs.keys()];
  }

  close(): void {
    // Nothing is held open.
  }

  remove(workflowId: string): void {
    this.#logs.delete(workflowId);
    this.#summaries.delete(workflowId);
  }

  size(workflowId: string): number | undefined {
    const text = this.#logs.get(workflowId);
    return text === undefined ? undefined : Buffer.byteLength(text);
  }

  readSummary(workflowId: string): string | undefined {
    return this.#summaries.get(workflowId);
  }

  writeSummary(workflowId: string, text: string): void {
    this.#summaries.set(workflowId, text);
  }

  /** Replaces a log's raw text (tests use it to simulate torn or corrupt lines). */
  setRaw(workflowId: string, text: string): void {
    this.#logs.set(workflowId, text);
  }
}
