/**
 * Debug mode (`orchestrator.setDebugMode`): the log level, thinking traces and
 * agent conversations written as JSONL under `<workspacePath>/debug/`, and
 * breakpoints on error. Debug files hold prompts and answers on purpose (that
 * is what they are for) but never keys: every line passes a secrets-only
 * redactor that cuts credential fields and the configured key values.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../protocols/errors/errors.js';
import type { EventHub, TroupeEvent } from '../protocols/events.js';
import type { LevelLogger, LogLevel, Logger } from './logger.js';
import { createConsoleLogger, logEvents } from './logger.js';
import type { Redactor } from '../util/sanitize.js';

/** A log level as `setDebugMode` takes it (upper case, `"DEBUG"`, is accepted too). */
export type DebugLogLevel = LogLevel | Uppercase<LogLevel>;

/** What `setDebugMode` takes. */
export interface DebugModeOptions {
  /** Off turns every debug feature off and the log level back to its default. */
  readonly enabled: boolean;
  /** Default `debug` while enabled. */
  readonly logLevel?: DebugLogLevel;
  /** One JSONL line per finished agent task: agentId, taskId, thinking. Default false. */
  readonly saveThinkingTraces?: boolean;
  /** Every model request/response pair, one JSONL file per agent. Default false. */
  readonly saveAgentConversations?: boolean;
  /** A failing agent waits in `paused` for `resumeAgent` or `abortAgent`. Default false. */
  readonly breakpointOnError?: boolean;
}

/** Debug mode as it is now. */
export interface DebugModeState {
  readonly enabled: boolean;
  readonly logLevel: LogLevel;
  readonly saveThinkingTraces: boolean;
  readonly saveAgentConversations: boolean;
  readonly breakpointOnError: boolean;
  /** `<workspacePath>/debug` */
  readonly directory: string;
  /** The thinking traces file. */
  readonly thinkingTracesFile: string;
  /** The directory holding one `<agentId>.jsonl` conversation file per agent. */
  readonly conversationsDirectory: string;
}

export interface DebugControlOptions {
  readonly events: EventHub;
  readonly workspacePath: string;
  /** The orchestrator's logger, whose level and sink debug mode sets. */
  readonly logger: LevelLogger;
  /** The `logger` config option; with none, debug mode logs JSON lines to stderr. */
  readonly configuredSink: Logger | undefined;
  /** The level outside debug mode. */
  readonly defaultLevel: LogLevel;
  /** Secrets-only redactor for debug files (prompts stay, keys go). */
  readonly fileRedactor: Redactor;
  /** Applies breakpointOnError to agents spawned later and to live ones. */
  readonly setBreakpointOnError: (enabled: boolean) => void;
  readonly now?: () => number;
}

/** A file name for an agent id that cannot leave its directory. */
export function agentFileName(agentId: string): string {
  return `${encodeURIComponent(agentId).replace(/^\./, '%2E')}.jsonl`;
}

/** Owns what debug mode turns on and off. */
export class DebugControl {
  readonly #options: DebugControlOptions;
  readonly #now: () => number;
  #state: DebugModeState;
  #detachLog: (() => void) | undefined;
  #detachFiles: (() => void)[] = [];
  readonly #madeDirectories = new Set<string>();

  constructor(options: DebugControlOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const directory = join(options.workspacePath, 'debug');
    this.#state = {
      enabled: false,
      logLevel: options.defaultLevel,
      saveThinkingTraces: false,
      saveAgentConversations: false,
      breakpointOnError: false,
      directory,
      thinkingTracesFile: join(directory, 'thinking-traces.jsonl'),
      conversationsDirectory: join(directory, 'conversations'),
    };
    options.logger.configure(options.defaultLevel);
    this.#syncLogListener();
  }

  get state(): DebugModeState {
    return this.#state;
  }

  /**
   * Applies `setDebugMode` options and returns the resulting state.
   * @throws ConfigError for an unknown `logLevel` (nothing is changed).
   */
  set(options: DebugModeOptions): DebugModeState {
    const enabled = options.enabled;
    const logLevel = enabled ? normaliseLevel(options.logLevel ?? 'debug') : this.#options.defaultLevel;
    this.#state = {
      ...this.#state,
      enabled,
      logLevel,
      saveThinkingTraces: enabled && options.saveThinkingTraces === true,
      saveAgentConversations: enabled && options.saveAgentConversations === true,
      breakpointOnError: enabled && options.breakpointOnError === true,
    };
    const sink = this.#options.configuredSink ?? (enabled && logLevel !== 'silent' ? createConsoleLogger() : undefined);
    this.#options.logger.configure(logLevel, sink);
    this.#syncLogListener();
    this.#syncFileListeners();
    this.#options.setBreakpointOnError(this.#state.breakpointOnError);
    return this.#state;
  }

  /** Detaches every listener (shutdown). */
  close(): void {
    this.#detachLog?.();
    this.#detachLog = undefined;
    for (const detach of this.#detachFiles) detach();
    this.#detachFiles = [];
  }

  #syncLogListener(): void {
    const wanted = this.#options.logger.level !== 'silent';
    if (wanted && !this.#detachLog) this.#detachLog = logEvents(this.#options.events, this.#options.logger);
    if (!wanted && this.#detachLog) {
      this.#detachLog();
      this.#detachLog = undefined;
    }
  }

  #syncFileListeners(): void {
    for (const detach of this.#detachFiles) detach();
    this.#detachFiles = [];
    const { events } = this.#options;
    const state = this.#state;
    if (state.saveThinkingTraces) {
      this.#detachFiles.push(events.on('agent.result', (event) => this.#writeThinking(event)));
    }
    if (state.saveAgentConversations) {
      this.#detachFiles.push(events.on('model.call.detail', (event) => this.#writeConversation(event)));
    }
  }

  #writeThinking(event: TroupeEvent<'agent.result'>): void {
    this.#append(this.#state.thinkingTracesFile, {
      at: new Date(this.#now()).toISOString(),
      agentId: event.agentId,
      taskId: event.taskId,
      thinking: event.result.thinkingProcess,
      confidence: event.result.confidence,
    });
  }

  #writeConversation(event: TroupeEvent<'model.call.detail'>): void {
    this.#append(join(this.#state.conversationsDirectory, agentFileName(event.agentId)), {
      at: new Date(this.#now()).toISOString(),
      callId: event.callId,
      agentId: event.agentId,
      taskId: event.taskId,
      workflowId: event.workflowId,
      purpose: event.purpose,
      provider: event.provider,
      request: event.request,
      response: event.response,
      costCents: event.costCents,
      durationMs: event.durationMs,
    });
  }

  /**
   * Appends one line synchronously: lines are on disk in call order and
   * survive a crash right after, which is when they are needed most.
   */
  #append(file: string, line: Record<string, unknown>): void {
    try {
      const directory = join(file, '..');
      if (!this.#madeDirectories.has(directory)) {
        mkdirSync(directory, { recursive: true });
        this.#madeDirectories.add(directory);
      }
      appendFileSync(file, `${JSON.stringify(this.#options.fileRedactor.redact(line))}\n`);
    } catch (error) {
      this.#options.logger.warn('debug file write failed', {
        file,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** @throws ConfigError for a level that is not one of the five (a typo must not silence the logs). */
function normaliseLevel(level: DebugLogLevel): LogLevel {
  switch (String(level).toLowerCase()) {
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
      return 'warn';
    case 'error':
      return 'error';
    case 'silent':
      return 'silent';
    default:
      throw new ConfigError('logLevel', `unknown log level "${String(level)}"; known: debug, info, warn, error, silent (any case)`);
  }
}
