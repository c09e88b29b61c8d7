import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { OrchestratorConfig } from '../../src/index.js';
import { agentFileName } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider } from '../../src/testing.js';
import { REDACTED } from '../../src/index.js';
import { AgentNotFoundError, ConfigError } from '../../src/index.js';
import { anthropicReply, SECRET_ANSWER, SECRET_KEY, SECRET_PROMPT, SECRET_TASK, startSecretRun } from '../support/secret-run.js';
import type { SecretRun } from '../support/secret-run.js';

let workspacePath: string;
let orchestrator: Orchestrator | undefined;
let run: SecretRun | undefined;
beforeEach(() => {
  workspacePath = mkdtempSync(join(tmpdir(), 'troupe-debug-'));
});
afterEach(async () => {
  await orchestrator?.shutdown();
  await run?.orchestrator.shutdown();
  await run?.server.close();
  orchestrator = undefined;
  run = undefined;
  rmSync(workspacePath, { recursive: true, force: true });
});

function jsonLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line): unknown => JSON.parse(line))
    .filter((line): line is Record<string, unknown> => typeof line === 'object' && line !== null);
}

/** An orchestrator on a scripted model; agents think, then act (no reflection). */
function scripted(model: ScriptedProvider, config: OrchestratorConfig = {}): Orchestrator {
  orchestrator = new Orchestrator({ provider: model, workspacePath, journal: false, retryFailedAgents: false, ...config });
  return orchestrator;
}

const probe = { agentId: 'probe', config: { enableSelfReflection: false, enableExtendedThinking: true } } as const;

describe('debug files', () => {
  it('writes one thinking-trace line per agent task and every model request/response pair per agent', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'The answer is 42.', thinking: 'Weigh the numbers first.' }) });
    const o = scripted(model);
    const calls: string[] = [];
    o.events.on('model.call.finished', ({ callId }) => calls.push(callId));
    const state = o.setDebugMode({ enabled: true, logLevel: 'silent', saveThinkingTraces: true, saveAgentConversations: true });
    expect(state.directory).toBe(join(workspacePath, 'debug'));
    o.registerTemplate('analyst', { enableSelfReflection: false });
    const result = await o.executeWorkflow({
      tasks: [
        { agentId: 'analyst', taskDescription: 'Count the widgets' },
        { agentId: 'writer', taskDescription: 'Write it up', dependencies: ['analyst'] },
      ],
    });
    expect(result.status).toBe('succeeded');

    const traces = jsonLines(state.thinkingTracesFile);
    expect(traces.map((line) => line.agentId)).toEqual(['analyst', 'writer']);
    expect(traces[0]).toMatchObject({ taskId: expect.stringContaining(result.workflowId), thinking: 'Weigh the numbers first.' });

    expect(readdirSync(state.conversationsDirectory).sort()).toEqual([agentFileName('analyst'), agentFileName('writer')]);
    const analyst = jsonLines(join(state.conversationsDirectory, agentFileName('analyst')));
    const writer = jsonLines(join(state.conversationsDirectory, agentFileName('writer')));
    expect([...analyst, ...writer].map((line) => line.callId).sort()).toEqual([...calls].sort());
    expect(analyst.map((line) => line.purpose)).toEqual(['thinking', 'acting']);
    expect(JSON.stringify(analyst[1]?.request)).toContain('Count the widgets');
    expect(analyst[1]).toMatchObject({ agentId: 'analyst', response: { text: 'The answer is 42.' }, costCents: expect.any(Number) });
  });

  it('stops writing when debug mode is turned off', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const o = scripted(model);
    const state = o.setDebugMode({ enabled: true, saveThinkingTraces: true, logLevel: 'silent' });
    o.spawnAgent({ agentId: 'probe', config: { enableSelfReflection: false, enableExtendedThinking: false } });
    await o.executeTask({ agentId: 'probe', taskDescription: 'first' });
    expect(o.setDebugMode({ enabled: false })).toMatchObject({ enabled: false, saveThinkingTraces: false, breakpointOnError: false });
    await o.executeTask({ agentId: 'probe', taskDescription: 'second' });
    expect(jsonLines(state.thinkingTracesFile)).toHaveLength(1);
  });

  it('keeps prompts but never an API key in conversation files, even one pasted into a task', async () => {
    run = await startSecretRun({ workspacePath });
    run.server.reply(anthropicReply(`Done. ${SECRET_ANSWER}`));
    const state = run.orchestrator.setDebugMode({ enabled: true, logLevel: 'silent', saveAgentConversations: true });
    const result = await run.orchestrator.executeTask({ agentId: 'analyst', taskDescription: `${SECRET_TASK} using key ${SECRET_KEY}` });
    expect(result.status).toBe('succeeded');
    expect(JSON.stringify(run.server.requests[0]?.body)).toContain(SECRET_KEY); // it really went to the model
    const text = readFileSync(join(state.conversationsDirectory, agentFileName('analyst')), 'utf8');
    expect(text).toContain(SECRET_TASK);
    expect(text).toContain(SECRET_PROMPT);
    expect(text).toContain(SECRET_ANSWER);
    expect(text).toContain(`using key ${REDACTED}`);
    expect(text).not.toContain(SECRET_KEY);
  });

  it('names agent files so that no agent id can leave the conversations directory', () => {
    const directory = join(workspacePath, 'debug', 'conversations');
    for (const agentId of ['../../etc/passwd', '..', '.', 'a/b', 'a\\b', '.hidden']) {
      const file = join(directory, agentFileName(agentId));
      expect(dirname(file)).toBe(directory);
      expect(basename(file).startsWith('.')).toBe(false);
    }
    expect(agentFileName('analyst')).toBe('analyst.jsonl');
  });
});

describe('debug log level', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('without a logger option, writes JSON lines to stderr while enabled, and nothing once turned off', async () => {
    const o = scripted(createScriptedProvider({ fallback: () => ({ text: 'ok' }) }));
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      // Only the logger's lines: anything else on stderr (the test runner's) is not ours to check.
      if (String(chunk).startsWith('{"level"')) written.push(String(chunk));
      return true;
    });
    o.setDebugMode({ enabled: true, logLevel: 'INFO' });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'one' }] });
    const lines = written.map((line): unknown => JSON.parse(line));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'workflow finished', workflowId: run.workflowId }));
    expect(lines).not.toContainEqual(expect.objectContaining({ level: 'debug' }));

    written.length = 0;
    o.setDebugMode({ enabled: false });
    await o.executeWorkflow({ tasks: [{ agentId: 'b', taskDescription: 'two' }] });
    expect(written).toEqual([]);
  });

  it('refuses an unknown level with a ConfigError and keeps the current state', () => {
    const o = scripted(createScriptedProvider({ fallback: () => ({ text: 'ok' }) }));
    o.setDebugMode({ enabled: true, logLevel: 'silent', saveThinkingTraces: true });
    // Python's "WARNING" is not a level here: called as plain JavaScript would.
    expect(() => Reflect.apply(o.setDebugMode, o, [{ enabled: true, logLevel: 'WARNING' }])).toThrow(ConfigError);
    expect(o.debugMode).toMatchObject({ enabled: true, logLevel: 'silent', saveThinkingTraces: true });
  });
});

describe('breakpoints on error', () => {
  it('pauses a failing agent where inspectAgent sees it, and resumeAgent retries the failed step', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'plan', thinking: 'Plan: check the ledger.' },
      new Error('acting exploded'),
      { text: 'Recovered answer' },
    );
    const o = scripted(model);
    o.setDebugMode({ enabled: true, logLevel: 'silent', breakpointOnError: true });
    o.spawnAgent(probe);
    const pending = o.executeTask({ agentId: 'probe', taskDescription: 'Reconcile the ledger' });
    await vi.waitFor(() => expect(o.inspectAgent('probe')?.state).toBe('paused'));

    const paused = o.inspectAgent('probe');
    expect(paused).toMatchObject({
      live: true,
      currentTask: expect.stringContaining('probe'),
      thinkingTrace: 'Plan: check the ledger.',
      lastError: { code: 'UNKNOWN', message: 'acting exploded' },
    });
    expect(paused?.costCents).toBeGreaterThanOrEqual(0);
    expect(model.requests).toHaveLength(2);

    expect(o.resumeAgent('probe')).toBe(true);
    const result = await pending;
    expect(result).toMatchObject({ status: 'succeeded', output: 'Recovered answer' });
    expect(model.requests).toHaveLength(3);
    // The retried step is the acting step: same prompt as the failed call.
    expect(model.requests[2]?.messages).toEqual(model.requests[1]?.messages);
    expect(o.inspectAgent('probe')?.state).toBe('done');
    expect(o.resumeAgent('probe')).toBe(false);
  });

  it('abortAgent fails the paused task with the error it stopped at', async () => {
    const model = createScriptedProvider().enqueue({ text: 'plan' }, new Error('acting exploded'));
    const o = scripted(model);
    o.setDebugMode({ enabled: true, logLevel: 'silent', breakpointOnError: true });
    o.spawnAgent(probe);
    const pending = o.executeTask({ agentId: 'probe', taskDescription: 'Reconcile the ledger' });
    await vi.waitFor(() => expect(o.inspectAgent('probe')?.state).toBe('paused'));
    expect(o.abortAgent('probe')).toBe(true);
    const result = await pending;
    expect(result.status).toBe('cancelled');
    expect(result.error?.message).toMatch(/aborted at a breakpoint after UNKNOWN: acting exploded/);
    expect(o.inspectAgent('probe')).toMatchObject({ state: 'failed', lastError: { code: 'CANCELLED' } });
    expect(o.abortAgent('probe')).toBe(false);
    expect(() => o.resumeAgent('nobody')).toThrow(AgentNotFoundError);
  });

  it('applies to agents already live, and turning debug mode off lets failures fail again', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'plan' },
      new Error('first failure'),
      { text: 'answer' },
      { text: 'plan' },
      new Error('second failure'),
    );
    const o = scripted(model);
    o.spawnAgent(probe); // spawned before debug mode: no breakpoint in its input
    o.setDebugMode({ enabled: true, logLevel: 'silent', breakpointOnError: true });
    const first = o.executeTask({ agentId: 'probe', taskDescription: 'one' });
    await vi.waitFor(() => expect(o.inspectAgent('probe')?.state).toBe('paused'));
    o.resumeAgent('probe');
    expect((await first).status).toBe('succeeded');

    o.setDebugMode({ enabled: false });
    const second = await o.executeTask({ agentId: 'probe', taskDescription: 'two' });
    expect(second).toMatchObject({ status: 'failed', error: { message: 'second failure' } });
  });
});

describe('inspectAgent', () => {
  it('reads a live agent from its actor: memory grows with an observation no task reply reported', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'noted' }) });
    const o = scripted(model);
    o.spawnAgent({ agentId: 'probe', config: { enableSelfReflection: false, enableExtendedThinking: false } });
    await o.executeTask({ agentId: 'probe', taskDescription: 'Remember the launch date' });
    const before = o.inspectAgent('probe');
    expect(before).toMatchObject({ state: 'done', live: true, tasksCompleted: 1, currentTask: null, lastError: null });
    expect(before?.memoryTokens).toBeGreaterThan(0);

    o.subscribe({ agentId: 'probe', eventTypes: ['news'] });
    await o.broadcast({ fromAgent: 'desk', eventType: 'news', data: { headline: 'The launch moved to a much later date than planned' } });
    await vi.waitFor(() => expect(o.inspectAgent('probe')?.memoryTokens).toBeGreaterThan(before?.memoryTokens ?? 0));

    o.stopAgent('probe');
    expect(o.inspectAgent('probe')).toMatchObject({ state: 'stopped', live: false, tasksCompleted: 1 });
  });
});
