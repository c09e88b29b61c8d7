/**
 * Typed errors with stable `code`s. Callers branch on `code` (or `instanceof`),
 * never on message text. Every error is plain enough to cross an actor
 * boundary as data through {@link toErrorData} and back via {@link fromErrorData}.
 */
import { TroupeError } from './troupe-error.js';
import type { ErrorData } from './troupe-error.js';
import type { WorkspaceLockHolder } from './service-errors.js';

export { TroupeError } from './troupe-error.js';
export type { ErrorData, TroupeErrorCode } from './troupe-error.js';
export {
  PermissionDeniedError,
  VersionConflictError,
  ArtifactNotFoundError,
  InvalidArtifactIdError,
  ArtifactTooLargeError,
  ReplayMismatchError,
  McpServerUnavailableError,
  McpToolError,
  JournalCorruptError,
  WorkspaceLockedError,
  PortInUseError,
  ApprovalRejectedError,
  ApprovalTimeoutError,
  ApprovalNotFoundError,
  FencedError,
  ToolNotOnWorkerError,
  DistributedUnavailableError,
} from './service-errors.js';
export type { ArtifactOperation, WorkspaceLockHolder } from './service-errors.js';
/** A configuration value is missing, of the wrong type or out of range. */
export class ConfigError extends TroupeError {
  /** Dotted path of the offending field, e.g. `memoryConfig.tokenThreshold`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super('CONFIG_INVALID', `Invalid config "${field}": ${message}`, { details: { field } });
    this.field = field;
  }
}

/** A real provider was selected but its API key is not set. Names the variable, never a value. */
export class MissingApiKeyError extends TroupeError {
  readonly variable: string;
  constructor(provider: string, variable: string) {
    super(
      'MISSING_API_KEY',
      `The ${provider} provider needs an API key: set ${variable} or pass apiKey in the provider config.`,
      { details: { provider, variable } },
    );
    this.variable = variable;
  }
}

/** An agent attempt ran past its deadline (`agentTimeoutSeconds`). */
export class AgentTimeoutError extends TroupeError {
  constructor(agentId: string, timeoutSeconds: number) {
    super('AGENT_TIMEOUT', `Agent "${agentId}" timed out after ${timeoutSeconds}s`, {
      retryable: true,
      details: { agentId, timeoutSeconds },
    });
  }
}

export class AgentNotFoundError extends TroupeError {
  constructor(agentId: string) {
    super('AGENT_NOT_FOUND', `No live agent "${agentId}"`, { details: { agentId } });
  }
}

/** An agent got a task while it was still working on another one. */
export class AgentBusyError extends TroupeError {
  constructor(agentId: string, currentTaskId: string | null) {
    super('AGENT_BUSY', `Agent "${agentId}" is busy with task "${currentTaskId ?? '?'}"`, {
      details: { agentId, currentTaskId },
    });
  }
}

/** `spawnAgent` named a live agent's id with a different template, type or config. Names the fields that differ. */
export class AgentExistsError extends TroupeError {
  readonly agentId: string;
  constructor(agentId: string, differing: readonly string[]) {
    super(
      'AGENT_EXISTS',
      `Agent "${agentId}" is already live with a different ${differing.join(', ')}: stop it first, or spawn under another id`,
      { details: { agentId, differing: [...differing] } },
    );
    this.agentId = agentId;
  }
}

/** An agent ended its task in `failed`; `cause` holds what went wrong. */
export class AgentFailedError extends TroupeError {
  constructor(agentId: string, message: string, cause?: ErrorData) {
    super('AGENT_FAILED', `Agent "${agentId}" failed: ${message}`, {
      retryable: cause?.retryable ?? false,
      details: { agentId, ...(cause ? { cause } : {}) },
    });
  }
}

/** Which limit a {@link BudgetExceededError} refers to. */
export type BudgetLimitName = 'maxCostPerAgentCents' | 'totalCostLimitCents';

/** A model call was not made because its worst-case cost would pass a limit. */
export class BudgetExceededError extends TroupeError {
  readonly limit: BudgetLimitName;
  constructor(
    limit: BudgetLimitName,
    details: { agentId: string; limitCents: number; spentCents: number; reservedCents: number; requestedCents: number },
  ) {
    super(
      'BUDGET_EXCEEDED',
      `${limit} (${details.limitCents}¢) would be exceeded by agent "${details.agentId}": ` +
        `spent ${details.spentCents.toFixed(4)}¢, reserved ${details.reservedCents.toFixed(4)}¢, ` +
        `this call needs up to ${details.requestedCents.toFixed(4)}¢`,
      { details: { limit, ...details } },
    );
    this.limit = limit;
  }
}

/**
 * A model call was refused because an earlier call on the same limit was
 * reported (by its provider) as using more tokens than its request allowed, so
 * the reservation that guards the limit could not be trusted. The ledger fails
 * closed: no further call is made on a limit an overrun broke.
 */
export class BudgetOverrunError extends TroupeError {
  readonly limit: BudgetLimitName;
  constructor(limit: BudgetLimitName, details: { agentId: string; limitCents: number; spentCents: number; overrunCents: number }) {
    super(
      'BUDGET_OVERRUN',
      `${limit} (${details.limitCents}¢) is closed for agent "${details.agentId}": a provider reported more ` +
        `tokens than its request allowed (overrun ${details.overrunCents}¢; spent ${details.spentCents}¢), ` +
        'so no further call is made on this limit',
      { details: { limit, ...details } },
    );
    this.limit = limit;
  }
}

export class WorkflowValidationError extends TroupeError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('WORKFLOW_VALIDATION', message, details ? { details } : {});
  }
}

/**
 * An agent's self-reflection answered with a confidence outside 0..1 (or none)
 * twice in a row: the step fails rather than clamping the value into range.
 */
export class InvalidReflectionError extends TroupeError {
  readonly agentId: string;
  constructor(agentId: string, reason: string) {
    super('INVALID_REFLECTION', `Invalid self-reflection from "${agentId}": ${reason}`, {
      details: { agentId, reason },
    });
    this.agentId = agentId;
  }
}

/** A consensus voter answered with something that is not a valid vote. Asking again may help. */
export class InvalidVoteError extends TroupeError {
  readonly agentId: string;
  readonly round: number;
  constructor(agentId: string, round: number, reason: string) {
    super('INVALID_VOTE', `Invalid vote from "${agentId}" in round ${round}: ${reason}`, {
      retryable: true,
      details: { agentId, round, reason },
    });
    this.agentId = agentId;
    this.round = round;
  }
}

export class WorkflowNotFoundError extends TroupeError {
  constructor(workflowId: string) {
    super('WORKFLOW_NOT_FOUND', `No recorded workflow "${workflowId}"`, { details: { workflowId } });
  }
}

/** A task's `inputData`, serialised as JSON, is over `maxInputDataBytes`. */
export class InputDataTooLargeError extends TroupeError {
  constructor(path: string, bytes: number, limitBytes: number) {
    super('INPUT_DATA_TOO_LARGE', `${path} is ${bytes} bytes as JSON; the limit (maxInputDataBytes) is ${limitBytes}`, {
      details: { path, bytes, limitBytes },
    });
  }
}

export class ConsultationCycleError extends TroupeError {
  constructor(chain: readonly string[], reason: 'cycle' | 'depth') {
    super(
      'CONSULTATION_CYCLE',
      reason === 'cycle'
        ? `Consultation cycle: ${chain.join(' → ')}`
        : `Consultation chain too deep: ${chain.join(' → ')}`,
      { details: { chain: [...chain], reason } },
    );
  }
}

export class ConsultationTimeoutError extends TroupeError {
  constructor(fromAgent: string, toAgent: string, timeoutSeconds: number) {
    super('CONSULTATION_TIMEOUT', `"${toAgent}" did not answer "${fromAgent}" within ${timeoutSeconds}s`, {
      details: { fromAgent, toAgent, timeoutSeconds },
    });
  }
}

export class CrossAgentQueriesDisabledError extends TroupeError {
  constructor(fromAgent: string) {
    super(
      'CROSS_AGENT_QUERIES_DISABLED',
      `Agent "${fromAgent}" cannot consult other agents: enableCrossAgentQueries is off`,
      { details: { fromAgent } },
    );
  }
}

/** Work stopped because the caller or a failing sibling cancelled it. */
export class CancelledError extends TroupeError {
  constructor(reason: string) {
    super('CANCELLED', `Cancelled: ${reason}`, { details: { reason } });
  }
}

export class ShutDownError extends TroupeError {
  constructor() {
    super('SHUT_DOWN', 'The orchestrator has been shut down');
  }
}

/**
 * The workflow is running in this process: it cannot be started again under
 * its id, resumed or deleted until it ends.
 * @example
 * ```ts
 * try { await orchestrator.executeWorkflow({ tasks, workflowId: 'nightly' }); }
 * catch (error) { if (error instanceof WorkflowRunningError) console.log('still running'); }
 * ```
 */
export class WorkflowRunningError extends TroupeError {
  /** The process that runs it, when it is another one (the holder of the run's journal lock). */
  readonly holder: WorkspaceLockHolder | undefined;
  constructor(workflowId: string, action = 'run it again', holder?: WorkspaceLockHolder) {
    const where =
      holder === undefined
        ? 'in this process'
        : `in pid ${holder.pid} on ${holder.host} (it holds the run's journal since ${new Date(holder.startedAt).toISOString()})`;
    super('WORKFLOW_RUNNING', `Workflow "${workflowId}" is running ${where}; wait for it to end (or cancel it) to ${action}`, {
      details: { workflowId, ...(holder ?? {}) },
    });
    this.holder = holder;
  }
}

/** Provider failures, mapped from each SDK's own errors. */
export type ProviderErrorCode =
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_OVERLOADED'
  | 'PROVIDER_SERVER_ERROR'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_BAD_REQUEST'
  | 'PROVIDER_AUTHENTICATION'
  | 'PROVIDER_MALFORMED_RESPONSE'
  | 'PROVIDER_CONNECTION'
  /** A streaming call received no delta for its `streamIdleTimeoutSeconds`. */
  | 'STREAM_IDLE_TIMEOUT'
  | 'SIMULATED_FAILURE';

const RETRYABLE_PROVIDER_CODES: ReadonlySet<ProviderErrorCode> = new Set([
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_OVERLOADED',
  'PROVIDER_SERVER_ERROR',
  'PROVIDER_TIMEOUT',
  'PROVIDER_CONNECTION',
  'STREAM_IDLE_TIMEOUT',
  'SIMULATED_FAILURE',
]);

export class ProviderError extends TroupeError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: ProviderErrorCode,
    provider: string,
    message: string,
    options: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(code, `${provider}: ${message}`, {
      retryable: RETRYABLE_PROVIDER_CODES.has(code),
      details: {
        provider,
        ...(options.status === undefined ? {} : { status: options.status }),
        ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
      },
      cause: options.cause,
    });
    this.provider = provider;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Converts anything thrown into plain {@link ErrorData}. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof TroupeError) {
    const retryAfter = error instanceof ProviderError ? error.retryAfterSeconds : undefined;
    return {
      code: error.code,
      name: error.name,
      message: error.message,
      retryable: error.retryable,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (error instanceof Error) {
    return { code: 'UNKNOWN', name: error.name, message: error.message, retryable: false };
  }
  return { code: 'UNKNOWN', name: 'Error', message: String(error), retryable: false };
}

/** Rebuilds a throwable error from {@link ErrorData}, keeping code, message and details. */
export function fromErrorData(data: ErrorData): TroupeError {
  if (data.code === 'UNKNOWN') {
    const error = new TroupeError('AGENT_FAILED', data.message, data.details ? { details: data.details } : {});
    return error;
  }
  const error = new TroupeError(data.code, data.message, {
    retryable: data.retryable,
    ...(data.details ? { details: data.details } : {}),
  });
  error.name = data.name;
  return error;
}

/**
 * A provider reported token usage that is not a count (NaN, negative,
 * missing): its spend is unknown, so the call is charged its whole
 * reservation (`chargedCents`) and the limits it was held against close.
 */
export class MalformedUsageError extends ProviderError {
  /** What the ledger charged for the call: its whole reservation, or 0 without one. */
  readonly chargedCents: number;
  /** The first bad usage field, as `field=value`. */
  readonly field: string;
  constructor(provider: string, field: string, chargedCents = 0, message = `reported token usage that is not a count: ${field}`) {
    super('PROVIDER_MALFORMED_RESPONSE', provider, message);
    this.chargedCents = chargedCents;
    this.field = field;
  }

  /** The same error, once the ledger charged `chargedCents` for the call. */
  withCharge(chargedCents: number): MalformedUsageError {
    return new MalformedUsageError(this.provider, this.field, chargedCents);
  }
}

/**
 * A provider answered with a response that is not a ModelResponse (a custom
 * provider's text that is not a string, an unknown stop reason, ...). Its
 * spend is unknown, so it is charged like malformed usage: the whole reservation.
 */
export class MalformedResponseError extends MalformedUsageError {
  constructor(provider: string, field: string, reason: string, chargedCents = 0) {
    super(provider, field, chargedCents, `answered with a malformed response: field ${field}: ${reason}`);
    this.reason = reason;
  }

  /** Why the field is wrong. */
  readonly reason: string;

  override withCharge(chargedCents: number): MalformedResponseError {
    return new MalformedResponseError(this.provider, this.field, this.reason, chargedCents);
  }
}
