/**
 * A hostile or buggy model API echoes the key in every field of its error
 * bodies and headers: the key must appear nowhere the error travels (the
 * thrown error and its cause, task and workflow results, events, logs, the
 * journal files on disk, traces). The providers are passed as instances, so
 * the orchestrator's own redactors do not know the key: only the provider's
 * error mapping stands between the key and everything downstream.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Orchestrator } from '../../src/index.js';
import { ProviderError } from '../../src/index.js';
import type { ModelProvider, ModelRequest } from '../../src/index.js';
import { createAnthropicProvider } from '../../src/index.js';
import { createOpenAIProvider } from '../../src/index.js';
import { mapSdkError, redactSecrets } from '../../src/providers/index.js';
import type { SdkApiError, SdkErrorClasses } from '../../src/providers/index.js';
import type { LogFields, Logger } from '../../src/index.js';
import { rejection, startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer, ScriptedReply } from '../support/loopback-server.js';

const KEY = 'sk-ant-echo-5ecret-KEY-0123456789abcdefXYZ';
/** Pieces of the key a server might echo: a prefix, a suffix, a masked form. */
const FRAGMENTS = [KEY.slice(0, 20), KEY.slice(-16), `${KEY.slice(0, 14)}****${KEY.slice(-6)}`];
/** What must never show: the key, or 12 consecutive characters of it. */
const LEAKS = [KEY, ...Array.from({ length: KEY.length - 11 }, (_, start) => KEY.slice(start, start + 12))];

function leaksIn(text: string): string[] {
  return LEAKS.filter((leak) => text.includes(leak));
}

/** Every field of an error body, and every header, echoing the key (whole and in pieces). */
const echo = `${KEY} ${FRAGMENTS.join(' ')}`;
const echoHeaders = { 'x-echo-key': KEY, 'retry-after': KEY, 'request-id': KEY, 'www-authenticate': `Bearer ${KEY}` };

function anthropicEcho(status: number): ScriptedReply {
  return {
    kind: 'json',
    status,
    headers: echoHeaders,
    body: {
      type: `error ${echo}`,
      error: { type: `authentication_error ${echo}`, message: `invalid x-api-key: ${echo}`, code: echo, param: echo, details: { key: KEY, [KEY]: KEY } },
      request_id: KEY,
    },
  };
}

function openaiEcho(status: number): ScriptedReply {
  return {
    kind: 'json',
    status,
    headers: echoHeaders,
    body: { error: { message: `Incorrect API key provided: ${echo}`, type: `invalid_request_error ${echo}`, code: echo, param: echo, [KEY]: KEY } },
  };
}

const WIRES = [
  { name: 'anthropic', reply: anthropicEcho, create: (url: string) => createAnthropicProvider({ apiKey: KEY, baseURL: url }), model: 'claude-haiku-4-5' },
  { name: 'openai', reply: openaiEcho, create: (url: string) => createOpenAIProvider({ apiKey: KEY, baseURL: `${url}/v1` }), model: 'gpt-4o' },
] as const;

/** Every rendering of an error a user or a log pipeline might produce, its cause chain included. */
function renderings(error: unknown): string[] {
  const out = [String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })];
  let cause: unknown = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined) {
    out.push(String(cause), JSON.stringify(cause), inspect(cause, { depth: 10, showHidden: true }));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (error instanceof Error) out.push(error.stack ?? '', Object.getOwnPropertyNames(error).map((name) => String(Reflect.get(error, name))).join('\n'));
  return out;
}

function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields: LogFields = {}) => void lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Every file under `dir`, concatenated. */
function filesUnder(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += `${path}\n${statSync(path).isDirectory() ? filesUnder(path) : readFileSync(path, 'utf8')}\n`;
  }
  return text;
}

let server: LoopbackServer;
let workspace: string;
let orchestrator: Orchestrator | undefined;
beforeEach(async () => {
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('OPENAI_API_KEY', '');
  server = await startLoopbackServer();
  workspace = mkdtempSync(join(tmpdir(), 'troupe-provider-secrets-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await orchestrator?.shutdown();
  orchestrator = undefined;
  await server.close();
  rmSync(workspace, { recursive: true, force: true });
});

describe.each(WIRES)('a $name error body echoing the key in every field', (wire) => {
  const basic: ModelRequest = { model: wire.model, messages: [{ role: 'user', content: 'Hi' }], maxTokens: 50 };

  it('never reaches the thrown error, however it is rendered, at any status', async () => {
    const statuses = [400, 401, 403, 404, 409, 422, 429, 500, 503, 529];
    server.reply(...statuses.map((status) => wire.reply(status)));
    const provider: ModelProvider = wire.create(server.url);
    for (const status of statuses) {
      const error = await rejection(provider, basic);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error instanceof ProviderError ? error.status : undefined).toBe(status);
      for (const text of renderings(error)) expect(leaksIn(text)).toEqual([]);
      expect(error instanceof Error ? error.cause : 'not an error').toBeUndefined();
      // The useful parts survive: the status and the error type's name.
      expect(String(error)).toContain(`HTTP ${status}`);
      expect(String(error)).toContain(wire.name === 'anthropic' ? 'authentication_error' : 'invalid_request_error');
    }
  });

  it('never reaches task results, the workflow result, events, logs, the journal on disk or traces', async () => {
    server.reply(wire.reply(401), wire.reply(400), wire.reply(401), wire.reply(400));
    const logger = memoryLogger();
    orchestrator = new Orchestrator({
      provider: wire.create(server.url),
      model: wire.model,
      workspacePath: workspace,
      journal: true,
      logger,
      retryFailedAgents: false,
      enableThinkingAgents: false,
    });
    const events: unknown[] = [];
    orchestrator.events.onAny((event) => events.push(event));
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('secrets');
    await orchestrator.enableTelemetry({ tracer });

    const workflow = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'first', taskDescription: 'Say hi' },
        { agentId: 'second', taskDescription: 'Say hello' },
      ],
    });
    const task = await orchestrator.executeTask({ agentId: 'solo', taskDescription: 'Say hey' });
    expect(workflow.status).toBe('failed');
    expect(task.status).toBe('failed');
    expect(task.error?.code).toMatch(/^PROVIDER_/);
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(events.some((event) => inspect(event).includes('model.call.failed'))).toBe(true);
    await orchestrator.shutdown();
    orchestrator = undefined;

    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(0);
    const journalFiles = filesUnder(join(workspace, 'journals'));
    expect(journalFiles).toContain('model.failed');
    const places = {
      workflow: inspect(workflow, { depth: 20 }) + JSON.stringify(workflow),
      task: inspect(task, { depth: 20 }) + JSON.stringify(task),
      events: inspect(events, { depth: 20 }),
      logs: logger.lines.join('\n'),
      journal: journalFiles,
      traces: inspect(spans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })), { depth: 20 }),
    };
    for (const [place, text] of Object.entries(places)) expect({ place, leaks: leaksIn(text) }).toEqual({ place, leaks: [] });
  });
});

describe('what the error mapping passes through unchanged', () => {
  class Base extends Error {}
  class ApiError extends Base implements SdkApiError {
    readonly status = 400;
    readonly headers = undefined;
    readonly error = undefined;
  }
  const classes: SdkErrorClasses = { SdkError: Base, APIError: ApiError, APIUserAbortError: ApiError, APIConnectionError: ApiError, APIConnectionTimeoutError: ApiError };

  it('surfaces a bug as itself when it holds no key, and without the key (message, stack, cause) when it does', () => {
    const clean = new RangeError('index out of range');
    expect(mapSdkError(clean, { provider: 'p', classes, secrets: [KEY] })).toBe(clean);

    const dirty = new TypeError(`cannot read header of ${KEY}`, { cause: new Error(`inner ${KEY}`) });
    const mapped = mapSdkError(dirty, { provider: 'p', classes, secrets: [KEY] });
    expect(mapped).toBeInstanceOf(Error);
    expect(mapped instanceof Error ? mapped.name : '').toBe('TypeError');
    expect(String(mapped)).toContain('cannot read header of [redacted]');
    for (const text of renderings(mapped)) expect(leaksIn(text)).toEqual([]);
  });

  it('redactSecrets removes the key, pieces of 8 characters or more of it, and key-shaped tokens', () => {
    const key = 'Zq81-generic-token-value-4455';
    expect(redactSecrets(`a ${key} b`, [key])).toBe('a [redacted] b');
    expect(redactSecrets(`prefix ${key.slice(0, 10)}… suffix`, [key])).toBe('prefix [redacted]… suffix');
    expect(redactSecrets('masked sk-proj-****abcd here', [])).toBe('masked [redacted] here');
    expect(redactSecrets('generic words stay intact', [key])).toBe('generic words stay intact');
  });
});
