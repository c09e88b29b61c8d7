/**
 * One small structured logger interface for the whole library. Silent by
 * default (a library does not write to your terminal unasked); plug in your
 * own (pino, console, a test double) with the `logger` config option, and set
 * the level with `setDebugMode({ logLevel })`. Every field passes a
 * {@link Redactor} first, so keys and prompts never reach a log line.
 */
import type { EventHub } from '../protocols/events.js';
import type { Redactor } from '../util/sanitize.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured fields of one log line: ids, numbers, codes. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger interface. Any object with these four methods fits, e.g. for
 * pino: `{ debug: (m, f) => pino.debug(f ?? {}, m), info: ..., warn: ..., error: ... }`.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Whether a value has the four logging methods. */
export function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    'debug' in value &&
    typeof value.debug === 'function' &&
    'info' in value &&
    typeof value.info === 'function' &&
    'warn' in value &&
    typeof value.warn === 'function' &&
    'error' in value &&
    typeof value.error === 'function'
  );
}

/** A logger that drops everything. */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

export interface ConsoleLoggerOptions {
  /** Where each JSON line goes. Default: `process.stderr`. */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

/**
 * A logger writing one JSON object per line: `{"level","time","msg",...fields}`.
 *
 * @example
 * ```ts
 * const orchestrator = new Orchestrator({ logger: createConsoleLogger() });
 * orchestrator.setDebugMode({ enabled: true, logLevel: 'debug' });
 * ```
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? Date.now;
  const line = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields: LogFields = {}) =>
    write(`${JSON.stringify({ level, time: new Date(now()).toISOString(), msg: message, ...fields })}\n`);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * The library's logger: filters by level, redacts fields and message, and
 * forwards to a sink. A sink that throws is ignored (logging never breaks a run).
 */
export class LevelLogger implements Logger {
  #sink: Logger;
  #level: LogLevel;
  readonly #redactor: Redactor;

  constructor(options: { readonly sink: Logger; readonly level: LogLevel; readonly redactor: Redactor }) {
    this.#sink = options.sink;
    this.#level = options.level;
    this.#redactor = options.redactor;
  }

  get level(): LogLevel {
    return this.#level;
  }

  /** Changes the level and, optionally, the sink. */
  configure(level: LogLevel, sink: Logger = this.#sink): void {
    this.#level = level;
    this.#sink = sink;
  }

  /** Whether a line at `level` would be written. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.#level];
  }

  debug(message: string, fields?: LogFields): void {
    this.#log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#log('error', message, fields);
  }

  #log(level: Exclude<LogLevel, 'silent'>, message: string, fields: LogFields | undefined): void {
    if (!this.enabled(level)) return;
    const redacted: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields ?? {})) {
      const safe = this.#redactor.redactField(key, value);
      if (safe !== undefined) redacted[key] = safe;
    }
    try {
      this.#sink[level](this.#redactor.scrub(message), redacted);
    } catch {
      // A failing sink must not fail the run it reports on.
    }
  }
}

/**
 * Writes the system's progress events to `logger` as structured lines (ids,
 * statuses, costs, error codes; never prompt text). Returns the detach function.
 * Listens only while the logger is not silent, so a silent library costs nothing.
 *
 * @example
 * ```ts
 * const detach = logEvents(orchestrator.events, logger);
 * ```
 */
export function logEvents(events: EventHub, logger: LevelLogger): () => void {
  const offs = [
    events.on('workflow.started', ({ workflowId, taskCount }) => logger.info('workflow started', { workflowId, taskCount })),
    events.on('workflow.finished', ({ workflowId, result }) =>
      logger.info('workflow finished', {
        workflowId,
        status: result.status,
        totalCostCents: result.totalCostCents,
        durationSeconds: result.durationSeconds,
      }),
    ),
    events.on('task.started', ({ workflowId, agentId, attempt }) => logger.debug('task started', { workflowId, agentId, attempt })),
    events.on('task.retrying', ({ workflowId, agentId, attempt, delayMs, error }) =>
      logger.warn('task retrying', { workflowId, agentId, attempt, delayMs, errorCode: error.code, errorMessage: error.message }),
    ),
    events.on('task.finished', ({ workflowId, agentId, result }) => {
      const fields = {
        workflowId,
        agentId,
        status: result.status,
        attempts: result.attempts,
        costCents: result.costCents,
        ...(result.error ? { errorCode: result.error.code, errorMessage: result.error.message } : {}),
      };
      if (result.status === 'succeeded' || result.status === 'skipped') logger.info('task finished', fields);
      else logger.warn('task finished', fields);
    }),
    events.on('agent.spawned', ({ agentId, template }) => logger.debug('agent spawned', { agentId, template })),
    events.on('agent.stopped', ({ agentId }) => logger.debug('agent stopped', { agentId })),
    events.on('agent.crashed', ({ agentId, error }) => logger.error('agent crashed', { agentId, errorCode: error.code, errorMessage: error.message })),
    events.on('model.call.finished', (event) =>
      logger.debug('model call finished', {
        callId: event.callId,
        agentId: event.agentId,
        taskId: event.taskId,
        purpose: event.purpose,
        provider: event.provider,
        model: event.model,
        inputTokens: event.usage.inputTokens,
        outputTokens: event.usage.outputTokens,
        costCents: event.costCents,
        durationMs: event.durationMs,
      }),
    ),
    events.on('model.call.failed', (event) =>
      logger.warn('model call failed', {
        callId: event.callId,
        agentId: event.agentId,
        taskId: event.taskId,
        purpose: event.purpose,
        provider: event.provider,
        model: event.model,
        errorCode: event.error.code,
        errorMessage: event.error.message,
        durationMs: event.durationMs,
      }),
    ),
    events.on('budget.exceeded', ({ agentId, limit, error }) => logger.warn('budget exceeded', { agentId, limit, errorCode: error.code })),
    events.on('budget.overrun', ({ agentId, provider, model, chargedCents, reservedCents, closedLimits }) =>
      logger.warn('budget overrun: the provider reported more tokens than the request allowed', {
        agentId,
        provider,
        model,
        chargedCents,
        reservedCents,
        closedLimits: closedLimits.join(','),
      }),
    ),
    events.on('listener.error', ({ eventType, error }) =>
      logger.error('event listener failed', { eventType, errorCode: error.code, errorMessage: error.message }),
    ),
    events.on('alert', (alert) => logger.warn('alert', { name: alert.name, value: alert.value, threshold: alert.threshold, agentId: alert.agentId, workflowId: alert.workflowId })),
  ];
  return () => {
    for (const off of offs) off();
  };
}
