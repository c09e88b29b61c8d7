/**
 * Redis key names of the distributed mode, all under `troupe:<namespace>:`
 * (the namespace is the queue name, so two deployments on one Redis never
 * share state).
 */

/** The key builder of one namespace. */
export interface RedisKeys {
  readonly prefix: string;
  /** A run's journal (a list of lines). */
  journal(workflowId: string): string;
  /** The set of journaled run ids. */
  journalIndex(): string;
  /** A run's stored summary. */
  journalSummary(workflowId: string): string;
  /** A run's journal length in UTF-8 bytes (a counter the append script keeps). */
  journalBytes(workflowId: string): string;
  /** A lease (a hash: owner, token). */
  lease(resource: string): string;
  /** The counter fencing tokens are drawn from (never decreases, survives lease expiry). */
  fence(): string;
  /** The claim on one model call. */
  call(callKey: string): string;
  /** The claim log: the last grants of call claims, `<callKey> <token> <holder>` (a list). */
  claimLog(): string;
  /** Artifacts: latest version, kept versions and last access by id (hashes), and version bodies. */
  artifactVersions(): string;
  artifactKept(): string;
  artifactAccess(): string;
  artifactBody(artifactId: string, version: number): string;
  /** The budget's totals and per-agent accounts (one hash), its open reservations (another). */
  budget(): string;
  budgetReservations(): string;
  /** A budget client's liveness key (expires when its owner stops renewing it). */
  budgetOwner(owner: string): string;
}

/**
 * The keys under `troupe:<namespace>:`.
 *
 * @example
 * ```ts
 * redisKeys('troupe').journal('wf_1'); // 'troupe:troupe:journal:wf_1'
 * ```
 */
export function redisKeys(namespace: string): RedisKeys {
  const prefix = `troupe:${namespace}:`;
  return {
    prefix,
    journal: (workflowId) => `${prefix}journal:${workflowId}`,
    journalIndex: () => `${prefix}journals`,
    journalSummary: (workflowId) => `${prefix}journal-summary:${workflowId}`,
    journalBytes: (workflowId) => `${prefix}journal-bytes:${workflowId}`,
    lease: (resource) => `${prefix}lease:${resource}`,
    fence: () => `${prefix}fence`,
    call: (callKey) => `${prefix}call:${callKey}`,
    claimLog: () => `${prefix}calls:claims`,
    artifactVersions: () => `${prefix}artifacts:versions`,
    artifactKept: () => `${prefix}artifacts:kept`,
    artifactAccess: () => `${prefix}artifacts:access`,
    artifactBody: (artifactId, version) => `${prefix}artifact:${artifactId}:v${version}`,
    budget: () => `${prefix}budget`,
    budgetReservations: () => `${prefix}budget:reservations`,
    budgetOwner: (owner) => `${prefix}budget:owner:${owner}`,
  };
}
