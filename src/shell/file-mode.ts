/** File modes as the remote commands take them. Pure. */

/** `0o644` → `"0644"`, as chmod takes it. */
export function formatMode(mode: number): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`harbor-ha: ${mode} is not a file mode`);
  return mode.toString(8).padStart(4, "0");
}
