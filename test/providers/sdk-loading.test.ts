/**
 * A provider's SDK is loaded on its first call: importing the providers and
 * creating one loads no SDK, and an SDK that cannot be loaded fails the call
 * with a ConfigError naming the package (the API key is still checked at
 * creation). Each test mocks the SDK packages with factories that note they
 * ran and fail, then imports the sources afresh.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockMissingModules } from '../support/failing-modules.js';

const SDK_PACKAGES = ['openai', '@anthropic-ai/sdk'] as const;

const loaded = mockMissingModules(SDK_PACKAGES);

afterEach(() => vi.unstubAllEnvs());

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 8 };

describe('a provider SDK, loaded on first use', () => {
  it('importing the providers and creating one loads no SDK; a missing key is still refused at creation', async () => {
    const { createAnthropicProvider, createOpenAIProvider } = await import('../../src/providers/index.js');
    createOpenAIProvider({ apiKey: 'sk-test' });
    createAnthropicProvider({ apiKey: 'sk-ant-test' });
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    expect(() => createAnthropicProvider()).toThrow(/ANTHROPIC_API_KEY/);
    expect(loaded).toEqual([]);
  });

  it.each([
    ['openai', 'openai'],
    ['anthropic', '@anthropic-ai/sdk'],
  ] as const)('a %s call whose SDK cannot be loaded fails with CONFIG_INVALID naming %s, and never shows the key', async (provider, packageName) => {
    const { createAnthropicProvider, createOpenAIProvider } = await import('../../src/providers/index.js');
    const model = provider === 'openai' ? createOpenAIProvider({ apiKey: 'sk-secret-1' }) : createAnthropicProvider({ apiKey: 'sk-secret-1' });
    const failure = await model.complete(request).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(`needs the ${packageName} package`) });
    expect(String(failure)).not.toContain('sk-secret-1');
    expect(loaded).toEqual([packageName]);
    // The failed load is kept: a second call fails the same way without loading again.
    await expect(model.stream?.(request, () => undefined)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(loaded).toEqual([packageName]);
  });
});
