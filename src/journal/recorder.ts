/**
 * The gateway's CallRecorder for journaled runs: records every fresh model
 * response (and failure) in the journal of the run the call belongs to, and
 * serves recorded responses to runs that resume or replay one.
 *
 * A call belongs to a run when its workflowId is the run's id or starts with
 * `<run id>/` (consensus voters run under `<run id>/consensus:...`).
 */
import { fromErrorData, ReplayMismatchError, toErrorData } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import type { ModelCall, ModelCallOutcome } from '../protocols/gateway.js';
import type { ModelResponse } from '../protocols/model.js';
import type { ApprovalDecision, ApprovalRequest } from '../protocols/approval.js';
import { hashModelRequest, storableRequest } from '../providers/request-hash.js';
import type { CallRecorder } from '../model/chain/journal-interceptor.js';
import { runOf } from './records.js';
import type { JournaledToolResult } from './records.js';
import type { JournalRecord, RunJournal, WorkflowJournals } from './journal.js';

/** A recorded answer: a response, or (replay only) the error the call failed with. */
type RecordedAnswer =
  | { readonly response: ModelResponse; readonly costCents: number; readonly requestHash: string }
  | { readonly error: ErrorData; readonly requestHash: string };

/** A recorded tool call: which tool answered and what it said. */
interface RecordedToolCall {
  readonly name: string;
  readonly result: JournaledToolResult;
}

/** The recorded tool results of a run, by relative callKey. */
function recordedToolCalls(records: readonly JournalRecord[]): Map<string, RecordedToolCall> {
  const tools = new Map<string, RecordedToolCall>();
  for (const record of records) {
    if (record.type === 'tool.call') tools.set(record.relativeKey, { name: record.name, result: record.result });
  }
  return tools;
}

/** A recorded approval: its request and, once a person decided, the decision. */
export interface RecordedApproval {
  readonly request?: ApprovalRequest;
  readonly decision?: ApprovalDecision;
}

/** The recorded approvals of a run, by relative key. */
function recordedApprovals(records: readonly JournalRecord[]): Map<string, RecordedApproval> {
  const approvals = new Map<string, RecordedApproval>();
  for (const record of records) {
    if (record.type === 'approval.requested') approvals.set(record.relativeKey, { ...approvals.get(record.relativeKey), request: record.request });
    if (record.type === 'approval.decided') approvals.set(record.relativeKey, { ...approvals.get(record.relativeKey), decision: record.decision });
  }
  return approvals;
}

/** What a tool call is journaled under. */
export interface ToolCallKey {
  readonly workflowId: string | undefined;
  readonly agentId: string;
  readonly taskId: string;
  readonly callKey: string;
  /** The tool's registered name. */
  readonly name: string;
}

/** A request whose content differs from the recorded one at the same callKey. */
export interface ReplayMismatch {
  readonly callKey: string;
  readonly recordedHash: string;
  readonly actualHash: string;
}

/** Where a run's recorded answers come from and what a miss means. */
interface CallSource {
  /** `resume`: same run, full callKeys, a miss calls the model. `replay`: another run, relative keys, a miss is an error. */
  readonly mode: 'resume' | 'replay';
  readonly byKey: Map<string, RecordedAnswer>;
  /** Replays only: answers of calls without a callKey, by request hash, in order. */
  readonly byHash: Map<string, RecordedAnswer[]>;
  /** Recorded tool results by relative callKey. A miss runs the tool (journals from before tools were recorded have none). */
  readonly tools: Map<string, RecordedToolCall>;
  /** Recorded approvals by relative key: a decided one is served, a pending one shown again. */
  readonly approvals: Map<string, RecordedApproval>;
  /** Replays only: a request that differs from the recording is an error instead of a reported mismatch. */
  readonly strict: boolean;
  readonly mismatches: ReplayMismatch[];
  /** Replays only: called with the first miss, so the run can stop at once. */
  readonly onMiss?: (error: ReplayMismatchError) => void;
}

/** The callKey without the run's id, so it matches across runs of the same tasks. */
function relativeCallKey(callKey: string, runId: string): string {
  return callKey.startsWith(runId) ? callKey.slice(runId.length) : callKey;
}

export class JournalCallRecorder implements CallRecorder {
  readonly #journals: WorkflowJournals;
  readonly #sources = new Map<string, CallSource>();

  constructor(journals: WorkflowJournals) {
    this.#journals = journals;
  }

  /**
   * Serves a run's own recorded responses by callKey (resume). Keys are
   * compared without the run's id, so a journal moved to another id still serves.
   * @returns how many responses are available.
   */
  serveForResume(workflowId: string, recorded: { readonly workflowId: string; readonly records: readonly JournalRecord[] }): number {
    const byKey = new Map<string, RecordedAnswer>();
    for (const record of recorded.records) {
      if (record.type !== 'model.call') continue;
      const key = record.relativeKey ?? (record.callKey === undefined ? undefined : relativeCallKey(record.callKey, recorded.workflowId));
      if (key !== undefined) byKey.set(key, { response: record.response, costCents: record.costCents, requestHash: record.requestHash });
    }
    this.#sources.set(workflowId, { mode: 'resume', byKey, byHash: new Map(), tools: recordedToolCalls(recorded.records), approvals: recordedApprovals(recorded.records), strict: false, mismatches: [] });
    return byKey.size;
  }

  /** Serves another run's recorded answers to `workflowId` (a deterministic replay). */
  serveForReplay(
    workflowId: string,
    recorded: { readonly workflowId: string; readonly records: readonly JournalRecord[] },
    options: { readonly strict: boolean; readonly onMiss?: (error: ReplayMismatchError) => void },
  ): { readonly mismatches: readonly ReplayMismatch[] } {
    const byKey = new Map<string, RecordedAnswer>();
    const byHash = new Map<string, RecordedAnswer[]>();
    for (const record of recorded.records) {
      if (record.type !== 'model.call' && record.type !== 'model.failed') continue;
      const answer: RecordedAnswer =
        record.type === 'model.call'
          ? { response: record.response, costCents: record.costCents, requestHash: record.requestHash }
          : { error: record.error, requestHash: record.requestHash };
      const key = record.relativeKey ?? (record.callKey === undefined ? undefined : relativeCallKey(record.callKey, recorded.workflowId));
      if (key !== undefined) byKey.set(key, answer);
      else byHash.set(record.requestHash, [...(byHash.get(record.requestHash) ?? []), answer]);
    }
    const source: CallSource = {
      mode: 'replay',
      byKey,
      byHash,
      tools: recordedToolCalls(recorded.records),
      approvals: recordedApprovals(recorded.records),
      strict: options.strict,
      mismatches: [],
      ...(options.onMiss ? { onMiss: options.onMiss } : {}),
    };
    this.#sources.set(workflowId, source);
    return { mismatches: source.mismatches };
  }

  /** Stops serving recorded answers to a run. */
  stopServing(workflowId: string): void {
    this.#sources.delete(workflowId);
  }

  lookup(call: ModelCall): { response: ModelResponse; costCents: number } | undefined {
    const runId = runOf(call.workflowId, (id) => this.#sources.has(id));
    const source = runId === undefined ? undefined : this.#sources.get(runId);
    if (runId === undefined || !source) return undefined;
    const requestHash = hashModelRequest(call.request);
    if (source.mode === 'resume') {
      const answer = call.callKey === undefined ? undefined : source.byKey.get(relativeCallKey(call.callKey, runId));
      return answer && 'response' in answer ? { response: answer.response, costCents: answer.costCents } : undefined;
    }
    const key = call.callKey === undefined ? undefined : relativeCallKey(call.callKey, runId);
    const answer = key !== undefined ? source.byKey.get(key) : source.byHash.get(requestHash)?.shift();
    const label = key ?? `request ${requestHash.slice(0, 12)}`;
    if (!answer) {
      const error = new ReplayMismatchError(label, 'the recording has no such call');
      source.onMiss?.(error);
      throw error;
    }
    if (answer.requestHash !== requestHash) {
      if (source.strict) {
        const error = new ReplayMismatchError(label, 'the request differs from the recorded one');
        source.onMiss?.(error);
        throw error;
      }
      source.mismatches.push({ callKey: label, recordedHash: answer.requestHash, actualHash: requestHash });
    }
    if ('error' in answer) throw fromErrorData(answer.error);
    // Served from the recording: the line is written in order behind the others, and nothing waits for it
    // (a failed write is remembered by the journal, which cancels the run).
    this.#append(call, runId, (journal, base) =>
      journal.append({ type: 'model.call', ...base, provider: call.provider, request: storableRequest(call.request), response: answer.response, costCents: answer.costCents, replayed: true }),
    )?.catch(() => undefined);
    return { response: answer.response, costCents: answer.costCents };
  }

  async record(call: ModelCall, outcome: ModelCallOutcome): Promise<void> {
    const runId = this.#journals.runningFor(call.workflowId)?.workflowId;
    if (runId === undefined) return;
    await this.#append(call, runId, (journal, base) =>
      journal.append({
        type: 'model.call',
        ...base,
        provider: call.provider,
        request: storableRequest(call.request),
        response: outcome.response,
        costCents: outcome.costCents,
        replayed: outcome.replayed === true,
      }),
    );
  }

  /**
   * The recorded result of a tool call, for a run that resumes or replays a
   * journaled one, when the recording holds a call of the same tool at this
   * key; journaled again as served. Otherwise undefined: run the tool.
   */
  lookupTool(key: ToolCallKey): JournaledToolResult | undefined {
    const runId = runOf(key.workflowId, (id) => this.#sources.has(id));
    const source = runId === undefined ? undefined : this.#sources.get(runId);
    if (runId === undefined || !source) return undefined;
    const recorded = source.tools.get(relativeCallKey(key.callKey, runId));
    if (!recorded || recorded.name !== key.name) return undefined;
    this.#appendTool(key, runId, recorded.result, true)?.catch(() => undefined);
    return recorded.result;
  }

  /** Journals a tool call's result in the run it belongs to (none: not journaled). */
  async recordTool(key: ToolCallKey, result: JournaledToolResult): Promise<void> {
    const runId = this.#journals.runningFor(key.workflowId)?.workflowId;
    if (runId !== undefined) await this.#appendTool(key, runId, result, false);
  }

  #appendTool(key: ToolCallKey, runId: string, result: JournaledToolResult, replayed: boolean): Promise<void> | undefined {
    const journal = this.#journals.running(runId);
    if (!journal) return undefined;
    return journal.append({
      type: 'tool.call',
      agentId: key.agentId,
      taskId: key.taskId,
      callKey: key.callKey,
      relativeKey: relativeCallKey(key.callKey, runId),
      name: key.name,
      result: result.isError ? { content: result.content, isError: true } : { content: result.content },
      replayed,
    });
  }

  /** What the recording a run resumes or replays holds for an approval at this key (undefined: nothing). */
  lookupApproval(workflowId: string, key: string): RecordedApproval | undefined {
    const runId = runOf(workflowId, (id) => this.#sources.has(id));
    const source = runId === undefined ? undefined : this.#sources.get(runId);
    if (runId === undefined || !source) return undefined;
    return source.approvals.get(relativeCallKey(key, runId));
  }

  /** Journals that a run waits for a person (none running: not journaled). */
  async recordApprovalRequest(key: string, request: ApprovalRequest): Promise<void> {
    const journal = this.#journals.runningFor(request.workflowId);
    if (!journal) return;
    await journal.append({ type: 'approval.requested', request, relativeKey: relativeCallKey(key, journal.workflowId) });
  }

  /** Journals a person's decision on an approval. */
  async recordApprovalDecision(key: string, request: ApprovalRequest, decision: ApprovalDecision): Promise<void> {
    const journal = this.#journals.runningFor(request.workflowId);
    if (!journal) return;
    await journal.append({ type: 'approval.decided', approvalId: request.id, relativeKey: relativeCallKey(key, journal.workflowId), decision });
  }

  async recordFailure(call: ModelCall, error: unknown): Promise<void> {
    // An aborted call (deadline, cancellation) says nothing about the model's answer.
    if (call.request.signal?.aborted) return;
    const runId = this.#journals.runningFor(call.workflowId)?.workflowId;
    if (runId === undefined) return;
    try {
      await this.#append(call, runId, (journal, base) => journal.append({ type: 'model.failed', ...base, error: toErrorData(error) }));
    } catch {
      // The journal remembers the failed write and its runner cancels the run; the caller keeps the model's error.
    }
  }

  #append(
    call: ModelCall,
    runId: string,
    write: (
      journal: RunJournal,
      base: { agentId: string; purpose: ModelCall['purpose']; requestHash: string; callKey?: string; relativeKey?: string; taskId?: string },
    ) => Promise<void>,
  ): Promise<void> | undefined {
    const journal = this.#journals.running(runId);
    if (!journal) return undefined;
    return write(journal, {
      agentId: call.agentId,
      purpose: call.purpose,
      requestHash: hashModelRequest(call.request),
      ...(call.callKey === undefined ? {} : { callKey: call.callKey, relativeKey: relativeCallKey(call.callKey, runId) }),
      ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
    });
  }
}
