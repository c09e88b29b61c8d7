/**
 * The one piece every example shares: run its `main` when the file is the
 * script node was started with (`npx tsx examples/NAME.ts`), not when a test
 * imports it; a failure prints and sets exit code 1.
 */
import { pathToFileURL } from 'node:url';

/**
 * @example
 * ```ts
 * runIfMain(import.meta.url, main);
 * ```
 */
export function runIfMain(moduleUrl: string, main: () => Promise<unknown>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
