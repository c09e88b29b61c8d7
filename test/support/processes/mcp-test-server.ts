/**
 * A small MCP server over stdio for the client tests, on the MCP SDK's own
 * low-level Server: its tool list comes in pages of two, `add-tool` grows the
 * list and announces it (notifications/tools/list_changed), and it counts the
 * tool calls it answered (`calls`), so a test can tell whether troupe called it.
 *
 * Run: node --import tsx test/support/processes/mcp-test-server.ts
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';

const PAGE_SIZE = 2;
const objectSchema = (properties: Record<string, object> = {}, required: string[] = []): Tool['inputSchema'] => ({
  type: 'object',
  properties,
  required,
});

const tools: Tool[] = [
  { name: 'echo', description: 'Echoes its message', inputSchema: objectSchema({ message: { type: 'string' } }, ['message']) },
  { name: 'calls', description: 'How many tool calls this server answered before this one', inputSchema: objectSchema() },
  { name: 'fail', description: 'Answers with an error result', inputSchema: objectSchema() },
  { name: 'throw', description: 'Answers with a JSON-RPC error', inputSchema: objectSchema() },
  { name: 'add-tool', description: 'Adds a tool and announces the change', inputSchema: objectSchema({ name: { type: 'string' } }, ['name']) },
];

let calls = 0;
const server = new Server({ name: 'troupe-test-server', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });

server.setRequestHandler(ListToolsRequestSchema, (request) => {
  const start = Number(request.params?.cursor ?? '0');
  const page = tools.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE;
  return next < tools.length ? { tools: page, nextCursor: String(next) } : { tools: page };
});

server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
  const answered = calls++;
  const args = request.params.arguments ?? {};
  switch (request.params.name) {
    case 'echo':
      return { content: [{ type: 'text', text: `Echo: ${String(args['message'])}` }] };
    case 'calls':
      return { content: [{ type: 'text', text: String(answered) }] };
    case 'fail':
      return { content: [{ type: 'text', text: 'the disk is full' }], isError: true };
    case 'throw':
      throw new Error('handler exploded');
    case 'add-tool': {
      const name = String(args['name']);
      tools.push({ name, description: `Added at run time: ${name}`, inputSchema: objectSchema() });
      await server.sendToolListChanged();
      return { content: [{ type: 'text', text: `added ${name}` }] };
    }
    default:
      return { content: [{ type: 'text', text: `unknown tool ${request.params.name}` }], isError: true };
  }
});

await server.connect(new StdioServerTransport());
