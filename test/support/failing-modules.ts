/**
 * Mocks modules with factories that note they ran and then fail, as if the
 * package were missing, and imports the sources afresh around each test.
 */
import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Registers, in the file or `describe` it is called in, mocks of `specifiers`
 * for each test. The returned list holds the specifiers whose factory ran, in order.
 *
 * @example
 * ```ts
 * const loaded = mockMissingModules(['openai']);
 * it('loads nothing at import', async () => {
 *   await import('../../src/providers/index.js');
 *   expect(loaded).toEqual([]);
 * });
 * ```
 */
export function mockMissingModules(specifiers: readonly string[]): string[] {
  const loaded: string[] = [];
  beforeEach(() => {
    loaded.length = 0;
    vi.resetModules();
    for (const specifier of specifiers) {
      vi.doMock(specifier, () => {
        loaded.push(specifier);
        throw new Error(`Cannot find module '${specifier}'`);
      });
    }
  });
  afterEach(() => {
    for (const specifier of specifiers) vi.doUnmock(specifier);
    vi.resetModules();
  });
  return loaded;
}
