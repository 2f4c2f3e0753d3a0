/**
 * Tool tests that need root (network namespaces, chown, mount namespaces) fail without it,
 * saying so: a skipped test reads as a passed one in a summary, and hides what was not tested.
 */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Throws, naming what needs root, unless this process is root. */
export function requireRoot(why: string): void {
  if (!isRoot()) throw new Error(`this test needs root (${why}): run the tool tests as root (scripts/test.sh)`);
}
