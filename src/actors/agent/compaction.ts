/**
 * Memory compaction, the agent's optional first step of a task: when the
 * system offers `compactMemory`, older messages are folded into a summary
 * before the task's first model call, and what that cost joins the task's run.
 */
import { fromPromise } from 'xstate';
import type { AgentMemoryData } from '../../protocols/agent.js';
import type { AgentServices, CompactionOutcome } from '../../protocols/agent-runtime.js';
import { addUsage } from '../../protocols/model.js';
import type { AgentContext } from './types.js';
import { addCents } from '../../protocols/cents.js';

/** What the compaction child is started with: the memory, and the task it is compacted for. */
export interface CompactionInput {
  readonly agentId: string;
  readonly taskId?: string;
  readonly workflowId?: string;
  readonly memory: AgentMemoryData;
}

/**
 * The child logic that compacts memory through `services.compactMemory`;
 * resolves undefined when the system offers none or nothing needed compacting.
 *
 * @example
 * ```ts
 * setup({ actors: { compactMemory: compactMemoryLogic(services) } });
 * ```
 */
export function compactMemoryLogic(services: AgentServices) {
  return fromPromise<CompactionOutcome | undefined, CompactionInput>(({ input, signal }) =>
    services.compactMemory
      ? services.compactMemory({
          agentId: input.agentId,
          ...(input.taskId === undefined ? {} : { taskId: input.taskId }),
          ...(input.workflowId === undefined ? {} : { workflowId: input.workflowId }),
          summary: input.memory.summary,
          messages: input.memory.messages,
          signal,
        })
      : Promise.resolve(undefined),
  );
}

/**
 * The compaction child's input. The task id carries the attempt so each
 * attempt's compaction call has its own key in journals and replay.
 */
export function compactionInput(context: AgentContext): CompactionInput {
  return {
    agentId: context.agentId,
    memory: context.memory,
    ...(context.task ? { taskId: `${context.task.taskId}#${context.task.attempt ?? 1}` } : {}),
    ...(context.task?.workflowId === undefined ? {} : { workflowId: context.task.workflowId }),
  };
}

/**
 * The context after a compaction: the compacted memory, and its model call
 * counted in the run. Unchanged when nothing was compacted.
 *
 * @example
 * ```ts
 * onDone: { target: 'acting', actions: assign(({ context, event }) => compactedContext(context, event.output)) }
 * ```
 */
export function compactedContext(context: AgentContext, outcome: CompactionOutcome | undefined): Partial<AgentContext> {
  if (!outcome) return {};
  return {
    memory: { ...context.memory, summary: outcome.summary, messages: outcome.messages },
    run: {
      ...context.run,
      usage: addUsage(context.run.usage, outcome.usage),
      costCents: addCents(context.run.costCents, outcome.costCents),
      modelCalls: context.run.modelCalls + 1,
    },
  };
}
