/**
 * The state folder holds the cluster's secrets (secretkey, token key) that every node is given.
 * As ssh treats ~/.ssh, a folder someone else could have written is refused before it is read:
 * one owned by another user, or writable by its group or by others (a secretkey planted there
 * would be deployed to every node). Local I/O only.
 */
import { lstat } from "node:fs/promises";
import { HarborHaError } from "../errors.js";

/** Throws when `dir` exists and is not this user's own, closed folder; a missing folder is fine (it is created 0700). */
export async function assertStateFolderSafe(dir: string): Promise<void> {
  const st = await lstat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (st === undefined) return;
  const uid = process.getuid?.();
  const refuse = (why: string, fix: string) =>
    new HarborHaError(`the state folder ${dir} ${why}; its secrets cannot be trusted, so it was not used`, { hint: fix });
  if (!st.isDirectory())
    throw refuse("is not a folder (a symbolic link or a file)", `Move it away and run again: harbor-ha creates the folder itself, mode 0700.`);
  if (uid !== undefined && st.uid !== uid)
    throw refuse(
      `belongs to user id ${st.uid}, not to you (${uid})`,
      `If its contents are yours, take it over (chown -R ${uid} ${dir}); otherwise move it away and run again.`,
    );
  if ((st.mode & 0o022) !== 0)
    throw refuse(
      `is writable by ${st.mode & 0o020 ? "its group" : "others"} (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")})`,
      `Check its files were not changed, then close it: chmod 0700 ${dir}.`,
    );
}
