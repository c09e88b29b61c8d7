/**
 * Redaction of prompts and keys from whatever leaves the process for
 * observation: inspection events, logs, traces and debug files.
 *
 * Two rules, both by the name of the field a value sits under:
 * - secrets (`apiKey`, `authorization`, `x-api-key`, `password`, `*Secret`,
 *   `*SecretKey`, `*Token` (singular), `credentials`...) are always replaced, and known secret values
 *   (the configured API keys) are cut out of every string;
 * - content (message contents, system prompts, task text, tool inputs, model
 *   text and thinking, outputs, memories, broadcast data...) is replaced in
 *   `content` mode, keeping the structure, ids, state values, event types,
 *   costs and usage numbers around it.
 */
import type { AnyEventObject, InspectionEvent, Observer } from 'xstate';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

export interface RedactorOptions {
  /** Also replace prompt and model text, not only secrets. Default true. */
  readonly content?: boolean;
  /** Secret values (API keys) to cut out of every string. Values under 8 characters are ignored. */
  readonly secrets?: readonly (string | undefined)[];
  /** Depth past which nested values are replaced by `[truncated]`. Default 16. */
  readonly maxDepth?: number;
}

/** Produces redacted, JSON-safe copies; the input is never modified. */
export interface Redactor {
  /** A redacted copy of any value (plain objects, arrays, Maps and Sets become JSON-like data; actor refs stay refs). */
  redact(value: unknown): unknown;
  /** A redacted copy of the value found under `key` (the key decides whether it is content or a secret). */
  redactField(key: string, value: unknown): unknown;
  /** `text` with every known secret value cut out. */
  scrub(text: string): string;
  /** Whether `content` mode is on. */
  readonly content: boolean;
}

/** Field names whose value is a credential, compared lower-cased without `-` and `_`. */
const SECRET_NAMES = new Set([
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'bearertoken',
  'authtoken',
  'privatekey',
  'cookie',
  'setcookie',
]);

/** Field names whose whole value is prompt or model text (every string below them is replaced). */
const CONTENT_NAMES = new Set([
  'messages',
  'content',
  'system',
  'systemprompt',
  'prompt',
  'text',
  'thinking',
  'thinkingprocess',
  'thinkingtrace',
  'thinkingdirectives',
  'critique',
  'rationale',
  'decision',
  'structured',
  'taskdescription',
  'inputdata',
  'dependencyoutputs',
  'sharedartifacts',
  'question',
  'answer',
  'summary',
  'observations',
  'toolcalls',
  'toolresults',
  'calls',
  'alternatives',
  'conversation',
  'candidate',
  'evaluated',
  'data',
  'context',
  'arguments',
  'instructions',
]);

/** Field names that are text when they hold a string (`task`, `output`, `input`), and records otherwise. */
const TEXT_WHEN_STRING_NAMES = new Set(['task', 'output', 'input', 'query', 'description']);

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * Suffixes of credential field names. `token` is singular on purpose: usage
 * counts (`inputTokens`, `maxTokens`) are plural and stay visible, while
 * `token`, `apiToken`, `githubToken` are credentials.
 */
const SECRET_SUFFIXES = ['apikey', 'secret', 'password', 'token', 'secretkey', 'secretaccesskey', 'privatekey', 'credential', 'credentials'];

/** Whether a field named `key` holds a credential. */
export function isSecretField(key: string): boolean {
  const name = normalise(key);
  return SECRET_NAMES.has(name) || SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

function isActorRefLike(value: object): boolean {
  return (
    'sessionId' in value &&
    'send' in value &&
    typeof value.send === 'function' &&
    'getSnapshot' in value &&
    typeof value.getSnapshot === 'function'
  );
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return 'toJSON' in value && typeof value.toJSON === 'function';
}

/**
 * Creates a redactor.
 *
 * @example
 * ```ts
 * const redactor = createRedactor({ secrets: [process.env.ANTHROPIC_API_KEY] });
 * redactor.redact({ agentId: 'a', task: 'Summarise the merger memo', headers: { authorization: 'Bearer sk-...' } });
 * // → { agentId: 'a', task: '[redacted]', headers: { authorization: '[redacted]' } }
 * ```
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const content = options.content ?? true;
  const maxDepth = options.maxDepth ?? 16;
  const secrets = [...new Set(options.secrets ?? [])].filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8);

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };

  /** `blanket`: inside a content field, every string is replaced. */
  const walk = (value: unknown, depth: number, blanket: boolean, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return blanket ? REDACTED : scrub(value);
    if (value === null || typeof value !== 'object') {
      return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    }
    if (value instanceof Date || isActorRefLike(value)) return value;
    if (depth >= maxDepth) return '[truncated]';
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      if (value instanceof Error) {
        return { name: value.name, message: blanket ? REDACTED : scrub(value.message) };
      }
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '[binary]';
      if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, blanket, seen));
      if (value instanceof Map) {
        return [...value].map(([key, item]) =>
          typeof key === 'string' ? [key, entry(key, item, depth + 1, blanket, seen)] : [walk(key, depth + 1, blanket, seen), walk(item, depth + 1, blanket, seen)],
        );
      }
      if (value instanceof Set) return [...value].map((item) => walk(item, depth + 1, blanket, seen));
      if (hasToJSON(value)) return walk(value.toJSON(), depth, blanket, seen);
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const redacted = entry(key, Reflect.get(value, key), depth + 1, blanket, seen);
        if (redacted !== undefined) copy[key] = redacted;
      }
      return copy;
    } finally {
      seen.delete(value);
    }
  };

  const entry = (key: string, value: unknown, depth: number, blanket: boolean, seen: WeakSet<object>): unknown => {
    if (value === undefined) return undefined;
    if (isSecretField(key)) return REDACTED;
    if (!content || blanket) return walk(value, depth, blanket, seen);
    const name = normalise(key);
    if (CONTENT_NAMES.has(name)) return walk(value, depth, true, seen);
    if (TEXT_WHEN_STRING_NAMES.has(name) && typeof value === 'string') return REDACTED;
    return walk(value, depth, false, seen);
  };

  return {
    content,
    scrub,
    redact: (value) => walk(value, 0, false, new WeakSet()),
    redactField: (key, value) => entry(key, value, 0, false, new WeakSet()),
  };
}

/**
 * A shallow copy of `record` whose fields named in `keys` (default: all but
 * `type`) are redacted. The copy keeps its type for the compiler; its redacted
 * fields are JSON-like data in which replaced values are strings.
 */
export function redactRecord<T extends object>(
  redactor: Redactor,
  record: T,
  keys: readonly string[] = Object.keys(record).filter((key) => key !== 'type'),
  redactOne: (key: string, value: unknown) => unknown = (key, value) => redactor.redactField(key, value),
): T {
  const copy = { ...record };
  for (const key of keys) {
    if (Object.hasOwn(copy, key)) Reflect.set(copy, key, redactOne(key, Reflect.get(copy, key)));
  }
  return copy;
}

/** The data fields of an actor snapshot: machine context, a promise's input and output, an error. */
const SNAPSHOT_DATA_FIELDS = ['context', 'input', 'output', 'error'] as const;

/**
 * A copy of an actor snapshot with its data redacted: `context` is redacted as
 * a record (its own fields decide), `input`/`output`/`error` as fields.
 * State value, status, children and tags are kept.
 */
export function redactSnapshot<T extends object>(redactor: Redactor, snapshot: T): T {
  return redactRecord(redactor, snapshot, SNAPSHOT_DATA_FIELDS, (key, value) =>
    key === 'context' ? redactor.redact(value) : redactor.redactField(key, value),
  );
}

/** A copy of an event object with everything but its `type` redacted. */
export function redactEvent<T extends AnyEventObject>(redactor: Redactor, event: T): T {
  return redactRecord(redactor, event);
}

/**
 * A view of an actor ref whose `getSnapshot()` returns a redacted snapshot
 * (inspectors read the snapshot of a newly registered actor from its ref).
 * Everything else reaches the real actor.
 */
function redactedRefView<T extends object>(redactor: Redactor, ref: T): T {
  return new Proxy(ref, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (property === 'getSnapshot' && typeof value === 'function') {
        return () => {
          const snapshot: unknown = Reflect.apply(value, target, []);
          return typeof snapshot === 'object' && snapshot !== null ? redactSnapshot(redactor, snapshot) : snapshot;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * An XState inspection event with its snapshot, event, action params and
 * actor refs' snapshots redacted.
 */
export function redactInspectionEvent(redactor: Redactor, event: InspectionEvent): InspectionEvent {
  const actorRef = redactedRefView(redactor, event.actorRef);
  switch (event.type) {
    case '@xstate.snapshot':
    case '@xstate.transition':
    case '@xstate.microstep':
      return { ...event, actorRef, event: redactEvent(redactor, event.event), snapshot: redactSnapshot(redactor, event.snapshot) };
    case '@xstate.event':
      return {
        ...event,
        actorRef,
        event: redactEvent(redactor, event.event),
        sourceRef: event.sourceRef ? redactedRefView(redactor, event.sourceRef) : undefined,
      };
    case '@xstate.action':
      return { ...event, actorRef, action: { type: event.action.type, params: redactor.redact(event.action.params) } };
    case '@xstate.actor':
      return { ...event, actorRef };
  }
}

/**
 * Wraps an inspection observer (or function) so it only ever sees redacted
 * events.
 *
 * @example
 * ```ts
 * const actor = createActor(machine, { inspect: redactingObserver(createRedactor(), (event) => console.log(event)) });
 * ```
 */
export function redactingObserver(
  redactor: Redactor,
  observer: Observer<InspectionEvent> | ((event: InspectionEvent) => void),
): Observer<InspectionEvent> {
  const next = (event: InspectionEvent): void => {
    const redacted = redactInspectionEvent(redactor, event);
    if (typeof observer === 'function') observer(redacted);
    else observer.next?.(redacted);
  };
  return {
    next,
    ...(typeof observer === 'function' || !observer.error ? {} : { error: (error: unknown) => observer.error?.(error) }),
    ...(typeof observer === 'function' || !observer.complete ? {} : { complete: () => observer.complete?.() }),
  };
}

/**
 * A function cutting known secret values (the configured API keys) out of
 * encoded text: a journal line or an artifact body. A key pasted into a task
 * or echoed by a model sits inside a JSON string; keys are plain ASCII, so its
 * JSON form is itself (the escaped form is cut too, should one differ).
 * Values under 8 characters are ignored, as by {@link createRedactor}.
 *
 * @example
 * ```ts
 * const scrub = createSecretScrubber([process.env.ANTHROPIC_API_KEY]);
 * storage.append(scrub(superjson.stringify(record)));
 * ```
 */
export function createSecretScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets.filter((secret): secret is string => typeof secret === 'string');
  if (known.length === 0) return (text) => text;
  const redactor = createRedactor({ content: false, secrets: known.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]) });
  return (text) => redactor.scrub(text);
}
