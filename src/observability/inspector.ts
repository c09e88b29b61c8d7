/**
 * Watching a running system in the Stately inspector: a local relay on
 * 127.0.0.1 and an inspection observer that sends it every actor, event and
 * snapshot, with prompts and keys redacted before they leave the process.
 */
import type { AnyEventObject, InspectionEvent, MachineContext, Observer } from 'xstate';
import { createRedactor, redactEvent, redactRecord, redactSnapshot } from '../util/sanitize.js';
import type { Redactor } from '../util/sanitize.js';
import type { StatelyInspectionEvent } from './stately-events.js';
import { redactDefinition } from './redact-definition.js';
import { startWebSocketRelay } from './inspector-relay.js';
import { loadWs } from './load-ws.js';
import { RelaySocket } from './relay-socket.js';
import { loadOnce } from '../util/load-once.js';

/** Inspection events held while the observer's socket opens (it opens within milliseconds, on loopback). */
const WAITING_EVENTS = 1000;

/** `@statelyai/inspect` is loaded when the first relay starts, not when troupe is imported. */
const loadInspect = loadOnce(() => import('@statelyai/inspect'));

/** The Stately inspector UI the relay page embeds. */
export const STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

export interface InspectorRelayOptions {
  /** Port of the relay (page and WebSocket) on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The inspector UI to embed. Default {@link STATELY_INSPECTOR_URL}. */
  readonly inspectorUrl?: string;
  /** Secret values to cut out of every string, besides `ANTHROPIC_API_KEY` and `OPENAI_API_KEY` from the environment. */
  readonly secrets?: readonly string[];
  /** Inspection messages replayed to an inspector opened late. Default 1000. */
  readonly replayBufferSize?: number;
  /** Total bytes of the inspection messages kept for replay (oldest dropped first). Default 8 MiB. */
  readonly replayBufferBytes?: number;
}

export interface InspectorRelay {
  /** The observer to pass as `new Orchestrator({ inspect })` (or to any `createActor`). */
  readonly inspect: Observer<InspectionEvent>;
  /** What to open in a browser: a page on the relay that embeds the Stately inspector and feeds it the events. */
  readonly url: string;
  /** The relay's WebSocket address (for `createWebSocketReceiver({ server })` or other tools). */
  readonly wsUrl: string;
  /** Disconnects the observer and stops the relay. */
  stop(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes text for an HTML attribute or a `<script>` string literal. */
function htmlSafe(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The bridge page: the inspector in an iframe, fed the relayed events by postMessage. */
function bridgePage(inspectorUrl: string): (wsUrl: string) => string {
  return (wsUrl) => `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>troupe · Stately Inspector</title>
  <style>* { margin: 0; padding: 0; } html, body { height: 100%; } iframe { width: 100%; height: 100%; border: none; }</style>
</head>
<body>
  <iframe id="inspector" src="${htmlSafe(inspectorUrl)}"></iframe>
  <script>
    const iframe = document.getElementById('inspector');
    const buffer = [];
    let connected = false;
    window.addEventListener('message', (event) => {
      if (event.data && event.data.type === '@statelyai.connected') {
        connected = true;
        for (const data of buffer) iframe.contentWindow.postMessage(data, '*');
        buffer.length = 0;
      }
    });
    const socket = new WebSocket(${JSON.stringify(wsUrl).replace(/</g, '\\u003c')});
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (connected) iframe.contentWindow.postMessage(data, '*');
      else buffer.push(data);
    };
  </script>
</body>
</html>`;
}

/** A Stately inspection event with every snapshot's data, every event and every machine definition redacted. */
export function redactStatelyEvent(redactor: Redactor, event: StatelyInspectionEvent): StatelyInspectionEvent {
  switch (event.type) {
    case '@xstate.actor':
      return {
        ...event,
        snapshot: redactSnapshot(redactor, event.snapshot),
        ...(event.definition === undefined ? {} : { definition: redactDefinition(redactor, event.definition) }),
      };
    case '@xstate.snapshot':
      return { ...event, snapshot: redactSnapshot(redactor, event.snapshot), event: redactEvent(redactor, event.event) };
    case '@xstate.event':
      return redactRecord(redactor, event, ['event'], (_key, value) => (isEventObject(value) ? redactEvent(redactor, value) : value));
  }
}

function isEventObject(value: unknown): value is AnyEventObject {
  return isRecord(value) && typeof value.type === 'string';
}

/**
 * Starts the relay and an inspection observer connected to it.
 *
 * @example
 * ```ts
 * const relay = await startInspectorRelay({ port: 8080 });
 * const orchestrator = new Orchestrator({ inspect: relay.inspect });
 * console.log(`Open ${relay.url} to watch the actors`);
 * // ...
 * await orchestrator.shutdown();
 * await relay.stop();
 * ```
 */
export async function startInspectorRelay(options: InspectorRelayOptions = {}): Promise<InspectorRelay> {
  const [{ createInspector }, { WebSocket }] = await Promise.all([loadInspect(), loadWs()]);
  const relay = await startWebSocketRelay({
    port: options.port ?? 0,
    page: bridgePage(options.inspectorUrl ?? STATELY_INSPECTOR_URL),
    ...(options.replayBufferSize === undefined ? {} : { replayBufferSize: options.replayBufferSize }),
    ...(options.replayBufferBytes === undefined ? {} : { replayBufferBytes: options.replayBufferBytes }),
  });
  const redactor = createRedactor({
    secrets: [...(options.secrets ?? []), process.env.ANTHROPIC_API_KEY, process.env.OPENAI_API_KEY],
  });
  const inspector = createInspector(new RelaySocket(relay.wsUrl, WebSocket, WAITING_EVENTS), {
    sanitizeContext: (context: MachineContext): MachineContext => {
      const redacted = redactor.redact(context);
      return isRecord(redacted) ? redacted : {};
    },
    sanitizeEvent: (event) => redactEvent(redactor, event),
    // The sanitize options cover contexts and events; this covers the rest of
    // a snapshot (a promise actor's input and output, errors) and the machine
    // definitions, and leaves plain data that serializes as JSON.
    serialize: (event) => redactStatelyEvent(redactor, event),
  });
  inspector.start();
  let stopped = false;
  return {
    // Once stopped, events an orchestrator still sends cost nothing (the adapter would convert, redact and queue each).
    inspect: {
      next: (event) => {
        if (!stopped) inspector.inspect.next?.(event);
      },
    },
    url: relay.url,
    wsUrl: relay.wsUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      inspector.stop();
      await relay.close();
    },
  };
}
