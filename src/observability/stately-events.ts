/**
 * The shape of the events the Stately inspector receives (the wire format of
 * @statelyai/inspect), declared here so that troupe's published types do not
 * depend on that package's declarations, which pull in the DOM library.
 * They are structurally the same as its `StatelyInspectionEvent`.
 */
import type { AnyEventObject, Snapshot } from 'xstate';

/** Fields every Stately inspection event carries. */
export interface StatelyEventBase {
  readonly rootId: string | undefined;
  readonly sessionId: string;
  readonly createdAt: string;
  readonly id: string;
  readonly _version: string;
}

/** An actor's new snapshot and the event that produced it. */
export interface StatelySnapshotEvent extends StatelyEventBase {
  readonly type: '@xstate.snapshot';
  readonly rootId: string;
  readonly event: AnyEventObject;
  readonly snapshot: Snapshot<unknown>;
}

/** An event sent to an actor (`sourceId`: the sender's session, if any). */
export interface StatelyEventEvent extends StatelyEventBase {
  readonly type: '@xstate.event';
  readonly rootId: string;
  readonly event: AnyEventObject;
  readonly sourceId: string | undefined;
}

/** The snapshot an inspector shows for a newly registered actor. */
export interface StatelyInspectedSnapshot {
  readonly status?: Snapshot<unknown>['status'];
  readonly context?: unknown;
  readonly value?: unknown;
  readonly output?: unknown;
}

/** A newly registered actor: its name, first snapshot and (for machines) the JSON of its definition. */
export interface StatelyActorEvent extends StatelyEventBase {
  readonly type: '@xstate.actor';
  readonly name: string;
  readonly snapshot: StatelyInspectedSnapshot;
  readonly definition: string | undefined;
  readonly parentId: string | undefined;
}

/** Any event the Stately inspector receives. */
export type StatelyInspectionEvent = StatelySnapshotEvent | StatelyEventEvent | StatelyActorEvent;
