import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, Orchestrator } from '../../src/index.js';
import { loadOrchestrator, parseCliArgs } from '../../src/cli/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the troupe command line', () => {
  it('parses `mcp --config` with stdio or HTTP, and names what is wrong', () => {
    expect(parseCliArgs(['mcp', '--config', 'a.ts'])).toEqual({ command: 'mcp', configPath: 'a.ts', transport: 'stdio' });
    expect(parseCliArgs(['mcp', '--config', 'a.ts', '--port', '8931', '--host', '0.0.0.0']).transport).toEqual({ port: 8931, host: '0.0.0.0' });
    expect(() => parseCliArgs(['serve'])).toThrow(ConfigError);
    expect(() => parseCliArgs(['mcp'])).toThrow(/--config/);
    expect(() => parseCliArgs(['mcp', '--config', 'a.ts', '--port', 'x'])).toThrow(/--port/);
    expect(() => parseCliArgs(['mcp', '--config', 'a.ts', '--verbose'])).toThrow(/unknown option/);
  });

  it('loads a config module whose default export is an OrchestratorConfig, and refuses one without a default', async () => {
    const fromConfig = await loadOrchestrator('test/support/processes/mcp-plain.config.ts');
    cleanups.push(() => fromConfig.shutdown());
    expect(fromConfig).toBeInstanceOf(Orchestrator);
    expect(fromConfig.config.maxParallelAgents).toBe(2);
    await expect(loadOrchestrator('test/support/requests.ts')).rejects.toThrow(/no default export/);
  });
});
