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

/** A replay needed a model call that the recording does not hold (or, strict, whose request differs). */
export class ReplayMismatchError extends TroupeError {
  readonly callKey: string;
  constructor(callKey: string, reason: string) {
    super('REPLAY_MISMATCH', `Replay mismatch at "${callKey}": ${reason}`, { details: { callKey, reason } });
    this.callKey = callKey;
  }
}

/** An MCP server could not be reached: it failed to start, died (and could not be restarted) or was closed. */
export class McpServerUnavailableError extends TroupeError {
  readonly server: string;
  constructor(server: string, reason: string, cause?: unknown) {
    super('MCP_SERVER_UNAVAILABLE', `MCP server "${server}" is unavailable: ${reason}`, {
      retryable: true,
      details: { server, reason },
      ...(cause === undefined ? {} : { cause }),
    });
    this.server = server;
  }
}

/** An MCP tool answered with an error result (`isError`); the message is the tool's own text. */
export class McpToolError extends TroupeError {
  constructor(server: string, tool: string, text: string) {
    super('MCP_TOOL_ERROR', text, { details: { server, tool } });
  }
}

/** A journal or cassette could not be read back (not just a torn last line, which is repaired). */
export class JournalCorruptError extends TroupeError {
  /** `at`: the malformed line (1-based) and the field that is wrong, when one is known. */
  constructor(source: string, reason: string, at?: { readonly line: number; readonly field: string }) {
    super('JOURNAL_CORRUPT', `Journal "${source}" is corrupt: ${reason}`, { details: { source, reason, ...at } });
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
  constructor(workflowId: string, action = 'run it again') {
    super('WORKFLOW_RUNNING', `Workflow "${workflowId}" is running in this process; wait for it to end (or cancel it) to ${action}`, {
      details: { workflowId },
    });
  }
}

/** Who holds a workspace lock. */
export interface WorkspaceLockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (epoch ms). */
  readonly startedAt: number;
}

/** Another live process (or another store in this one) holds the workspace's exclusive lock. */
export class WorkspaceLockedError extends TroupeError {
  readonly holder: WorkspaceLockHolder;
  constructor(workspacePath: string, lockPath: string, holder: WorkspaceLockHolder) {
    const self = holder.pid === process.pid ? ' (this process: another store or orchestrator is open on it)' : '';
    super(
      'WORKSPACE_LOCKED',
      `Workspace "${workspacePath}" is locked by pid ${holder.pid} on ${holder.host} since ${new Date(holder.startedAt).toISOString()}${self}; close that one first, or delete ${lockPath} if that process is gone`,
      { details: { workspacePath, lockPath, ...holder } },
    );
    this.holder = holder;
  }
}

/** A server troupe starts (the dashboard, the inspector relay) could not listen: another process holds the port. */
export class PortInUseError extends TroupeError {
  readonly port: number;
  constructor(server: string, host: string, port: number, cause?: unknown) {
    super('PORT_IN_USE', `The ${server} cannot listen on ${host}:${port}: the port is already in use (pass another port, or 0 for a free one)`, {
      details: { server, host, port },
      cause,
    });
    this.port = port;
  }
}

/** A person rejected a task's output (`orchestrator.approvals.reject` without `retry`). */
export class ApprovalRejectedError extends TroupeError {
  readonly approvalId: string;
  constructor(approvalId: string, reason: string) {
    super('APPROVAL_REJECTED', `Rejected by a person: ${reason}`, { details: { approvalId, reason } });
    this.approvalId = approvalId;
  }
}

/** Nobody decided on an approval within its `approvalTimeoutSeconds`. */
export class ApprovalTimeoutError extends TroupeError {
  readonly approvalId: string;
  constructor(approvalId: string, timeoutSeconds: number) {
    super('APPROVAL_TIMEOUT', `Approval "${approvalId}" was not decided within ${timeoutSeconds}s`, {
      details: { approvalId, timeoutSeconds },
    });
    this.approvalId = approvalId;
  }
}

/** No pending approval has this id (never requested, already decided, or of another kind). */
export class ApprovalNotFoundError extends TroupeError {
  readonly approvalId: string;
  constructor(approvalId: string, reason = 'no pending approval has this id') {
    super('APPROVAL_NOT_FOUND', `Approval "${approvalId}": ${reason}`, { details: { approvalId, reason } });
    this.approvalId = approvalId;
  }
}

/**
 * A write by a holder whose lease or claim has passed to another process (its
 * fencing token is stale): refused, so a paused or partitioned worker or
 * coordinator can never overwrite what its successor wrote.
 */
export class FencedError extends TroupeError {
  constructor(resource: string, token: number, detail = 'the lease is held by another process') {
    super('FENCED', `Write to ${resource} refused: fencing token ${token} is stale (${detail})`, {
      details: { resource, token },
    });
  }
}

/** A distributed task needs a tool its worker does not have (tools are code: register them on every worker). */
export class ToolNotOnWorkerError extends TroupeError {
  constructor(agentId: string, tool: string, workerId: string) {
    super('TOOL_NOT_ON_WORKER', `Task "${agentId}" needs tool "${tool}", which worker ${workerId} has not registered (call worker.registerTool on every worker)`, {
      details: { agentId, tool, workerId },
    });
  }
}

/** The distributed mode cannot reach what it needs (Redis, or the optional bullmq / ioredis packages). */
export class DistributedUnavailableError extends TroupeError {
  constructor(message: string, cause?: unknown) {
    super('DISTRIBUTED_UNAVAILABLE', message, { ...(cause === undefined ? {} : { cause }) });
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
  constructor(provider: string, field: string, chargedCents = 0) {
    super('PROVIDER_MALFORMED_RESPONSE', provider, `reported token usage that is not a count: ${field}`);
    this.chargedCents = chargedCents;
    this.field = field;
  }
}
