/**
 * Tool names with dots (`files.read`, an MCP server's tools), the names
 * models see for them, and globs in a template's `tools`.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { modelToolName, ToolRegistry } from '../../src/agents/index.js';
import type { AgentTask } from '../../src/index.js';

const schema = { type: 'object', properties: {} };
const tool = (name: string, answer = name) => ({ name, description: name, inputSchema: schema, execute: () => answer });
const task: AgentTask = { taskId: 't', task: 'x' };
const context = { agentId: 'a', task, signal: new AbortController().signal };

describe('tool names', () => {
  it('models see dots as __, other characters as _, and long names cut to 64 with a hash', () => {
    expect(modelToolName('web_search')).toBe('web_search');
    expect(modelToolName('files.read_file')).toBe('files__read_file');
    expect(modelToolName('srv.tool/with space')).toBe('srv__tool_with_space');
    const long = modelToolName(`server.${'x'.repeat(100)}`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(modelToolName(`server.${'x'.repeat(100)}y`)).not.toBe(long);
  });

  it('a dotted tool is defined under its model name and runs by either name', async () => {
    const tools = new ToolRegistry();
    tools.register(tool('files.read', 'contents'));
    expect(tools.definitions(['files.read']).map((d) => d.name)).toEqual(['files__read']);
    expect(await tools.run({ id: '1', name: 'files__read', input: {} }, context)).toEqual({ content: 'contents' });
    expect(await tools.run({ id: '2', name: 'files.read', input: {} }, context)).toEqual({ content: 'contents' });
    tools.unregister('files.read');
    expect((await tools.run({ id: '3', name: 'files__read', input: {} }, context)).isError).toBe(true);
  });

  it('refuses a tool whose model name another tool already has', () => {
    const tools = new ToolRegistry();
    tools.register(tool('files.read'));
    expect(() => tools.register(tool('files__read'))).toThrow(ConfigError);
    expect(() => tools.register(tool('bad name!'))).toThrow(ConfigError);
  });

  it('globs in tools match registered names, may match none, and exact names must exist', () => {
    const tools = new ToolRegistry();
    for (const name of ['files.read', 'files.write', 'search.query', 'filesystem']) tools.register(tool(name));
    expect(tools.definitions(['files.*']).map((d) => d.name)).toEqual(['files__read', 'files__write']);
    expect(tools.definitions(['*.read', 'files.read']).map((d) => d.name)).toEqual(['files__read']);
    expect(tools.definitions(['later.*'])).toEqual([]);
    expect(() => tools.definitions(['files.delete'])).toThrow(ConfigError);
  });
});
