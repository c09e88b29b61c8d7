/**
 * Who may read, write and delete shared artifacts. Keys of `agentPermissions`
 * are agent ids or patterns where `*` matches any run of characters (also none).
 *
 * Precedence, for an agent id:
 * 1. a key equal to the id (no `*`) decides;
 * 2. otherwise the matching pattern with the longest literal part (its length
 *    without the `*`s) decides: `analyst_senior_*` beats `analyst_*` beats `*`;
 *    on a tie, the pattern listed first decides;
 * 3. otherwise `defaultPermissions` (none unless given).
 * The deciding entry's list is the whole answer: entries are not merged.
 */
import type { ArtifactPermissionPolicy } from '../protocols/artifact.js';
import { ConfigError } from '../protocols/errors/errors.js';
import type { ArtifactOperation } from '../protocols/errors/errors.js';

/** Operations by agent id or pattern, e.g. `{ reviewer: ['read'], 'analyst_*': ['read', 'write'] }`. */
export type AgentPermissions = Readonly<Record<string, readonly ArtifactOperation[]>>;

export interface PermissionPolicyOptions {
  readonly agentPermissions?: AgentPermissions;
  /** What an agent matched by no key may do. Default: nothing. */
  readonly defaultPermissions?: readonly ArtifactOperation[];
}

interface PatternRule {
  readonly key: string;
  readonly matcher: RegExp;
  readonly literalLength: number;
  readonly operations: ReadonlySet<ArtifactOperation>;
}

const OPERATIONS: readonly ArtifactOperation[] = ['read', 'write', 'delete'];
/** Resolutions remembered per agent id; cleared when full so memory stays bounded. */
const CACHE_LIMIT = 10_000;

function operationSet(field: string, operations: unknown): ReadonlySet<ArtifactOperation> {
  if (!Array.isArray(operations)) throw new ConfigError(field, 'must be a list of "read", "write", "delete"');
  const set = new Set<ArtifactOperation>();
  for (const operation of operations) {
    if (operation === 'read' || operation === 'write' || operation === 'delete') set.add(operation);
    else throw new ConfigError(field, `unknown operation ${JSON.stringify(operation)}; allowed: ${OPERATIONS.join(', ')}`);
  }
  return set;
}

function patternMatcher(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/**
 * Resolves agents' artifact permissions from the store's options.
 *
 * @example
 * ```ts
 * const permissions = new PermissionTable({
 *   agentPermissions: { supervisor: ['read', 'write', 'delete'], 'analyst_*': ['read', 'write'], '*': ['read'] },
 * });
 * permissions.allows('analyst_7', 'write'); // true
 * permissions.allows('intern', 'write');    // false: '*' gives read only
 * ```
 */
export class PermissionTable implements ArtifactPermissionPolicy {
  readonly #exact = new Map<string, ReadonlySet<ArtifactOperation>>();
  readonly #patterns: PatternRule[] = [];
  readonly #defaults: ReadonlySet<ArtifactOperation>;
  readonly #cache = new Map<string, ReadonlySet<ArtifactOperation>>();

  /** @throws ConfigError naming the bad entry. */
  constructor(options: PermissionPolicyOptions = {}) {
    for (const [key, operations] of Object.entries(options.agentPermissions ?? {})) {
      const field = `agentPermissions.${key}`;
      if (key.length === 0) throw new ConfigError(field, 'agent id or pattern must not be empty');
      const set = operationSet(field, operations);
      if (!key.includes('*')) {
        this.#exact.set(key, set);
        continue;
      }
      const literalLength = key.replaceAll('*', '').length;
      this.#patterns.push({ key, matcher: patternMatcher(key), literalLength, operations: set });
    }
    // Stable sort: longest literal part first, declaration order among equals.
    this.#patterns.sort((a, b) => b.literalLength - a.literalLength);
    this.#defaults = operationSet('defaultPermissions', options.defaultPermissions ?? []);
  }

  /** Whether `agentId` may perform `operation`. */
  allows(agentId: string, operation: ArtifactOperation): boolean {
    return this.#resolve(agentId).has(operation);
  }

  /** Everything `agentId` may do, in the order read, write, delete. */
  operationsOf(agentId: string): ArtifactOperation[] {
    const set = this.#resolve(agentId);
    return OPERATIONS.filter((operation) => set.has(operation));
  }

  /** The key that decides for `agentId` (an id or pattern), or undefined when the defaults apply. */
  decidingEntry(agentId: string): string | undefined {
    if (this.#exact.has(agentId)) return agentId;
    return this.#patterns.find((rule) => rule.matcher.test(agentId))?.key;
  }

  #resolve(agentId: string): ReadonlySet<ArtifactOperation> {
    const cached = this.#cache.get(agentId);
    if (cached) return cached;
    const resolved =
      this.#exact.get(agentId) ??
      this.#patterns.find((rule) => rule.matcher.test(agentId))?.operations ??
      this.#defaults;
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(agentId, resolved);
    return resolved;
  }
}
