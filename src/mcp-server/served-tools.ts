/**
 * What troupe offers MCP clients: run a workflow, ask an agent, read an
 * artifact (as a named agent, within its permissions), list runs and inspect
 * one. A failure is an `isError` result whose text starts with the error's
 * stable code (`PERMISSION_DENIED: ...`), so a client's model can read it.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toErrorData, WorkflowNotFoundError } from '../protocols/errors/errors.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';


function ok(value: unknown): CallToolResult {
  const structured = typeof value === 'object' && value !== null && !Array.isArray(value) ? { structuredContent: { ...value } } : {};
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], ...structured };
}

function failure(error: unknown): CallToolResult {
  const data = toErrorData(error);
  return { content: [{ type: 'text', text: `${data.code}: ${data.message}` }], isError: true };
}

/** Runs a handler; whatever it throws becomes an error result. */
async function answer(run: () => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    return failure(error);
  }
}

const taskSchema = z.object({
  agentId: z.string().min(1).describe('Names the task and the agent (or template) that runs it'),
  taskDescription: z.string().min(1),
  template: z.string().min(1).optional().describe('Template to spawn the agent from when agentId names none'),
  dependencies: z.array(z.string()).optional().describe('agentIds of tasks that must finish first'),
  inputData: z.unknown().optional(),
});

/** Registers troupe's tools on an MCP server (used by serveMcp). @internal */
export function registerServedTools(server: McpServer, orchestrator: Orchestrator): void {
  server.registerTool(
    'run_workflow',
    {
      description: 'Runs a workflow of agent tasks (a DAG through dependencies) and returns its result.',
      inputSchema: {
        tasks: z.array(taskSchema).min(1),
        continueOnFailure: z.boolean().optional().describe('Skip dependents of a failed task and run the rest (default false)'),
      },
    },
    ({ tasks, continueOnFailure }, extra) =>
      answer(async () => {
        const result = await orchestrator.executeWorkflow({
          tasks: tasks.map((task) => ({
            agentId: task.agentId,
            taskDescription: task.taskDescription,
            ...(task.template === undefined ? {} : { template: task.template }),
            ...(task.dependencies === undefined ? {} : { dependencies: task.dependencies }),
            ...(task.inputData === undefined ? {} : { inputData: task.inputData }),
          })),
          ...(continueOnFailure === undefined ? {} : { continueOnFailure }),
          signal: extra.signal,
        });
        return { ...ok(result), ...(result.status === 'succeeded' ? {} : { isError: true }) };
      }),
  );

  server.registerTool(
    'ask_agent',
    {
      description: 'Gives one agent a task and returns its result (output, confidence, cost).',
      inputSchema: {
        agentId: z.string().min(1),
        task: z.string().min(1),
        template: z.string().min(1).optional().describe('Template to spawn the agent from when it does not exist yet'),
      },
    },
    ({ agentId, task, template }) =>
      answer(async () => {
        const result = await orchestrator.executeTask({ agentId, taskDescription: task, ...(template === undefined ? {} : { template }) });
        return { ...ok(result), ...(result.status === 'succeeded' ? {} : { isError: true }) };
      }),
  );

  server.registerTool(
    'read_artifact',
    {
      description: "Reads a shared-context artifact as the named agent: only what that agent's permissions allow.",
      inputSchema: {
        agentId: z.string().min(1).describe('The agent whose read permission applies'),
        artifactId: z.string().min(1),
        version: z.number().int().min(1).optional().describe('A kept version; default the latest'),
      },
    },
    ({ agentId, artifactId, version }) =>
      answer(async () => {
        const store = orchestrator.context;
        if (!store) return failure(new Error('the shared context is off (enableSharedContext)'));
        return ok(await store.getArtifact({ agentId, artifactId, ...(version === undefined ? {} : { version }) }));
      }),
  );

  server.registerTool(
    'list_runs',
    { description: 'Lists journaled workflow runs: id, status, start and finish, cost, model calls.' },
    () =>
      answer(async () => {
        const runs = (await orchestrator.listWorkflows()).map((run) => ({
          workflowId: run.workflowId,
          status: run.status,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          totalCostCents: run.totalCostCents,
          modelCalls: run.modelCalls,
          ...(run.replayOf === undefined ? {} : { replayOf: run.replayOf }),
        }));
        return ok({ runs });
      }),
  );

  server.registerTool(
    'inspect_run',
    {
      description: "A journaled run in full: each task's status, the cost, and the result once finished.",
      inputSchema: { workflowId: z.string().min(1) },
    },
    ({ workflowId }) =>
      answer(async () => {
        const run = await orchestrator.getWorkflow(workflowId);
        if (!run) return failure(new WorkflowNotFoundError(workflowId));
        return ok(run);
      }),
  );
}
