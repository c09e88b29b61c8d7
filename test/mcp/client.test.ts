/**
 * The MCP client against real servers over stdio: MCP's reference
 * server-everything (echo, get-sum, trigger-long-running-operation) and a
 * small server on the MCP SDK (test/support/processes/mcp-test-server.ts) that pages
 * its tool list, announces changes and counts the calls it answered.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedHandler } from '../../src/testing.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { ConfigError, McpServerUnavailableError } from '../../src/index.js';
import type { ModelRequest, ToolResultBlock } from '../../src/index.js';
import type { McpStdioServerConfig } from '../../src/index.js';
import { trackedForEachTest } from '../support/tracked.js';

const { orchestrator } = trackedForEachTest();
const root = fileURLToPath(new URL('../..', import.meta.url));

const everything: McpStdioServerConfig = {
  name: 'everything',
  command: process.execPath,
  args: [fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url)), 'stdio'],
};
const testServer: McpStdioServerConfig = {
  name: 'test',
  command: process.execPath,
  args: ['--import', 'tsx', 'test/support/processes/mcp-test-server.ts'],
  cwd: root,
};

/** The tool results the model was sent, in order. */
function toolResults(request: ModelRequest): ToolResultBlock[] {
  return request.messages.flatMap((message) =>
    typeof message.content === 'string' ? [] : message.content.filter((block): block is ToolResultBlock => block.type === 'tool_result'),
  );
}

/** A model that makes these tool calls once, then answers with the results it read. */
function callingModel(calls: readonly { name: string; input: unknown }[]): ScriptedHandler {
  return (request) => {
    const results = toolResults(request);
    if (results.length === 0 && (request.tools?.length ?? 0) > 0) {
      return { toolCalls: calls.map((call, index) => ({ id: `call_${index}`, ...call })) };
    }
    return { text: results.map((result) => `${result.isError ? 'ERROR ' : ''}${result.content}`).join(' | ') };
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('MCP client: server-everything over stdio', () => {
  it('registers its tools as everything.<tool> with their JSON schemas, and a model calls echo and get-sum through them', async () => {
    const model = createScriptedProvider({
      fallback: callingModel([
        { name: 'everything__echo', input: { message: 'hello from troupe' } },
        { name: 'everything.get-sum', input: { a: 2, b: 40 } },
      ]),
    });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, journal: false });
    const server = await o.registerMcpServer(everything);
    expect(server.tools()).toEqual(expect.arrayContaining(['everything.echo', 'everything.get-sum', 'everything.trigger-long-running-operation']));
    // A glob and an exact name: the agent gets exactly these two.
    o.registerTemplate('worker', { enableSelfReflection: false, tools: ['everything.e*', 'everything.get-sum'] });
    const result = await o.executeTask({ agentId: 'worker', template: 'worker', taskDescription: 'Use the tools' });

    const definitions = model.requests[0]?.tools ?? [];
    expect(definitions.map((tool) => tool.name)).toEqual(['everything__echo', 'everything__get-sum']);
    expect(definitions[0]?.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'] });
    expect(definitions[1]?.inputSchema).toMatchObject({ properties: { a: { type: 'number' }, b: { type: 'number' } } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('Echo: hello from troupe | The sum of 2 and 40 is 42.');
  });

  it('a server killed mid-call: the model reads MCP_SERVER_UNAVAILABLE, the server is started again, and its tools work again', async () => {
    const model = createScriptedProvider({
      fallback: callingModel([{ name: 'everything__trigger-long-running-operation', input: { duration: 60, steps: 60 } }]),
    });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, journal: false });
    const server = await o.registerMcpServer(everything);
    o.registerTemplate('worker', { enableSelfReflection: false, tools: ['everything.*'] });
    const firstPid = server.status().pid;
    expect(firstPid).toBeTypeOf('number');

    const running = o.executeTask({ agentId: 'worker', template: 'worker', taskDescription: 'Run the long operation' });
    await vi.waitFor(() => expect(server.status().pendingCalls).toBe(1), { timeout: 20_000, interval: 20 });
    process.kill(firstPid ?? 0, 'SIGKILL');
    const result = await running;

    expect(result.status).toBe('succeeded');
    expect(result.output).toMatch(/^ERROR Tool "everything.trigger-long-running-operation" failed: MCP server "everything" is unavailable: the connection closed/);
    await vi.waitFor(() => expect(server.status().state).toBe('ready'), { timeout: 20_000, interval: 20 });
    expect(server.status().restarts).toBe(1);
    expect(server.status().pid).not.toBe(firstPid);
    const echoed = await server.callTool('echo', { message: 'back' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: back' }]);
  });

  it('with no restarts left, calls to a dead server fail with McpServerUnavailableError (directly and as the model\'s error result)', async () => {
    const model = createScriptedProvider({ fallback: callingModel([{ name: 'everything__echo', input: { message: 'anyone?' } }]) });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, journal: false });
    const server = await o.registerMcpServer({ ...everything, maxRestarts: 0 });
    process.kill(server.status().pid ?? 0, 'SIGKILL');
    await vi.waitFor(() => expect(server.status().state).toBe('unavailable'), { timeout: 20_000, interval: 20 });

    const direct = server.callTool('echo', { message: 'x' });
    await expect(direct).rejects.toBeInstanceOf(McpServerUnavailableError);
    await expect(direct).rejects.toMatchObject({ code: 'MCP_SERVER_UNAVAILABLE', retryable: true });
    // Its tools stay registered, so an agent's call is an error result it reads, not an unknown tool.
    o.registerTemplate('worker', { enableSelfReflection: false, tools: ['everything.echo'] });
    const result = await o.executeTask({ agentId: 'worker', template: 'worker', taskDescription: 'Echo' });
    expect(result.output).toMatch(/^ERROR Tool "everything.echo" failed: MCP server "everything" is unavailable: it stopped/);
  });

  it('shutdown() ends every server process', async () => {
    const o = orchestrator({ journal: false });
    const a = await o.registerMcpServer(everything);
    const b = await o.registerMcpServer({ ...testServer, name: 'other' });
    const pids = [a.status().pid, b.status().pid].filter((pid): pid is number => typeof pid === 'number');
    expect(pids).toHaveLength(2);
    expect(pids.every(processAlive)).toBe(true);
    await o.shutdown();
    await vi.waitFor(() => expect(pids.filter(processAlive)).toEqual([]), { timeout: 10_000, interval: 20 });
    expect(a.status().state).toBe('closed');
    await expect(a.callTool('echo', { message: 'x' })).rejects.toMatchObject({ code: 'MCP_SERVER_UNAVAILABLE' });
  });
});

describe('MCP client: tool lists, errors and the journal', () => {
  it('reads a paginated tool list whole and follows notifications/tools/list_changed', async () => {
    const o = orchestrator({ journal: false, enableThinkingAgents: false });
    const server = await o.registerMcpServer(testServer);
    // Five tools in pages of two.
    expect(server.tools()).toEqual(['test.echo', 'test.calls', 'test.fail', 'test.throw', 'test.add-tool']);
    await server.callTool('add-tool', { name: 'late-arrival' });
    await vi.waitFor(() => expect(server.tools()).toContain('test.late-arrival'), { timeout: 10_000, interval: 20 });
    const model = createScriptedProvider({ fallback: () => ({ text: 'done' }) });
    o.registerProvider(model);
    o.registerTemplate('late', { provider: 'scripted', enableSelfReflection: false, tools: ['test.late-*'] });
    await o.executeTask({ agentId: 'late', template: 'late', taskDescription: 'look' });
    expect(model.requests[0]?.tools?.map((tool) => tool.name)).toEqual(['test__late-arrival']);
  });

  it('an isError result and a thrown handler error reach the model as error results', async () => {
    const model = createScriptedProvider({
      fallback: callingModel([
        { name: 'test__fail', input: {} },
        { name: 'test__throw', input: {} },
        { name: 'test__echo', input: 'not an object' },
      ]),
    });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, journal: false });
    await o.registerMcpServer(testServer);
    o.registerTemplate('worker', { enableSelfReflection: false, tools: ['test.*'] });
    await o.executeTask({ agentId: 'worker', template: 'worker', taskDescription: 'Try the failing tools' });
    const answered = model.requests[1];
    if (!answered) throw new Error('the model was not asked again after its tool calls');
    const results = toolResults(answered);
    expect(results.map((result) => result.isError)).toEqual([true, true, true]);
    expect(results[0]?.content).toBe('Tool "test.fail" failed: the disk is full');
    expect(results[1]?.content).toMatch(/^Tool "test.throw" failed: .*handler exploded/);
    expect(results[2]?.content).toBe('Tool "test.echo" failed: arguments must be a JSON object');
  });

  it('journals MCP tool calls like any tool call, and a replay makes no MCP call (counted at the server)', async () => {
    const storage = new MemoryJournalStorage();
    const model = createScriptedProvider({ fallback: callingModel([{ name: 'test__echo', input: { message: 'journal me' } }]) });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, journal: { storage } });
    const server = await o.registerMcpServer(testServer);
    o.registerTemplate('worker', { enableSelfReflection: false, tools: ['test.echo'] });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'worker', template: 'worker', taskDescription: 'Echo once' }] });
    expect(run.results.worker?.output).toBe('Echo: journal me');
    const recorded = (await storage.read(run.workflowId)) ?? '';
    expect(recorded).toContain('"type":"tool.call"');
    expect(recorded).toContain('Echo: journal me');
    // The server answered the echo: one call before this `calls` call.
    expect((await server.callTool('calls')).content).toEqual([{ type: 'text', text: '1' }]);

    const replay = await o.replayWorkflow({ workflowId: run.workflowId, strict: true });
    expect(replay.results.worker?.output).toBe('Echo: journal me');
    // Only the previous `calls` call happened since: the replay's echo was served from the journal.
    expect((await server.callTool('calls')).content).toEqual([{ type: 'text', text: '2' }]);
    const replayJournal = (await o.getWorkflow(replay.workflowId));
    expect(replayJournal?.status).toBe('succeeded');
    expect((await storage.read(replay.workflowId)) ?? '').toMatch(/"type":"tool.call".*"replayed":true/);
  });

  it('a resumed run is served the tool results its journal holds: the server is not called again', async () => {
    const storage = new MemoryJournalStorage();
    const model = createScriptedProvider({ fallback: callingModel([{ name: 'test__echo', input: { message: 'once only' } }]) });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, journal: { storage } });
    const server = await o.registerMcpServer(testServer);
    o.registerTemplate('worker', { enableSelfReflection: false, tools: ['test.echo'] });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'worker', template: 'worker', taskDescription: 'Echo once' }] });
    // The process "died" right after the tool answered, before the model read the result.
    const lines = ((await storage.read(run.workflowId)) ?? '').split('\n');
    const cut = lines.findIndex((line) => line.includes('"type":"tool.call"'));
    expect(cut).toBeGreaterThan(0);
    storage.setRaw('wf_cut', `${lines.slice(0, cut + 1).join('\n')}\n`);
    expect((await o.getWorkflow('wf_cut'))?.status).toBe('interrupted');

    const resumed = await o.resumeWorkflow({ workflowId: 'wf_cut' });
    expect(resumed.results.worker?.output).toBe('Echo: once only');
    // Only the original echo reached the server.
    expect((await server.callTool('calls')).content).toEqual([{ type: 'text', text: '1' }]);
  });

  it('refuses a malformed config and a name already in use, and a server that cannot start', async () => {
    const o = orchestrator({ journal: false });
    await expect(o.registerMcpServer({ name: 'bad.name', command: 'x' })).rejects.toBeInstanceOf(ConfigError);
    await expect(o.registerMcpServer({ name: 'web', url: 'ftp://127.0.0.1/' })).rejects.toBeInstanceOf(ConfigError);
    await o.registerMcpServer(testServer);
    await expect(o.registerMcpServer(testServer)).rejects.toBeInstanceOf(ConfigError);
    await expect(o.registerMcpServer({ name: 'missing', command: process.execPath, args: ['-e', 'process.exit(3)'] })).rejects.toMatchObject({
      code: 'MCP_SERVER_UNAVAILABLE',
    });
  });
});
