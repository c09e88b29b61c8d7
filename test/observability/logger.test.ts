import { afterEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { ConfigError } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { createConsoleLogger, LevelLogger } from '../../src/index.js';
import type { LogFields, Logger } from '../../src/index.js';
import { createRedactor, REDACTED } from '../../src/index.js';
import { anthropicReply, SECRET_KEY, secretsIn, secretTasks, startSecretRun } from '../support/secret-run.js';
import type { SecretRun } from '../support/secret-run.js';

interface Line {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger double that keeps every line. */
function memoryLogger(): Logger & { readonly lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (message: string, fields: LogFields = {}) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let orchestrator: Orchestrator | undefined;
let run: SecretRun | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await orchestrator?.shutdown();
  await run?.orchestrator.shutdown();
  await run?.server.close();
  orchestrator = undefined;
  run = undefined;
});

const answering = () => createScriptedProvider({ fallback: () => ({ text: 'ok' }) });

describe('logging', () => {
  it('is silent by default: a library run writes nothing to the console', async () => {
    const writes = [
      vi.spyOn(process.stderr, 'write'),
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'info'),
      vi.spyOn(console, 'warn'),
      vi.spyOn(console, 'error'),
      vi.spyOn(console, 'debug'),
    ];
    orchestrator = new Orchestrator({ provider: answering(), journal: false });
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'quietly' }] });
    for (const spy of writes) expect(spy).not.toHaveBeenCalled();
  });

  it('logs to a configured logger at info, and at the level setDebugMode sets', async () => {
    const logger = memoryLogger();
    orchestrator = new Orchestrator({ provider: answering(), journal: false, enableThinkingAgents: false, logger });
    const first = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'one' }] });
    expect(logger.lines.map((line) => `${line.level} ${line.message}`)).toEqual([
      'info workflow started',
      'info task finished',
      'info workflow finished',
    ]);
    expect(logger.lines[2]?.fields).toMatchObject({ workflowId: first.workflowId, status: 'succeeded', totalCostCents: expect.any(Number) });

    logger.lines.length = 0;
    orchestrator.setDebugMode({ enabled: true, logLevel: 'DEBUG' });
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'b', taskDescription: 'two' }] });
    const debugLines = logger.lines.filter((line) => line.level === 'debug').map((line) => line.message);
    expect(debugLines).toEqual(expect.arrayContaining(['task started', 'agent spawned', 'model call finished']));
    expect(logger.lines.find((line) => line.message === 'model call finished')?.fields).toMatchObject({
      agentId: 'b',
      purpose: expect.any(String),
      inputTokens: expect.any(Number),
    });

    logger.lines.length = 0;
    orchestrator.setDebugMode({ enabled: true, logLevel: 'error' });
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'c', taskDescription: 'three' }] });
    expect(logger.lines).toEqual([]);

    orchestrator.setDebugMode({ enabled: false });
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'd', taskDescription: 'four' }] });
    expect(logger.lines.map((line) => line.level)).toEqual(['info', 'info', 'info']);
  });

  it('never logs a key or a prompt, even in a provider error that quotes the key', async () => {
    const logger = memoryLogger();
    run = await startSecretRun({ logger });
    run.orchestrator.setDebugMode({ enabled: true, logLevel: 'debug' });
    run.server.reply(anthropicReply(), {
      kind: 'json',
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${SECRET_KEY}` } },
    });
    const result = await run.orchestrator.executeWorkflow({ tasks: secretTasks, continueOnFailure: true });
    expect(result.results.reviewer?.status).toBe('failed');
    expect(logger.lines.some((line) => line.message === 'model call failed')).toBe(true);
    const text = JSON.stringify(logger.lines);
    expect(secretsIn(text)).toEqual([]);
  });

  it('redacts secret fields, known key values and prompt fields before a line reaches the sink', () => {
    const sink = memoryLogger();
    const logger = new LevelLogger({ sink, level: 'debug', redactor: createRedactor({ secrets: [SECRET_KEY] }) });
    logger.warn(`request failed for ${SECRET_KEY}`, {
      agentId: 'a1',
      costCents: 1.25,
      apiKey: 'sk-other-credential-value',
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'xyz', accept: 'application/json' },
      errorMessage: `401 for key ${SECRET_KEY}`,
      task: 'Draft the confidential memo',
    });
    expect(sink.lines).toEqual([
      {
        level: 'warn',
        message: `request failed for ${REDACTED}`,
        fields: {
          agentId: 'a1',
          costCents: 1.25,
          apiKey: REDACTED,
          headers: { Authorization: REDACTED, 'x-api-key': REDACTED, accept: 'application/json' },
          errorMessage: `401 for key ${REDACTED}`,
          task: REDACTED,
        },
      },
    ]);
  });

  it('drops lines under its level and survives a throwing sink', () => {
    const sink = memoryLogger();
    const logger = new LevelLogger({ sink, level: 'warn', redactor: createRedactor() });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(sink.lines.map((line) => line.message)).toEqual(['w', 'e']);
    const throwing = new LevelLogger({
      sink: { ...sink, error: () => { throw new Error('sink down'); } },
      level: 'debug',
      redactor: createRedactor(),
    });
    expect(() => throwing.error('boom')).not.toThrow();
  });

  it('has a console logger that writes one JSON object per line', () => {
    const written: string[] = [];
    const logger = createConsoleLogger({ write: (line) => written.push(line), now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    logger.info('task finished', { agentId: 'a', costCents: 0.5 });
    expect(written).toEqual(['{"level":"info","time":"2025-01-02T03:04:05.000Z","msg":"task finished","agentId":"a","costCents":0.5}\n']);
  });

  it('refuses a logger option without the four methods', () => {
    expect(() => new Orchestrator({ logger: { info: () => undefined } as unknown as Logger })).toThrow(ConfigError);
  });
});
