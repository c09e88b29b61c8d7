/**
 * Redaction of a machine definition (the JSON of a machine's config, as the
 * Stately inspector receives it). Its structure is never touched: state
 * names, ids, event types, targets, action, guard and actor names stay as
 * written, so the inspector can rebuild and draw the machine whatever the
 * states are called (`thinking`, `summary`, `data`, `text`...). What it
 * carries as values (a literal `context`, an `input`, action and guard
 * `params`, `meta`, `output`) is redacted as data, and every other string
 * has known secrets cut out.
 */
import type { Redactor } from '../util/sanitize.js';

/** Config fields whose value is data rather than structure. */
const VALUE_FIELDS = new Set(['context', 'input', 'params', 'meta', 'output']);
/** Config fields that map names (state names, event types, delays) to nodes or transitions. */
const STATE_MAPS = new Set(['states']);
const TRANSITION_MAPS = new Set(['on', 'after']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of a parsed machine config with its values redacted and its
 * structure kept.
 *
 * @example
 * ```ts
 * const config = { id: 'agent', context: { task: 'secret plan' }, states: { thinking: {}, summary: {} } };
 * redactMachineConfig(createRedactor(), config);
 * // → { id: 'agent', context: { task: '[redacted]' }, states: { thinking: {}, summary: {} } }
 * ```
 */
export function redactMachineConfig(redactor: Redactor, config: unknown): unknown {
  const structure = (value: unknown): unknown => {
    if (typeof value === 'string') return redactor.scrub(value);
    if (Array.isArray(value)) return value.map(structure);
    if (!isRecord(value)) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (VALUE_FIELDS.has(key)) copy[key] = redactor.redactField(key, child);
      else if ((STATE_MAPS.has(key) || TRANSITION_MAPS.has(key)) && isRecord(child)) copy[key] = names(child);
      else copy[key] = structure(child);
    }
    return copy;
  };
  /** A map whose keys are names (kept) and whose values are structure. */
  const names = (map: Record<string, unknown>): Record<string, unknown> => {
    const copy: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(map)) copy[name] = structure(child);
    return copy;
  };
  return structure(config);
}

/** A machine definition (JSON text) redacted by {@link redactMachineConfig}; text that is not JSON has secrets cut out. */
export function redactDefinition(redactor: Redactor, definition: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    return redactor.scrub(definition);
  }
  return JSON.stringify(redactMachineConfig(redactor, parsed));
}
