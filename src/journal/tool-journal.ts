/**
 * Journaled tool calls: a registered tool's result is written to the journal
 * of the run its task belongs to, and a run that resumes or replays a
 * journaled one is served the recorded result instead of calling the tool
 * again (an MCP server sees no call). Calls outside a workflow run, and
 * calls without a callKey, run as they are.
 */
import type { ToolRunContext, ToolRunResult } from '../protocols/agent-runtime.js';
import type { JournalCallRecorder } from './recorder.js';

/**
 * Runs a tool call through the journal.
 *
 * @example
 * ```ts
 * runTool: (call, context) => runJournaledTool(recorder, context, tools.resolve(call.name), () => tools.run(call, context)),
 * ```
 */
export async function runJournaledTool(
  recorder: JournalCallRecorder,
  context: ToolRunContext,
  registeredName: string | undefined,
  run: () => Promise<ToolRunResult>,
): Promise<ToolRunResult> {
  if (context.callKey === undefined || context.task.workflowId === undefined || registeredName === undefined) return run();
  const key = {
    workflowId: context.task.workflowId,
    agentId: context.agentId,
    taskId: context.task.taskId,
    callKey: context.callKey,
    name: registeredName,
  };
  const served = recorder.lookupTool(key);
  if (served) return served;
  const result = await run();
  // An aborted call's result says nothing about the tool; the task runs again.
  if (context.signal.aborted) return result;
  try {
    await recorder.recordTool(key, result);
  } catch {
    // The journal remembers the failed write and its runner cancels the run; the agent keeps the tool's result.
  }
  return result;
}
