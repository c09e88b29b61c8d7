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

interface RunTally {
  inFlight: number;
  /** Woken when inFlight drops to 0. */
  idle: (() => void)[];
  /** Charged micro-cents and usage by call taskId. */
  readonly byTask: Map<string, { micro: number; usage: TokenUsage }>;
}

/** Tracks the spend of open workflow runs; the model gateway reports to it, the workflow runner reads it. */
export class RunSpend {
  readonly #runs = new Map<string, RunTally>();

  /** Starts tracking a run's calls (those whose workflowId is this id, or under it: `<id>/consensus:...`). */
  open(workflowId: string): void {
    this.#runs.set(workflowId, { inFlight: 0, idle: [], byTask: new Map() });
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
    const key = call.taskId ?? '';
    const entry = run.byTask.get(key) ?? { micro: 0, usage: EMPTY_USAGE };
    entry.micro += Math.round(costCents * MICRO_PER_CENT);
    entry.usage = addUsage(entry.usage, usage);
    run.byTask.set(key, entry);
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
    const own = `${workflowId}/${agentId}`;
    const voters = `${workflowId}/consensus:${agentId}/`;
    let micro = 0;
    let usage = EMPTY_USAGE;
    let seen = false;
    for (const [taskId, entry] of run.byTask) {
      const next = taskId.charAt(own.length);
      if (!((taskId.startsWith(own) && (next === '#' || next === '/')) || taskId.startsWith(voters))) continue;
      seen = true;
      micro += entry.micro;
      usage = addUsage(usage, entry.usage);
    }
    return seen ? { costCents: addCents(micro / MICRO_PER_CENT), usage } : undefined;
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
