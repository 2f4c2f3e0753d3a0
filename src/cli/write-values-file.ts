/**
 * Writing the values file: mode 0600 from the first byte (it holds secrets), complete or
 * not at all (a temporary name beside it, then renamed), and never over a file that
 * helm-values did not write.
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import { HarborHaError } from "../errors.js";

export const VALUES_HEADER_START = "# Values for goharbor/harbor-helm";

export async function writeValuesFile(path: string, text: string): Promise<void> {
  const existing = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw new HarborHaError(`cannot read ${path} before replacing it: ${err.message}`, { hint: "Give --out a path you can write.", exitCode: 2 });
  });
  if (existing !== undefined && !existing.startsWith(VALUES_HEADER_START)) {
    throw new HarborHaError(`${path} exists and was not written by harbor-ha helm-values; refusing to replace it`, {
      hint: "Move it away or give --out another path (a file helm-values wrote before is replaced).",
      exitCode: 2,
    });
  }
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: "wx" });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}
