/**
 * The few file operations crash safety rests on: an atomic replace (temp file
 * in the same directory, fsync, rename, fsync the directory) and a durable
 * append (write, fsync).
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Whether `error` is Node's "no such file or directory". */
export function isMissingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** Errors of platforms that cannot fsync a directory (it is then a no-op there). */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EBADF']);

/** Makes a directory's entries (created, renamed, removed files) durable. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && typeof error.code === 'string')) throw error;
    if (!DIRECTORY_SYNC_UNSUPPORTED.has(error.code)) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `directory/name` with `data` so that after a crash the file holds
 * either the old or the new contents, never a mix. Temp files are named
 * `.<name>.<uuid>.tmp`: a leading "." that no artifact id can have.
 *
 * @example
 * ```ts
 * await writeFileAtomic('/ws/artifacts/report', 'v3.json', body);
 * ```
 */
export async function writeFileAtomic(directory: string, name: string, data: string): Promise<void> {
  const temp = join(directory, `.${name}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(directory, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(directory);
}

/**
 * Appends `data` to `path` and waits until it is on disk. With `newFile`,
 * also syncs the directory, so the file's entry survives a crash too.
 */
export async function appendDurably(path: string, data: string, options: { newFile: boolean }): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (options.newFile) await fsyncDirectory(dirname(path));
}
