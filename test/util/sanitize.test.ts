import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretField, REDACTED } from '../../src/index.js';

describe('secret fields', () => {
  it.each(['apiKey', 'x-api-key', 'authorization', 'password', 'clientSecret', 'token', 'apiToken', 'github_token', 'secretKey', 'aws_secret_access_key', 'privateKey', 'credentials', 'credential'])(
    'treats %s as a credential',
    (name) => expect(isSecretField(name)).toBe(true),
  );

  it.each(['inputTokens', 'maxTokens', 'cacheReadTokens', 'callKey', 'relativeKey', 'agentId', 'costCents'])('keeps %s visible', (name) =>
    expect(isSecretField(name)).toBe(false),
  );

  it('replaces credentials anywhere in a record, and keeps usage counts', () => {
    const redactor = createRedactor({ content: false });
    const record = {
      agentId: 'a1',
      usage: { inputTokens: 12, outputTokens: 3 },
      maxTokens: 100,
      tool: { github_token: 'ghp_0123456789abcdef', config: { credentials: { user: 'u', key: 'k' } } },
    };
    expect(redactor.redact(record)).toEqual({
      agentId: 'a1',
      usage: { inputTokens: 12, outputTokens: 3 },
      maxTokens: 100,
      tool: { github_token: REDACTED, config: { credentials: REDACTED } },
    });
  });
});

describe('known secret values', () => {
  it('are cut out of every string, also without content redaction; short values are ignored', () => {
    const key = 'sk-test-0123456789abcdef';
    const redactor = createRedactor({ content: false, secrets: [key, 'short', undefined] });
    expect(redactor.redact({ task: `use ${key} twice: ${key}`, note: 'short stays' })).toEqual({
      task: `use ${REDACTED} twice: ${REDACTED}`,
      note: 'short stays',
    });
    expect(redactor.scrub(`Bearer ${key}`)).toBe(`Bearer ${REDACTED}`);
  });
});
