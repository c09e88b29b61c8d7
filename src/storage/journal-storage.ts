/**
 * The JournalStorage port: where a workflow run's journal lines live. One
 * append-only log per workflowId. Every method but `close` is async, so a
 * networked storage (Redis) can implement the port. An append's promise
 * resolves once the line is durable (at least against a process crash); the
 * journal link awaits it, which is what lets a model response be recorded
 * before the agent leaves the state that asked for it. The fs and memory
 * storages do their work when called and resolve at once.
 */

/** Append-only, line-oriented logs keyed by workflowId. */
export interface JournalStorage {
  /** Appends one line (no newline inside) to the workflow's log, creating the log if needed. */
  append(workflowId: string, line: string): Promise<void>;
  /**
   * Appends lines in order, as one write where the backend can (the journal's
   * group commit: lines that arrive while a write is in flight go together).
   * Optional: without it, the journal appends them one by one. Resolves once all are durable.
   */
  appendMany?(workflowId: string, lines: readonly string[]): Promise<void>;
  /** The log's whole text, or undefined when there is no log for this workflow. */
  read(workflowId: string): Promise<string | undefined>;
  /** Ids of every workflow with a log. */
  list(): Promise<string[]>;
  /** Releases what the log holds open (a file descriptor); a later append reopens it. */
  close(workflowId: string): void;
  /**
   * Deletes a workflow's log and its summary. Optional: without it,
   * `deleteWorkflow` and `journalRetention` are refused (ConfigError).
   */
  remove?(workflowId: string): Promise<void>;
  /** The log's length in UTF-8 bytes, undefined when there is none (checks that a summary is current). */
  size?(workflowId: string): Promise<number | undefined>;
  /** The summary stored beside the log by `writeSummary` (a cache `listWorkflows` reads instead of the log). */
  readSummary?(workflowId: string): Promise<string | undefined>;
  writeSummary?(workflowId: string, text: string): Promise<void>;
}

/**
 * Whether a value is a JournalStorage (for config validation).
 *
 * @example
 * ```ts
 * if (isJournalStorage(config.journal)) use(config.journal);
 * ```
 */
export function isJournalStorage(value: unknown): value is JournalStorage {
  if (typeof value !== 'object' || value === null) return false;
  return ['append', 'read', 'list', 'close'].every((method) => typeof Reflect.get(value, method) === 'function');
}
