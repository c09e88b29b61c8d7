/**
 * The value the crash writer stores as version `version` of `artifactId`, so a
 * reader can tell a complete version from a torn one. Sizes vary up to ~600 KB
 * so a SIGKILL often lands in the middle of a write.
 */
export function crashContent(artifactId: string, version: number): { artifactId: string; version: number; at: Date; payload: string } {
  const unit = `${artifactId}:${version};`;
  return { artifactId, version, at: new Date(version * 1000), payload: unit.repeat(20 + ((version * 7919) % 50_000)) };
}

export const CRASH_ARTIFACTS = ['alpha', 'beta', 'gamma'] as const;
