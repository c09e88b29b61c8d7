/**
 * What the Stately inspector receives is usable: every machine definition
 * (supervisor, context actor, workflow, each agent) rebuilds with XState's
 * `createMachine` into the same states as the real machine, values in it are
 * still redacted, and every event arrives under an actor the inspector was
 * told about (including the agent pool's inbox, which agents reply to).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebSocketReceiver } from '@statelyai/inspect';
import { createMachine } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { startInspectorRelay } from '../../src/index.js';
import type { InspectorRelay } from '../../src/index.js';
import { redactMachineConfig } from '../../src/observability/index.js';
import { createRedactor, REDACTED } from '../../src/index.js';
import type { StatelyInspectionEvent } from '../../src/index.js';
import { anthropicReply, secretsIn, secretTasks, startSecretRun } from '../support/secret-run.js';
import type { SecretRun } from '../support/secret-run.js';

let relay: InspectorRelay | undefined;
let run: SecretRun | undefined;
afterEach(async () => {
  await run?.orchestrator.shutdown();
  await run?.server.close();
  await relay?.stop();
  run = undefined;
  relay = undefined;
});

interface StateNodeLike {
  readonly id: string;
  readonly states: Record<string, StateNodeLike>;
}

/** Every state node id of a machine, depth first. */
function stateIds(node: StateNodeLike): string[] {
  return [node.id, ...Object.values(node.states).flatMap(stateIds)];
}

function isMachine(logic: unknown): logic is AnyStateMachine {
  return typeof logic === 'object' && logic !== null && 'root' in logic && 'config' in logic;
}

describe('machine definitions sent to the Stately inspector', () => {
  it('rebuild with createMachine into the real machines, for every actor, and every event names an announced actor', async () => {
    relay = await startInspectorRelay();
    const received: StatelyInspectionEvent[] = [];
    const raw: string[] = [];
    createWebSocketReceiver({ server: relay.wsUrl }).subscribe((event) => {
      received.push(event);
      raw.push(JSON.stringify(event));
    });
    run = await startSecretRun({ inspect: relay.inspect, enableSharedContext: true, sharedContext: { storage: 'memory' } });
    const orchestrator = run.orchestrator;
    const agentLogic = new Map<string, unknown>();
    orchestrator.events.on('agent.spawned', ({ agentId }) => agentLogic.set(agentId, orchestrator.actor.system.get(`agent:${agentId}`)?.logic));
    run.server.reply(anthropicReply(), anthropicReply());
    const result = await run.orchestrator.executeWorkflow({ tasks: secretTasks });
    expect(result.status).toBe('succeeded');
    const workflowId = result.workflowId;
    const workflowSession = () => received.find((event) => event.type === '@xstate.actor' && event.name === workflowId)?.sessionId;
    await vi.waitFor(
      () =>
        expect(
          received.some(
            (event) =>
              event.type === '@xstate.snapshot' && event.sessionId === workflowSession() && JSON.stringify(Reflect.get(event.snapshot, 'value')) === '"finished"',
          ),
        ).toBe(true),
      { timeout: 10_000 },
    );

    const actors = received.filter((event) => event.type === '@xstate.actor');
    const names = actors.map((event) => event.name);
    expect(names).toEqual(expect.arrayContaining(['supervisor', 'context', workflowId, 'analyst', 'reviewer', 'agent-pool-inbox']));

    // Each machine definition rebuilds, into the same state tree as the machine that ran.
    const rebuilt = new Map<string, AnyStateMachine>();
    for (const actor of actors) {
      if (actor.definition === undefined) continue;
      // Non-machine actors (callbacks, promises) are sent as `{ id }`, which rebuilds too.
      const definition = actor.definition;
      expect(() => rebuilt.set(actor.name, createMachine(JSON.parse(definition)))).not.toThrow();
    }
    expect([...rebuilt.keys()]).toEqual(expect.arrayContaining(['supervisor', 'context', workflowId, 'analyst', 'reviewer', 'agent-pool-inbox']));
    const live = {
      analyst: agentLogic.get('analyst'),
      supervisor: run.orchestrator.actor.logic,
    };
    for (const [name, logic] of Object.entries(live)) {
      if (!isMachine(logic)) throw new Error(`no machine for ${name}`);
      const machine = rebuilt.get(name);
      expect(machine).toBeDefined();
      if (machine) expect(stateIds(machine.root).sort()).toEqual(stateIds(logic.root).sort());
    }

    // Every event's target was announced: no event under an unknown session.
    const announced = new Set(actors.map((event) => event.sessionId));
    const orphans = received.filter((event) => event.type === '@xstate.event' && !announced.has(event.sessionId));
    expect(orphans.map((event) => (event.type === '@xstate.event' ? event.event.type : event.type))).toEqual([]);
    expect(received.some((event) => event.type === '@xstate.event' && event.sessionId === actors.find((actor) => actor.name === 'agent-pool-inbox')?.sessionId)).toBe(
      true,
    );
    // ...and still nothing secret anywhere.
    expect(raw.flatMap(secretsIn)).toEqual([]);
  });
});

describe('redactMachineConfig', () => {
  it('keeps state names, ids, events, targets and action types, and redacts context, input and params', () => {
    const redactor = createRedactor({ secrets: ['sk-definition-secret-123456'] });
    const config = {
      id: 'agent',
      initial: 'thinking',
      context: { task: 'secret plan', attempts: 2 },
      states: {
        thinking: {
          on: { text: { target: 'summary', actions: [{ type: 'record', params: { prompt: 'secret prompt' } }] } },
          invoke: { src: 'model', input: { messages: ['secret message'] } },
        },
        summary: { states: { data: {}, decision: {} }, initial: 'data' },
        content: { description: 'uses sk-definition-secret-123456', type: 'final' },
      },
    };
    const redacted = redactMachineConfig(redactor, config);
    expect(redacted).toEqual({
      id: 'agent',
      initial: 'thinking',
      context: { task: REDACTED, attempts: 2 },
      states: {
        thinking: {
          on: { text: { target: 'summary', actions: [{ type: 'record', params: { prompt: REDACTED } }] } },
          invoke: { src: 'model', input: { messages: [REDACTED] } },
        },
        summary: { states: { data: {}, decision: {} }, initial: 'data' },
        content: { description: `uses ${REDACTED}`, type: 'final' },
      },
    });
    expect(() => createMachine(JSON.parse(JSON.stringify(redacted)))).not.toThrow();
  });
});
