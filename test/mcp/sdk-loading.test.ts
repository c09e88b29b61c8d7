/**
 * The MCP SDK is loaded on first use: importing the MCP client and server
 * loads none of it, and an SDK that cannot be loaded makes connecting and
 * serving fail with MCP_SERVER_UNAVAILABLE (not an unhandled rejection).
 * Each test mocks the SDK's modules with factories that note they ran and
 * fail, then imports the sources afresh.
 */
import { describe, expect, it, vi } from 'vitest';
import { mockMissingModules } from '../support/failing-modules.js';

const SDK_MODULES = [
  '@modelcontextprotocol/sdk/client/index.js',
  '@modelcontextprotocol/sdk/client/stdio.js',
  '@modelcontextprotocol/sdk/client/streamableHttp.js',
  '@modelcontextprotocol/sdk/types.js',
  '@modelcontextprotocol/sdk/server/mcp.js',
  '@modelcontextprotocol/sdk/server/stdio.js',
  '@modelcontextprotocol/sdk/server/streamableHttp.js',
] as const;

const loaded = mockMissingModules(SDK_MODULES);

describe('the MCP SDK, loaded on first use', () => {
  it('importing the MCP client and server loads none of it', async () => {
    await import('../../src/mcp/index.js');
    await import('../../src/mcp-server/index.js');
    expect(loaded).toEqual([]);
  });

  it('a connection whose SDK cannot be loaded fails to start with MCP_SERVER_UNAVAILABLE, and so do its calls', async () => {
    const { McpConnection } = await import('../../src/mcp/index.js');
    const onTools = vi.fn();
    const connection = new McpConnection({ name: 'files', command: process.execPath, args: ['-e', ''] }, onTools);
    expect(loaded).toEqual([]);

    await expect(connection.start()).rejects.toMatchObject({
      code: 'MCP_SERVER_UNAVAILABLE',
      message: expect.stringMatching(/^MCP server "files" is unavailable: could not load @modelcontextprotocol\/sdk: /),
    });
    expect(loaded.length).toBeGreaterThan(0);
    expect(connection.status()).toMatchObject({ state: 'unavailable', pid: null, tools: [] });
    await expect(connection.callTool('read', {})).rejects.toMatchObject({ code: 'MCP_SERVER_UNAVAILABLE' });
    await connection.close();
    expect(connection.status().state).toBe('closed');
    expect(onTools).not.toHaveBeenCalled();
  });

  it('serveMcp rejects with MCP_SERVER_UNAVAILABLE over stdio and HTTP when its SDK cannot be loaded, and checks the port first', async () => {
    const { serveMcp } = await import('../../src/mcp-server/index.js');
    const { Orchestrator } = await import('../../src/index.js');
    const orchestrator = new Orchestrator({ journal: false });
    try {
      await expect(serveMcp(orchestrator, { transport: { port: 70_000 } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      expect(loaded).toEqual([]);
      const unavailable = { code: 'MCP_SERVER_UNAVAILABLE', message: expect.stringContaining('could not load @modelcontextprotocol/sdk: ') };
      await expect(serveMcp(orchestrator, { transport: 'stdio', name: 'served' })).rejects.toMatchObject(unavailable);
      await expect(serveMcp(orchestrator, { transport: { port: 0 } })).rejects.toMatchObject(unavailable);
      expect(loaded.length).toBeGreaterThan(0);
    } finally {
      await orchestrator.shutdown();
    }
  });
});
