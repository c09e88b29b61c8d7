/**
 * Errors of the services around the agents: the artifact store, journals and
 * replays, the workspace lock, servers troupe starts, MCP servers, people
 * deciding approvals, and distributed workers.
 */
import { TroupeError } from './troupe-error.js';

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
