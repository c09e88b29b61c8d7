/**
 * MCP tools as troupe tools: `<server>.<tool>` with the server's JSON Schema,
 * and a call's result rendered as the text the model reads. A result with
 * `isError` is thrown as McpToolError, so the tool path hands the model an
 * error result (and journals it like any tool call).
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { McpToolError } from '../protocols/errors/errors.js';
import type { JsonSchema } from '../protocols/model.js';
import type { JsonSchemaTool } from '../agents/tools.js';
import type { McpConnection } from './connection.js';

/** The troupe name of a server's tool. */
export function troupeToolName(server: string, tool: string): string {
  return `${server}.${tool}`;
}

type ContentBlock = CallToolResult['content'][number];

function renderBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
    case 'audio':
      return `[${block.type} ${block.mimeType}, ${block.data.length} base64 characters]`;
    case 'resource':
      return 'text' in block.resource ? block.resource.text : `[resource ${block.resource.uri}]`;
    case 'resource_link':
      return `[resource link ${block.uri}${block.name ? ` (${block.name})` : ''}]`;
    default:
      return JSON.stringify(block);
  }
}

/** The text a model reads for a tool result: its content blocks, else its structured content. */
export function renderToolResult(result: CallToolResult): string {
  const parts = result.content.map(renderBlock).filter((part) => part !== '');
  if (parts.length > 0) return parts.join('\n');
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return '';
}

function argumentsOf(input: unknown): Record<string, unknown> | undefined {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) return undefined;
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) args[key] = value;
  return args;
}

/** The troupe tool that calls `tool` on the connection's server. */
export function bridgeTool(connection: McpConnection, tool: Tool): JsonSchemaTool {
  const inputSchema: JsonSchema = { ...tool.inputSchema };
  return {
    name: troupeToolName(connection.name, tool.name),
    description: tool.description ?? tool.title ?? tool.name,
    inputSchema,
    execute: async (input, context) => {
      const args = argumentsOf(input);
      if (!args) throw new McpToolError(connection.name, tool.name, 'arguments must be a JSON object');
      const result = await connection.callTool(tool.name, args, context.signal);
      const text = renderToolResult(result);
      if (result.isError === true) throw new McpToolError(connection.name, tool.name, text || 'the tool reported an error');
      return text;
    },
  };
}
