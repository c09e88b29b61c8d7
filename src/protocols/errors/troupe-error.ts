/**
 * The base of every typed error: `TroupeError` with its stable `code`, and the
 * plain-data form (`ErrorData`) an error takes to cross an actor boundary.
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
  | 'AGENT_EXISTS'
  | 'PORT_IN_USE'
  | 'BUDGET_EXCEEDED'
  | 'BUDGET_OVERRUN'
  | 'PERMISSION_DENIED'
  | 'VERSION_CONFLICT'
  | 'ARTIFACT_NOT_FOUND'
  | 'INVALID_ARTIFACT_ID'
  | 'ARTIFACT_TOO_LARGE'
  | 'WORKFLOW_VALIDATION'
  | 'INVALID_VOTE'
  | 'INVALID_REFLECTION'
  | 'WORKFLOW_NOT_FOUND'
  | 'WORKFLOW_RUNNING'
  | 'INPUT_DATA_TOO_LARGE'
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
  | 'WORKSPACE_LOCKED'
  | 'REPLAY_MISMATCH'
  | 'PORT_IN_USE'
  | 'MCP_SERVER_UNAVAILABLE'
  | 'MCP_TOOL_ERROR'
  | 'APPROVAL_REJECTED'
  | 'APPROVAL_TIMEOUT'
  | 'APPROVAL_NOT_FOUND'
  | 'FENCED'
  | 'TOOL_NOT_ON_WORKER'
  | 'DISTRIBUTED_UNAVAILABLE';

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
