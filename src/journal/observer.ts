/**
 * Writes each workflow run's journal: the run's start (its tasks without
 * their conditions, its options), each task start and result, condition
 * decisions and the end. Model calls are written by the JournalCallRecorder
 * from inside the gateway. A failed write cancels the run: a run whose journal
 * has a hole could not be resumed faithfully.
 */
import type { ToolRunContext, ToolRunResult } from '../protocols/agent-runtime.js';
import { toErrorData } from '../protocols/errors/errors.js';
import type { ToolCall } from '../protocols/model.js';
import type { SubAgentTaskSpec } from '../protocols/task.js';
import type { EventHub } from '../protocols/events.js';
import type { JournaledTaskSpec, RunJournal, WorkflowJournals } from './journal.js';
import type { RunBeginning, WorkflowRunHooks, WorkflowRunObserver } from '../protocols/run.js';

/** A task spec as data: its condition replaced by whether it had one. */
function journaledTaskSpec(spec: SubAgentTaskSpec): JournaledTaskSpec {
  if (spec.condition === undefined) return { ...spec, hasCondition: false }; // an object spread is fast; a rest copy is not
  const { condition: _condition, ...rest } = spec;
  return { ...rest, hasCondition: true };
}

/** Starts `write`; a failure is already remembered by the journal, which cancelled the run. */
function quietly(write: () => Promise<void>): void {
  write().catch(() => {
    // See RunJournal.onFailure.
  });
}

/** Closes a run's journal without waiting (an abandoned run: nothing waits for it). */
function closeQuietly(journals: WorkflowJournals, workflowId: string): void {
  journals.close(workflowId).catch(() => {
    // Closing only releases the log and stores its summary.
  });
}

/**
 * Creates the observer the WorkflowRunner reports to.
 *
 * @example
 * ```ts
 * const runner = new WorkflowRunner({ ...options, observer: createJournalObserver({ journals, events }) });
 * ```
 */
export function createJournalObserver(options: { journals: WorkflowJournals; events: EventHub }): WorkflowRunObserver {
  const { journals, events } = options;
  events.on('task.started', ({ workflowId, agentId, attempt, at }) => {
    const journal = journals.running(workflowId);
    if (journal) quietly(() => journal.append({ type: 'task.started', agentId, attempt, at }));
  });

  return {
    async begin(run: RunBeginning): Promise<WorkflowRunHooks> {
      const { workflowId, continuation } = run;
      // Sequence numbers continue after whatever the log holds (a resumed run, or a run restarted under its id).
      const earlier = (await journals.read(workflowId))?.records ?? [];
      const journal: RunJournal = journals.open(workflowId, earlier.at(-1)?.seq ?? 0, earlier);
      journal.onFailure = (error) => run.cancel(`the journal could not be written: ${toErrorData(error).message}`);
      try {
        if (continuation.resumed) {
          await journal.append({ type: 'workflow.resumed', presettled: Object.keys(continuation.presettled ?? {}) });
        } else {
          await journal.append({
            type: 'workflow.started',
            workflowId,
            tasks: run.tasks.map(journaledTaskSpec),
            options: run.options,
            ...(continuation.replayOf === undefined ? {} : { replayOf: continuation.replayOf }),
            ...(continuation.modifications === undefined ? {} : { modifications: continuation.modifications }),
          });
        }
      } catch (error) {
        await journals.close(workflowId);
        throw error;
      }
      return {
        taskFinished: (agentId, result) => quietly(() => journal.append({ type: 'task.finished', agentId, result })),
        conditionDecided: (agentId, proceed) => quietly(() => journal.append({ type: 'condition.decided', agentId, proceed })),
        finished: async (result) => {
          try {
            await journal.append({ type: 'workflow.finished', result });
          } catch {
            // See RunJournal.onFailure; the run's result stands.
          }
          await journals.close(workflowId);
        },
        abandoned: () => closeQuietly(journals, workflowId),
      };
    },
  };
}

function artifactReceipt(content: string): { artifactId: string; version: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const artifactId: unknown = Reflect.get(value, 'artifactId');
  const version: unknown = Reflect.get(value, 'version');
  return typeof artifactId === 'string' && typeof version === 'number' ? { artifactId, version } : undefined;
}

/**
 * Journals a successful `write_artifact` tool call in the journal of the run
 * its task belongs to, and returns the tool's result unchanged.
 *
 * @example
 * ```ts
 * runTool: (call, context) => journalArtifactWrite(journals, call, context, runArtifactTool(store, call, context)),
 * ```
 */
export async function journalArtifactWrite(
  journals: WorkflowJournals,
  call: ToolCall,
  context: ToolRunContext,
  running: Promise<ToolRunResult>,
): Promise<ToolRunResult> {
  const result = await running;
  if (call.name !== 'write_artifact' || result.isError) return result;
  const journal = journals.runningFor(context.task.workflowId);
  const receipt = artifactReceipt(result.content);
  if (journal && receipt) {
    try {
      await journal.append({ type: 'artifact.written', agentId: context.agentId, taskId: context.task.taskId, ...receipt });
    } catch {
      // See RunJournal.onFailure; the tool's result stands.
    }
  }
  return result;
}
