/**
 * MCP both ways, offline. An agent uses the tools of MCP's reference server
 * (server-everything, spawned over stdio) as `everything.<tool>`; its tool
 * calls are journaled, so a replay calls no tool; then troupe itself is served
 * over MCP (HTTP on 127.0.0.1) and the MCP SDK's client lists its runs.
 *
 *   npx tsx examples/mcp-tools.ts
 *
 * Outside this repository, spawn the server with
 * `{ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'] }`.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Orchestrator, serveMcp } from '../src/index.js';
import type { ToolResultBlock } from '../src/index.js';
import { createScriptedProvider, MemoryJournalStorage } from '../src/testing.js';
import { runIfMain } from './support/run-example.js';

const SERVER_EVERYTHING = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

/** A stand-in for a real model: asks for two tools, then reports what they said. */
const model = createScriptedProvider({
  fallback: (request) => {
    const results = request.messages.flatMap((message) =>
      typeof message.content === 'string' ? [] : message.content.filter((block): block is ToolResultBlock => block.type === 'tool_result'),
    );
    if (results.length === 0) {
      return {
        toolCalls: [
          { id: 'sum', name: 'everything__get-sum', input: { a: 19, b: 23 } },
          { id: 'echo', name: 'everything__echo', input: { message: 'tools from the ecosystem' } },
        ],
      };
    }
    return { text: results.map((result) => result.content).join(' / ') };
  },
});

export async function main(): Promise<string> {
  const storage = new MemoryJournalStorage();
  const orchestrator = new Orchestrator({ provider: model, enableThinkingAgents: false, journal: { storage } });
  try {
    const everything = await orchestrator.registerMcpServer({ name: 'everything', command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] });
    console.log(`MCP tools: ${everything.tools().length} from "everything", e.g. ${everything.tools().slice(0, 3).join(', ')}`);

    orchestrator.registerTemplate('calculator', { role: 'calculator', enableSelfReflection: false, tools: ['everything.get-sum', 'everything.e*'] });
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'calculator', taskDescription: 'Add 19 and 23, then echo a phrase' }] });
    console.log(`Agent answer: ${run.results.calculator?.output ?? '(none)'}`);
    const journaled = ((await storage.read(run.workflowId)) ?? '').split('\n').filter((line) => line.includes('"type":"tool.call"')).length;
    console.log(`Tool calls journaled: ${journaled}`);

    const replay = await orchestrator.replayWorkflow({ workflowId: run.workflowId });
    console.log(`Replay answer: ${replay.results.calculator?.output ?? '(none)'} (tool results served from the journal)`);

    // troupe as an MCP server: any MCP client can now run workflows, ask agents and inspect runs.
    const serving = await serveMcp(orchestrator, { transport: { port: 0 } });
    const client = new Client({ name: 'example-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serving.url ?? '')));
    const { tools } = await client.listTools();
    console.log(`troupe over MCP at ${serving.url}: ${tools.map((tool) => tool.name).join(', ')}`);
    const listed = await client.callTool({ name: 'list_runs', arguments: {} });
    const content = Array.isArray(listed.content) ? listed.content : [];
    const first: unknown = content[0];
    const text = typeof first === 'object' && first !== null && Reflect.get(first, 'type') === 'text' ? String(Reflect.get(first, 'text')) : '';
    console.log(`Runs seen by the MCP client: ${text.match(/"workflowId"/g)?.length ?? 0}`);
    await client.close();
    await serving.close();
    return run.results.calculator?.output ?? '';
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, main);
