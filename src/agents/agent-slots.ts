/**
 * Actor reuse for ephemeral agents. A workflow task spawns an agent for the
 * task and stops it when the task ends; spawning and stopping an actor (its
 * creation, registration, the shard's children map, inspection events) cost
 * more than the task's own events. So when an ephemeral built-in agent is
 * released idle, its actor is parked instead of stopped (its context
 * emptied), and the next
 * ephemeral spawn takes a parked actor and gives it the new agent's identity
 * with `agent.reassign` (context from the new input: id, config, tools, and
 * the new agent's memory, empty for a new id).
 *
 * Identity stays exact for every lookup by agent id: a reused actor keeps the
 * systemId of the agent it was spawned for (XState fixes it at spawn), and
 * the system's agent directory (actors/agent-directory.ts) maps the agent it
 * serves now to it and hides it from its first systemId. The Stately
 * inspector shows an actor under its first id; its snapshot's context names
 * the agent it serves.
 *
 * Custom agent types and explicitly spawned agents are never reused.
 */
import type { Actor, AnyActorRef } from 'xstate';
import type { SupervisorMachine } from '../actors/supervisor.js';
import type { SpawnAgentEvent, StopAgentEvent } from '../actors/supervisor-events.js';
import { actorSystemId, agentDirectory } from '../actors/agent-directory.js';
import type { AgentDirectory } from '../actors/agent-directory.js';
import type { AgentMachineInput, AgentReassignEvent } from '../actors/agent/types.js';
import { EMPTY_MEMORY } from '../protocols/agent.js';
import { spawnAgentActor, stopAgentActor } from './direct-route.js';

/** An agent actor whose identity this pool tracks. */
interface Slot {
  readonly ref: AnyActorRef;
  /** The agent it was spawned for: its shard, and its systemId unless `actorId` is set. */
  readonly homeId: string;
  readonly actorId: string | undefined;
  /** The agent it serves now; null while parked. */
  agentId: string | null;
  /** An ephemeral built-in agent's actor, which may be parked and reused. */
  readonly reusable: boolean;
  /** What it was last given (spawn or reassign); undefined once parked and cleared. */
  input: AgentMachineInput | undefined;
}

/** Parked actors kept when the pool is not told a bound. */
export const DEFAULT_MAX_PARKED_AGENTS = 64;

/** States of the built-in agent in which it holds no task. */
const IDLE_STATES: ReadonlySet<unknown> = new Set(['idle', 'done', 'failed']);

/** Whether the actor is live, between tasks, and answering no consultation: safe to hand to another agent. */
function idle(ref: AnyActorRef): boolean {
  const snapshot: unknown = ref.getSnapshot();
  if (typeof snapshot !== 'object' || snapshot === null || !('status' in snapshot) || snapshot.status !== 'active') return false;
  if (!('value' in snapshot) || !IDLE_STATES.has(snapshot.value) || !('context' in snapshot)) return false;
  const context: unknown = snapshot.context;
  if (typeof context !== 'object' || context === null || !('consultations' in context)) return false;
  const consultations: unknown = context.consultations;
  return typeof consultations === 'object' && consultations !== null && Object.keys(consultations).length === 0;
}

export class AgentSlots {
  readonly #supervisor: Actor<SupervisorMachine>;
  readonly #maxParked: number;
  readonly #directory: AgentDirectory;
  /** Slots by the agent they serve. */
  readonly #byAgent = new Map<string, Slot>();
  /** Slots that hold `agent:<homeId>`, by home id (a fresh actor for that id cannot take it). */
  readonly #byHome = new Map<string, Slot>();
  /** Parked slots, the most recently parked last. */
  #parked: Slot[] = [];
  #alternates = 0;
  #reuses = 0;

  constructor(supervisor: Actor<SupervisorMachine>, maxParked: number) {
    this.#supervisor = supervisor;
    this.#maxParked = maxParked;
    this.#directory = agentDirectory(supervisor.system);
  }

  /** Parked actors now. */
  get parked(): number {
    return this.#parked.length;
  }

  /** Spawns that took a parked actor, since the pool started. */
  get reuses(): number {
    return this.#reuses;
  }

  /**
   * Gives `event.agentId` an actor: a parked one when `reusable`, else a new
   * one (under another systemId when its own is held by a reused actor).
   * Returns the actor, or undefined when none could be spawned.
   */
  spawn(event: SpawnAgentEvent, reusable: boolean): AnyActorRef | undefined {
    const { agentId } = event;
    const holder = this.#byHome.get(agentId);
    if (reusable) {
      // The parked actor spawned for this very id first: it then serves under its own systemId.
      const slot = holder?.agentId === null ? holder : this.#parked.at(-1);
      if (slot) {
        this.#unpark(slot);
        if (slot.ref.getSnapshot().status === 'active') return this.#reassign(slot, event);
        this.#forget(slot);
      }
    }
    if (holder?.agentId === null) this.#stop(holder);
    const actorId = holder?.agentId ? `${agentId}~${++this.#alternates}` : undefined;
    const spawn: SpawnAgentEvent = actorId === undefined ? event : { ...event, actorId };
    spawnAgentActor(this.#supervisor, spawn);
    const ref: AnyActorRef | undefined = this.#supervisor.system.get(actorSystemId(spawn));
    if (!ref) return undefined;
    if (!reusable && actorId === undefined) return ref;
    const slot: Slot = { ref, homeId: agentId, actorId, agentId, reusable, input: event.input };
    this.#byAgent.set(agentId, slot);
    if (actorId === undefined) this.#byHome.set(agentId, slot);
    else this.#directory.aliases.set(agentId, ref);
    return ref;
  }

  /**
   * The agent no longer needs its actor: a reusable idle one is parked (while
   * fewer than the bound are), any other stopped.
   */
  release(agentId: string): void {
    const slot = this.#byAgent.get(agentId);
    if (!slot) {
      const stop: StopAgentEvent = { type: 'supervisor.stop', agentId };
      stopAgentActor(this.#supervisor, stop);
      return;
    }
    this.#vacate(slot);
    if (slot.reusable && this.#parked.length < this.#maxParked && idle(slot.ref)) {
      this.#parked.push(slot);
      this.#clear(slot);
      return;
    }
    this.#stop(slot);
  }

  /** The agent's actor crashed (the shard has stopped it): forget its slot. */
  crashed(agentId: string): void {
    const slot = this.#byAgent.get(agentId);
    if (!slot || slot.ref.getSnapshot().status === 'active') return;
    this.#vacate(slot);
    this.#forget(slot);
  }

  /** Stops every parked actor. */
  close(): void {
    const parked = this.#parked;
    this.#parked = [];
    for (const slot of parked) this.#stop(slot);
  }

  #reassign(slot: Slot, event: SpawnAgentEvent): AnyActorRef {
    const { agentId } = event;
    slot.agentId = agentId;
    slot.input = event.input;
    this.#byAgent.set(agentId, slot);
    if (slot.homeId === agentId && slot.actorId === undefined) this.#directory.vacated.delete(slot.ref);
    else this.#directory.aliases.set(agentId, slot.ref);
    const reassign: AgentReassignEvent = { type: 'agent.reassign', input: event.input };
    slot.ref.send(reassign);
    this.#reuses++;
    return slot.ref;
  }

  /**
   * Gives a parked actor an empty context (no last task, run or memory): a
   * parked actor then holds nothing of the agent it served (a reduce task's
   * prompt can be large). One event per park.
   */
  #clear(slot: Slot): void {
    if (!slot.input) return;
    const clear: AgentReassignEvent = { type: 'agent.reassign', input: { ...slot.input, memory: EMPTY_MEMORY } };
    slot.input = undefined;
    slot.ref.send(clear);
  }

  /** The slot serves no agent any more: lookups of that agent no longer find it. */
  #vacate(slot: Slot): void {
    if (slot.agentId === null) return;
    this.#byAgent.delete(slot.agentId);
    if (this.#directory.aliases.get(slot.agentId) === slot.ref) this.#directory.aliases.delete(slot.agentId);
    this.#directory.vacated.add(slot.ref);
    slot.agentId = null;
  }

  #unpark(slot: Slot): void {
    const index = this.#parked.lastIndexOf(slot);
    if (index >= 0) this.#parked.splice(index, 1);
  }

  #stop(slot: Slot): void {
    this.#unpark(slot);
    this.#forget(slot);
    const stop: StopAgentEvent = {
      type: 'supervisor.stop',
      agentId: slot.homeId,
      ...(slot.actorId === undefined ? {} : { actorId: slot.actorId }),
    };
    stopAgentActor(this.#supervisor, stop);
  }

  #forget(slot: Slot): void {
    if (this.#byHome.get(slot.homeId) === slot) this.#byHome.delete(slot.homeId);
    if (slot.agentId !== null && this.#byAgent.get(slot.agentId) === slot) this.#byAgent.delete(slot.agentId);
  }
}
