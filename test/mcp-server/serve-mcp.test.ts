/**
 * troupe's MCP server against the MCP SDK's own Client: over stdio (the
 * `troupe mcp --config` command, spawned through tsx) and over HTTP
 * (serveMcp in this process), plus troupe's own MCP client over HTTP.
 */
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { serveMcp } from '../../src/index.js';
import type { McpServing } from '../../src/index.js';
import { Orchestrator } from '../../src/index.js';
import createOrchestrator from '../support/processes/mcp-troupe.config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Calls a tool and returns its text and whether it is an error. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
  const result = CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));
  const text = result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  return { text, isError: result.isError === true };
}

async function connected(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'sdk-test-client', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

/** The same checks over either transport: every tool, as the SDK's client sees it. */
async function exerciseTools(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual(['ask_agent', 'inspect_run', 'list_runs', 'read_artifact', 'run_workflow']);
  expect(tools.find((tool) => tool.name === 'read_artifact')?.inputSchema.required).toEqual(['agentId', 'artifactId']);

  const asked = await call(client, 'ask_agent', { agentId: 'solo', template: 'analyst', task: 'Assess the plan' });
  expect(asked.isError).toBe(false);
  expect(JSON.parse(asked.text)).toMatchObject({ agentId: 'solo', status: 'succeeded', output: 'done: Assess the plan' });

  const ran = await call(client, 'run_workflow', {
    tasks: [
      { agentId: 'first', template: 'analyst', taskDescription: 'Gather the facts' },
      { agentId: 'second', template: 'analyst', taskDescription: 'Write it up', dependencies: ['first'] },
    ],
  });
  expect(ran.isError).toBe(false);
  const run: unknown = JSON.parse(ran.text);
  expect(run).toMatchObject({ status: 'succeeded', results: { first: { output: 'done: Gather the facts' }, second: { status: 'succeeded' } } });
  const workflowId: unknown = typeof run === 'object' && run !== null ? Reflect.get(run, 'workflowId') : undefined;
  expect(workflowId).toBeTypeOf('string');

  const listed = JSON.parse((await call(client, 'list_runs')).text);
  expect(listed.runs).toEqual([expect.objectContaining({ workflowId, status: 'succeeded', modelCalls: 2 })]);
  const inspected = await call(client, 'inspect_run', { workflowId });
  expect(JSON.parse(inspected.text)).toMatchObject({ workflowId, status: 'succeeded', tasks: { first: expect.anything(), second: expect.anything() } });
  const missing = await call(client, 'inspect_run', { workflowId: 'wf_nope' });
  expect(missing).toMatchObject({ isError: true, text: expect.stringMatching(/^WORKFLOW_NOT_FOUND: /) });

  const readable = await call(client, 'read_artifact', { agentId: 'reader', artifactId: 'plan' });
  expect(readable.isError).toBe(false);
  expect(JSON.parse(readable.text)).toMatchObject({ artifactId: 'plan', version: 1, content: { steps: ['measure', 'cut'] } });
  const denied = await call(client, 'read_artifact', { agentId: 'outsider', artifactId: 'plan' });
  expect(denied.isError).toBe(true);
  expect(denied.text).toMatch(/^PERMISSION_DENIED: /);
  expect(denied.text).not.toContain('measure');
}

describe('troupe as an MCP server', () => {
  it('over stdio: `troupe mcp --config` serves every tool to the SDK client', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--config', 'test/support/processes/mcp-troupe.config.ts'],
      cwd: root,
      stderr: 'pipe',
    });
    const client = await connected(transport);
    expect(client.getServerVersion()?.name).toBe('troupe');
    await exerciseTools(client);
  }, 60_000);

  it('over HTTP: binds 127.0.0.1 by default and serves every tool to the SDK client', async () => {
    const orchestrator = await createOrchestrator();
    cleanups.push(() => orchestrator.shutdown());
    const serving = await serveMcp(orchestrator, { transport: { port: 0 } });
    cleanups.push(() => serving.close());
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await exerciseTools(await connected(new StreamableHTTPClientTransport(new URL(serving.url ?? ''))));
  }, 60_000);

  it('over HTTP: refuses a request addressed to another host name (DNS rebinding) and paths other than /mcp', async () => {
    const orchestrator = await createOrchestrator();
    cleanups.push(() => orchestrator.shutdown());
    const serving: McpServing = await serveMcp(orchestrator, { transport: { port: 0 } });
    cleanups.push(() => serving.close());
    const url = new URL(serving.url ?? '');
    const status = (path: string, host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
        const sent = httpRequest(
          { host: '127.0.0.1', port: url.port, path, method: 'POST', headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        sent.on('error', reject);
        sent.end(body);
      });
    expect(await status('/mcp', 'evil.example:80')).toBe(403);
    expect(await status('/other', `127.0.0.1:${url.port}`)).toBe(404);
  });

  it("troupe's own MCP client uses another troupe over HTTP: remote.<tool> tools", async () => {
    const remote = await createOrchestrator();
    cleanups.push(() => remote.shutdown());
    const serving = await serveMcp(remote, { transport: { port: 0 } });
    cleanups.push(() => serving.close());
    const local = new Orchestrator({ journal: false });
    cleanups.push(() => local.shutdown());
    const server = await local.registerMcpServer({ name: 'remote', url: serving.url ?? '', headers: { 'x-caller': 'local' } });
    expect(server.tools().sort()).toEqual(['remote.ask_agent', 'remote.inspect_run', 'remote.list_runs', 'remote.read_artifact', 'remote.run_workflow']);
    expect(server.status().transport).toBe('http');
    const answer = await server.callTool('ask_agent', { agentId: 'far', template: 'analyst', task: 'Wave' });
    expect(answer.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('"output": "done: Wave"') });
  });
});

describe('MCP client over HTTP: a server that goes away', () => {
  it('a failed request is MCP_SERVER_UNAVAILABLE; the next call connects afresh, and with no restarts left calls fail', async () => {
    const remote = await createOrchestrator();
    cleanups.push(() => remote.shutdown());
    const first = await serveMcp(remote, { transport: { port: 0 } });
    const url = new URL(first.url ?? '');
    const local = new Orchestrator({ journal: false });
    cleanups.push(() => local.shutdown());
    const server = await local.registerMcpServer({ name: 'remote', url: url.href });
    await first.close();

    await expect(server.callTool('list_runs')).rejects.toMatchObject({ code: 'MCP_SERVER_UNAVAILABLE' });
    const second = await serveMcp(remote, { transport: { port: Number(url.port) } });
    cleanups.push(() => second.close());
    expect(server.status()).toMatchObject({ state: 'restarting', restarts: 0 });
    // The next call connects again: one attempt, counted.
    const answered = await server.callTool('list_runs');
    expect(answered.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('"runs"') });
    expect(server.status()).toMatchObject({ state: 'ready', transport: 'http', restarts: 1 });

    const once = await local.registerMcpServer({ name: 'once', url: url.href, maxRestarts: 0 });
    await second.close();
    await expect(once.callTool('list_runs')).rejects.toMatchObject({ code: 'MCP_SERVER_UNAVAILABLE' });
    expect(once.status().state).toBe('unavailable');
    await expect(once.callTool('list_runs')).rejects.toThrow(/may not be restarted/);
  });
});


describe('examples/mcp-tools.ts', () => {
  it('runs offline as a script with server-everything, exits 0 and prints what the tools said', async () => {
    const { execFile } = await import('node:child_process');
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const env = { ...process.env, ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '' };
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(tsx, ['examples/mcp-tools.ts'], { cwd: root, env, timeout: 90_000 }, (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err });
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Agent answer: The sum of 19 and 23 is 42\. \/ Echo: tools from the ecosystem$/m);
    expect(stdout).toMatch(/^Tool calls journaled: 2$/m);
    expect(stdout).toMatch(/^troupe over MCP at http:\/\/127\.0\.0\.1:\d+\/mcp: run_workflow, ask_agent, read_artifact, list_runs, inspect_run$/m);
  }, 120_000);
});
