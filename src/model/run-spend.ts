/**
 * What each workflow run's model calls were charged, as the gateway settles
 * them, so a run reports exactly what the ledger charged for it. A task's own
 * reply carries the cost of the calls its agent saw finish; a call that
 * completes while the run cancels the task (or after the task timed out) is
 * charged by the ledger, but its answer reaches no agent. The workflow runner
 * waits for such calls and takes each task's cost from here.
 *
 * Only runs the runner opened are tracked (and forgotten when they end), so
 * lone calls add nothing and memory stays bounded by the runs in progress.
 */
import { addCents, MICRO_PER_CENT } from '../protocols/cents.js';
import type { ModelCall } from '../protocols/gateway.js';
import { addUsage, EMPTY_USAGE } from '../protocols/model.js';
import type { TokenUsage } from '../protocols/model.js';

/** The spend of one task's calls (its attempts, fallback, alternative, consensus voters and compactions). */
export interface TaskSpend {
  readonly costCents: number;
  readonly usage: TokenUsage;
}

interface Charged {
  micro: number;
  usage: TokenUsage;
}

interface RunTally {
  /** The id the run was opened under. */
  readonly id: string;
  inFlight: number;
  /** Woken when inFlight drops to 0. */
  idle: (() => void)[];
  /**
   * Charged micro-cents and usage by the task (agent id) each call counts
   * for, indexed as calls are charged so reading a task's spend costs O(1),
   * not a scan of every call of the run (O(tasks²) over a run).
   */
  readonly byAgent: Map<string, Charged>;
}

const CONSENSUS_PREFIX = 'consensus:';

/**
 * The agent ids a call's taskId counts for within run `runId`: every `a`
 * such that the taskId is `<runId>/<a>#…`, `<runId>/<a>/…` or
 * `<runId>/consensus:<a>/…` (usually exactly one).
 */
function agentsOf(runId: string, taskId: string): string[] {
  const head = `${runId}/`;
  if (!taskId.startsWith(head)) return [];
  const rest = taskId.slice(head.length);
  const agents: string[] = [];
  for (let k = 1; k < rest.length; k++) {
    const c = rest.charCodeAt(k);
    if (c === 0x23 /* # */ || c === 0x2f /* / */) agents.push(rest.slice(0, k));
  }
  if (rest.startsWith(CONSENSUS_PREFIX)) {
    for (let k = CONSENSUS_PREFIX.length + 1; k < rest.length; k++) {
      if (rest.charCodeAt(k) === 0x2f) agents.push(rest.slice(CONSENSUS_PREFIX.length, k));
    }
  }
  return agents;
}

/** Tracks the spend of open workflow runs; the model gateway reports to it, the workflow runner reads it. */
export class RunSpend {
  readonly #runs = new Map<string, RunTally>();

  /** Starts tracking a run's calls (those whose workflowId is this id, or under it: `<id>/consensus:...`). */
  open(workflowId: string): void {
    this.#runs.set(workflowId, { id: workflowId, inFlight: 0, idle: [], byAgent: new Map() });
  }

  /** Stops tracking a run and forgets its figures. */
  close(workflowId: string): void {
    const run = this.#runs.get(workflowId);
    this.#runs.delete(workflowId);
    for (const wake of run?.idle.splice(0) ?? []) wake();
  }

  /** A call is about to go to its provider; the returned function is called once it ended (charged or not). */
  begin(call: ModelCall): () => void {
    const run = this.#runOf(call);
    if (!run) return () => undefined;
    run.inFlight += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      run.inFlight -= 1;
      if (run.inFlight === 0) for (const wake of run.idle.splice(0)) wake();
    };
  }

  /** What the call was charged (or, replayed, what its recording says it cost). */
  charge(call: ModelCall, costCents: number, usage: TokenUsage): void {
    const run = this.#runOf(call);
    if (!run) return;
    const micro = Math.round(costCents * MICRO_PER_CENT);
    // A set: an agent counted twice by one taskId (`a#1/b#`) is charged once, as a scan would.
    for (const agentId of new Set(agentsOf(run.id, call.taskId ?? ''))) {
      let entry = run.byAgent.get(agentId);
      if (!entry) {
        entry = { micro: 0, usage: EMPTY_USAGE };
        run.byAgent.set(agentId, entry);
      }
      entry.micro += micro;
      entry.usage = addUsage(entry.usage, usage);
    }
  }

  /** Resolves once no call of the run is in flight, or after `timeoutMs`. */
  async settled(workflowId: string, timeoutMs: number): Promise<void> {
    const run = this.#runs.get(workflowId);
    if (!run || run.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      run.idle.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  /**
   * The spend of task `agentId` of run `workflowId`: calls whose taskId is
   * `<workflowId>/<agentId>#n`, `<workflowId>/<agentId>/...` (fallback,
   * alternative) or `<workflowId>/consensus:<agentId>/...` (its voters).
   * undefined when no call of the task was seen (a task restored from a journal).
   */
  taskSpend(workflowId: string, agentId: string): TaskSpend | undefined {
    const run = this.#runs.get(workflowId);
    if (!run) return undefined;
    const entry = run.byAgent.get(agentId);
    return entry ? { costCents: addCents(entry.micro / MICRO_PER_CENT), usage: entry.usage } : undefined;
  }

  /** The open run a call belongs to: its workflowId, or the nearest open id it is nested under. */
  #runOf(call: ModelCall): RunTally | undefined {
    let id = call.workflowId;
    while (id !== undefined) {
      const run = this.#runs.get(id);
      if (run) return run;
      const cut = id.lastIndexOf('/');
      id = cut > 0 ? id.slice(0, cut) : undefined;
    }
    return undefined;
  }
}
