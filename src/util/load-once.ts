/**
 * Deferred loading of a heavy optional dependency. troupe's SDK-backed parts
 * (the Anthropic and OpenAI clients, the MCP client and server, the inspector)
 * load their package the first time they are used, so `import 'troupe'` stays
 * cheap for a program that uses none of them, and a worker process starts fast.
 */

/**
 * Wraps `load` so that it runs at most once: every call returns the same
 * promise. A failed load stays failed (a missing package does not appear later).
 *
 * @example
 * ```ts
 * const loadSdk = loadOnce(() => import('openai'));
 * const { default: OpenAI } = await loadSdk(); // imported here, on first use
 * await loadSdk(); // the same module, not imported again
 * ```
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}
