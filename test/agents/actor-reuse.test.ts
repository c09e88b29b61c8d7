import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup } from 'xstate';
import type { ActorRefLike, AnyActorRef, InspectionEvent } from 'xstate';
import { Orchestrator, locateAgent, messageText } from '../../src/index.js';
import type { AgentTask, OrchestratorConfig } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider } from '../../src/testing.js';
import { agentOf } from '../support/requests.js';

/** Reaches the pool the way a workflow task does: ephemeral spawns, runs, releases. */
class ReuseOrchestrator extends Orchestrator {
  spawnEphemeral(agentId: string, agentType?: string): boolean {
    return this.runtime.pool.spawn({ agentId, template: 'plain', ephemeral: true, ...(agentType ? { agentType } : {}) }).live;
  }
  release(agentId: string): void {
    this.runtime.pool.stop(agentId);
  }
  runOn(agentId: string, task: AgentTask) {
    return this.runtime.pool.run(agentId, task);
  }
  deliverRaw(agentId: string, data: unknown): void {
    this.runtime.pool.deliver(agentId, { type: 'agent.broadcast', fromAgent: 'test', eventType: 'boom', data });
  }
  closePool(): void {
    this.runtime.pool.close();
  }
}

/**
 * Agent actors inspection's `@xstate.actor` events announce, kept by the
 * systemId the actor gets (read later: it is set after the event).
 */
function inspectedAgents(): { inspect: (event: InspectionEvent) => void; agents: () => ActorRefLike[] } {
  const created: ActorRefLike[] = [];
  const systemIdOf = (ref: ActorRefLike): string => ('systemId' in ref && typeof ref.systemId === 'string' ? ref.systemId : '');
  return {
    agents: () => created.filter((ref) => systemIdOf(ref).startsWith('agent')),
    inspect: (event) => {
      if (event.type === '@xstate.actor') created.push(event.actorRef);
    },
  };
}

/** Answers each agent with `<agent> answers`, so outputs never echo a task's text. */
function model(): ScriptedProvider {
  return createScriptedProvider({ fallback: (request) => ({ text: `${agentOf(request)} answers` }) });
}

const opened: Orchestrator[] = [];

/** An orchestrator, and the distinct actors its agents were given, in order (each found by its agent id as it spawns). */
function orchestrator(provider: ScriptedProvider, config: OrchestratorConfig = {}) {
  const o = new ReuseOrchestrator({ provider, enableThinkingAgents: false, journal: false, ...config });
  o.registerTemplate('plain', { enableSelfReflection: false });
  opened.push(o);
  const actors: AnyActorRef[] = [];
  o.events.on('agent.spawned', ({ agentId }) => {
    const ref = locateAgent(o.actor.system, agentId);
    if (ref && !actors.includes(ref)) actors.push(ref);
  });
  return { o, agents: () => actors };
}

function sessionOf(ref: ActorRefLike | undefined): string | undefined {
  return ref?.sessionId;
}

function contextAgentId(ref: ActorRefLike | undefined): unknown {
  const snapshot: unknown = ref?.getSnapshot();
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot)) return undefined;
  const context: unknown = snapshot.context;
  return typeof context === 'object' && context !== null && 'agentId' in context ? context.agentId : undefined;
}

function status(ref: ActorRefLike | undefined): unknown {
  return ref?.getSnapshot().status;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.shutdown()));
});

describe('agent actor reuse', () => {
  it('runs a chain of workflow tasks on one actor, each under its own id, each starting with empty memory', async () => {
    const provider = model();
    const { o, agents } = orchestrator(provider, { maxParallelAgents: 1 });
    const ids = ['alpha', 'beta', 'gamma', 'delta'];
    const run = await o.executeWorkflow({
      tasks: ids.map((agentId, i) => ({
        agentId,
        template: 'plain',
        taskDescription: `TASK-OF-${agentId}`,
        ...(i > 0 ? { dependencies: [ids[i - 1] ?? ''] } : {}),
      })),
    });
    for (const agentId of ids) {
      expect(run.results[agentId]?.status).toBe('succeeded');
      expect(run.results[agentId]?.agentId).toBe(agentId);
      expect(run.results[agentId]?.output).toBe(`${agentId} answers`);
    }
    expect(agents()).toHaveLength(1);
    expect(provider.requests.map(agentOf)).toEqual(ids);
    // No request carries an earlier agent's task: each reused actor's memory started empty.
    provider.requests.forEach((request, i) => {
      const prompt = request.messages.map(messageText).join('\n');
      for (const earlier of ids.slice(0, i)) expect(prompt).not.toContain(`TASK-OF-${earlier}`);
    });
    expect(o.inspectAgent('delta')).toMatchObject({ live: false, tasksCompleted: 1 });
    // Parked, the actor holds nothing of the last agent: no task, run or memory.
    const cleared = agents()[0]?.getSnapshot();
    expect(cleared?.value).toBe('idle');
    expect(cleared?.context).toMatchObject({ task: null, memory: { messages: [] }, tasksCompleted: 0, replyTo: undefined });
  });

  it('gives a reused actor the new identity: lookups, status, consultation and broadcast reach it by its new id only', async () => {
    const provider = model();
    const { o, agents } = orchestrator(provider, { enableCrossAgentQueries: true });
    o.spawnAgent({ agentId: 'asker', template: 'plain' });
    expect(o.spawnEphemeral('first')).toBe(true);
    await expect(o.runOn('first', { taskId: 't1', task: 'FIRST-TASK' })).resolves.toMatchObject({ ok: true });
    o.release('first');
    expect(o.spawnEphemeral('second')).toBe(true);
    expect(agents()).toHaveLength(2); // asker and the one ephemeral actor

    const actor = locateAgent(o.actor.system, 'second');
    expect(sessionOf(actor)).toBe(sessionOf(agents()[1]));
    expect(contextAgentId(actor)).toBe('second');
    expect(locateAgent(o.actor.system, 'first')).toBeUndefined();
    expect(o.inspectAgent('second')).toMatchObject({ live: true, state: 'idle', memoryTokens: 0, tasksCompleted: 0 });
    expect(o.inspectAgent('first')).toMatchObject({ live: false, state: 'stopped', tasksCompleted: 1 });

    const reply = await o.routeMessage({ fromAgent: 'asker', toAgent: 'second', message: 'Who answers?' });
    expect(reply).toMatchObject({ agentId: 'second', answer: 'second answers' });
    await expect(o.routeMessage({ fromAgent: 'asker', toAgent: 'first', message: 'Still there?' })).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });

    o.subscribe({ agentId: 'second', eventTypes: ['news'] });
    const report = await o.broadcast({ fromAgent: 'asker', eventType: 'news', data: 'NEWS-ITEM' });
    expect(report.recipients).toEqual(['second']);
    const outcome = await o.runOn('second', { taskId: 't2', task: 'SECOND-TASK' });
    expect(outcome).toMatchObject({ ok: true, result: { output: 'second answers' } });
    const last = provider.requests.at(-1);
    const prompt = last ? last.messages.map(messageText).join('\n') + JSON.stringify(last.system) : '';
    expect(prompt).toContain('NEWS-ITEM');
    expect(prompt).not.toContain('FIRST-TASK');
  });

  it('gives an id spawned again its parked actor back, with the memory it kept', async () => {
    const { o, agents } = orchestrator(model());
    o.spawnEphemeral('same');
    await o.runOn('same', { taskId: 't1', task: 'REMEMBER-ME' });
    o.release('same');
    o.spawnEphemeral('same');
    expect(agents()).toHaveLength(1);
    expect(sessionOf(o.actor.system.get('agent:same'))).toBe(sessionOf(agents()[0]));
    expect(sessionOf(locateAgent(o.actor.system, 'same'))).toBe(sessionOf(agents()[0]));
    expect(o.inspectAgent('same')?.memoryTokens).toBeGreaterThan(0);
  });

  it('gives an id whose systemId a reused actor holds a fresh actor under another systemId', async () => {
    const provider = model();
    const { o, agents } = orchestrator(provider);
    o.spawnEphemeral('a');
    o.release('a');
    o.spawnEphemeral('b'); // takes the actor registered as agent:a
    o.spawnEphemeral('a'); // nothing parked: a new actor, which cannot be agent:a
    expect(agents()).toHaveLength(2);
    expect(contextAgentId(locateAgent(o.actor.system, 'a'))).toBe('a');
    expect(contextAgentId(locateAgent(o.actor.system, 'b'))).toBe('b');
    await expect(o.runOn('a', { taskId: 'ta', task: 'x' })).resolves.toMatchObject({ ok: true, result: { output: 'a answers' } });
    await expect(o.runOn('b', { taskId: 'tb', task: 'y' })).resolves.toMatchObject({ ok: true, result: { output: 'b answers' } });
    o.release('a');
    o.release('b');
    expect(locateAgent(o.actor.system, 'a')).toBeUndefined();
    expect(locateAgent(o.actor.system, 'b')).toBeUndefined();
    o.closePool();
    expect(agents().map(status)).toEqual(['stopped', 'stopped']);
  });

  it('reports a reused actor that crashes under the agent it served, and never hands it out again', async () => {
    const { o } = orchestrator(model());
    const crashes: string[] = [];
    o.events.on('agent.crashed', ({ agentId }) => crashes.push(agentId));
    o.spawnEphemeral('one');
    const actor = locateAgent(o.actor.system, 'one');
    o.release('one');
    o.spawnEphemeral('two');
    expect(locateAgent(o.actor.system, 'two')).toBe(actor);
    // Data that cannot be rendered makes the agent's own action throw: the actor crashes.
    const bomb = { toJSON: () => { throw new Error('no JSON'); }, toString: () => { throw new Error('no text'); } };
    o.deliverRaw('two', bomb);
    expect(crashes).toEqual(['two']);
    expect(status(actor)).toBe('error');
    expect(o.inspectAgent('two')?.live).toBe(false);
    expect(o.inspectAgent('one')?.lastError).toBeNull();
    o.release('two');
    expect(o.spawnEphemeral('three')).toBe(true);
    const fresh = locateAgent(o.actor.system, 'three');
    expect(fresh).not.toBe(actor);
    expect(status(fresh)).toBe('active');
    await expect(o.runOn('three', { taskId: 't3', task: 'z' })).resolves.toMatchObject({ ok: true, result: { output: 'three answers' } });
  });

  it('gives a reused actor the debug mode set while it was parked', async () => {
    const workspacePath = mkdtempSync(join(tmpdir(), 'troupe-reuse-'));
    const { o, agents } = orchestrator(model(), { workspacePath });
    o.spawnEphemeral('d1');
    o.release('d1');
    o.setDebugMode({ enabled: true, logLevel: 'silent', breakpointOnError: true });
    o.spawnEphemeral('d2');
    expect(agents()).toHaveLength(1);
    expect(agents()[0]?.getSnapshot().context).toMatchObject({ agentId: 'd2', breakpointOnError: true });
    await o.shutdown();
    rmSync(workspacePath, { recursive: true, force: true });
  });

  it('stops, never parks, an actor still answering a consultation', async () => {
    let answer: (text: string) => void = () => undefined;
    const provider = createScriptedProvider({
      fallback: (request) =>
        agentOf(request) === 'busy' ? new Promise((resolve) => (answer = (text) => resolve({ text }))) : { text: 'ok' },
    });
    const { o, agents } = orchestrator(provider, { enableCrossAgentQueries: true });
    o.spawnAgent({ agentId: 'asker', template: 'plain' });
    o.spawnEphemeral('busy');
    const reply = o.routeMessage({ fromAgent: 'asker', toAgent: 'busy', message: 'Still thinking?' });
    await vi.waitFor(() => expect(provider.pending).toBe(1));
    o.release('busy');
    await expect(reply).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(status(agents()[1])).toBe('stopped');
    o.spawnEphemeral('next');
    expect(agents()).toHaveLength(3);
    answer('too late');
  });

  it('never reuses the actors of custom agent types or of explicitly spawned agents', async () => {
    const { o, agents } = orchestrator(model());
    o.registerAgentType('echo', setup({}).createMachine({ id: 'echo' }));
    o.spawnEphemeral('custom', 'echo');
    o.release('custom');
    expect(status(agents()[0])).toBe('stopped');
    o.spawnAgent({ agentId: 'explicit', template: 'plain' });
    o.stopAgent('explicit');
    expect(status(agents()[1])).toBe('stopped');
    o.spawnEphemeral('next');
    expect(agents()).toHaveLength(3);
  });

  it('gives every agent an actor of its own under an inspector, which names each by its agent id', async () => {
    const inspected = inspectedAgents();
    const { o, agents } = orchestrator(model(), { maxParallelAgents: 1, inspect: inspected.inspect });
    const run = await o.executeWorkflow({
      tasks: [
        { agentId: 'one', template: 'plain', taskDescription: 'first' },
        { agentId: 'two', template: 'plain', taskDescription: 'second', dependencies: ['one'] },
      ],
    });
    expect(run.status).toBe('succeeded');
    expect(agents()).toHaveLength(2);
    expect(inspected.agents().map((ref) => ('id' in ref ? ref.id : undefined))).toEqual(['one', 'two']);
    expect(inspected.agents().map(status)).toEqual(['stopped', 'stopped']);
  });

  it('keeps at most maxParallelAgents parked actors and stops them when the pool closes', async () => {
    const { o, agents } = orchestrator(model(), { maxParallelAgents: 2 });
    for (const agentId of ['p1', 'p2', 'p3']) o.spawnEphemeral(agentId);
    for (const agentId of ['p1', 'p2', 'p3']) o.release(agentId);
    expect(agents().map(status)).toEqual(['active', 'active', 'stopped']);
    o.closePool();
    expect(agents().map(status)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(status(o.actor)).toBe('active');
  });
});
