/**
 * Typed errors with stable `code`s. Callers branch on `code` (or `instanceof`),
 * never on message text. Every error is plain enough to cross an actor
 * boundary as data through {@link toErrorData} and back via {@link fromErrorData}.
 */

/** Stable error codes: part of the public API. */
export type TroupeErrorCode =
  | 'CONFIG_INVALID'
  | 'MISSING_API_KEY'
  | 'AGENT_TIMEOUT'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_FAILED'
  | 'AGENT_STOPPED'
  | 'AGENT_BUSY'
  | 'BUDGET_EXCEEDED'
  | 'PERMISSION_DENIED'
  | 'VERSION_CONFLICT'
  | 'ARTIFACT_NOT_FOUND'
  | 'INVALID_ARTIFACT_ID'
  | 'ARTIFACT_TOO_LARGE'
  | 'WORKFLOW_VALIDATION'
  | 'INVALID_VOTE'
  | 'WORKFLOW_NOT_FOUND'
  | 'CONSULTATION_CYCLE'
  | 'CONSULTATION_TIMEOUT'
  | 'CROSS_AGENT_QUERIES_DISABLED'
  | 'CANCELLED'
  | 'SHUT_DOWN'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_OVERLOADED'
  | 'PROVIDER_SERVER_ERROR'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_BAD_REQUEST'
  | 'PROVIDER_AUTHENTICATION'
  | 'PROVIDER_MALFORMED_RESPONSE'
  | 'PROVIDER_CONNECTION'
  | 'STREAM_IDLE_TIMEOUT'
  | 'SIMULATED_FAILURE'
  | 'JOURNAL_CORRUPT'
  | 'REPLAY_MISMATCH';

/** Plain-data form of an error, safe to put in actor context, journals and events. */
export interface ErrorData {
  readonly code: TroupeErrorCode | 'UNKNOWN';
  readonly name: string;
  readonly message: string;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** Seconds the provider asked us to wait before retrying, when it said. */
  readonly retryAfterSeconds?: number;
  readonly details?: Record<string, unknown>;
}

/** Base class of every error troupe throws on purpose. */
export class TroupeError extends Error {
  readonly code: TroupeErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: TroupeErrorCode,
    message: string,
    options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

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

export type ArtifactOperation = 'read' | 'write' | 'delete';

export class PermissionDeniedError extends TroupeError {
  constructor(agentId: string, operation: ArtifactOperation, artifactId: string) {
    super('PERMISSION_DENIED', `Agent "${agentId}" may not ${operation} artifact "${artifactId}"`, {
      details: { agentId, operation, artifactId },
    });
  }
}

export class VersionConflictError extends TroupeError {
  constructor(artifactId: string, expectedVersion: number, actualVersion: number) {
    super(
      'VERSION_CONFLICT',
      `Artifact "${artifactId}" is at version ${actualVersion}, not the expected ${expectedVersion}`,
      { details: { artifactId, expectedVersion, actualVersion } },
    );
  }
}

export class ArtifactNotFoundError extends TroupeError {
  constructor(artifactId: string, version?: number) {
    super(
      'ARTIFACT_NOT_FOUND',
      version === undefined ? `No artifact "${artifactId}"` : `No version ${version} of artifact "${artifactId}"`,
      { details: { artifactId, ...(version === undefined ? {} : { version }) } },
    );
  }
}

export class InvalidArtifactIdError extends TroupeError {
  constructor(artifactId: string, reason: string) {
    super('INVALID_ARTIFACT_ID', `Invalid artifact id ${JSON.stringify(artifactId.slice(0, 80))}: ${reason}`, {
      details: { reason },
    });
  }
}

export class ArtifactTooLargeError extends TroupeError {
  constructor(artifactId: string, bytes: number, limitBytes: number) {
    super('ARTIFACT_TOO_LARGE', `Artifact "${artifactId}" is ${bytes} bytes; the limit is ${limitBytes}`, {
      details: { artifactId, bytes, limitBytes },
    });
  }
}

export class WorkflowValidationError extends TroupeError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('WORKFLOW_VALIDATION', message, details ? { details } : {});
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

/** A replay needed a model call that the recording does not hold (or, strict, whose request differs). */
export class ReplayMismatchError extends TroupeError {
  readonly callKey: string;
  constructor(callKey: string, reason: string) {
    super('REPLAY_MISMATCH', `Replay mismatch at "${callKey}": ${reason}`, { details: { callKey, reason } });
    this.callKey = callKey;
  }
}

/** A journal or cassette could not be read back (not just a torn last line, which is repaired). */
export class JournalCorruptError extends TroupeError {
  constructor(source: string, reason: string) {
    super('JOURNAL_CORRUPT', `Journal "${source}" is corrupt: ${reason}`, { details: { source, reason } });
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
