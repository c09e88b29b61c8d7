import { describe, expect, it } from 'vitest';
import { parseWorkerArgs } from '../../src/cli/index.js';
import { ConfigError } from '../../src/index.js';

describe('troupe worker arguments', () => {
  it('reads --redis, --config and --concurrency', () => {
    expect(parseWorkerArgs(['--redis', 'redis://127.0.0.1:6379', '--config', './troupe.config.ts', '--concurrency', '4'])).toEqual({
      redis: 'redis://127.0.0.1:6379',
      configPath: './troupe.config.ts',
      concurrency: 4,
    });
    expect(parseWorkerArgs(['--config', 'c.ts', '--redis', 'rediss://host:1']).concurrency).toBe(1);
  });

  it('refuses a missing or malformed --redis, a missing --config, a bad concurrency and unknown options', () => {
    expect(() => parseWorkerArgs(['--config', 'c.ts'])).toThrow(ConfigError);
    expect(() => parseWorkerArgs(['--redis', 'http://x', '--config', 'c.ts'])).toThrow(ConfigError);
    expect(() => parseWorkerArgs(['--redis', 'redis://x'])).toThrow(ConfigError);
    expect(() => parseWorkerArgs(['--redis', 'redis://x', '--config', 'c.ts', '--concurrency', '0'])).toThrow(ConfigError);
    expect(() => parseWorkerArgs(['--redis', 'redis://x', '--config', 'c.ts', '--port', '1'])).toThrow(ConfigError);
  });
});
