/**
 * Reading a local file the inventory names (secrets, keys, certificates, known_hosts,
 * registry.sql): only a regular file, and at most a size that fits what it can be — so that a
 * path such as /dev/zero, a FIFO or a multi-gigabyte file ends in a clear error instead of a
 * hung or out-of-memory run. Local I/O only.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { HarborHaError } from "../errors.js";

/** Limits by what the file holds: far above any real one, far below what would hurt. */
export const LOCAL_FILE_LIMITS = {
  /** A password, key, certificate chain or inventory. */
  small: 1024 * 1024,
  /** known_hosts or registry.sql. */
  large: 32 * 1024 * 1024,
} as const;

/** A local file that is not a regular file or is larger than its limit: `message` names the path, never its content. */
export class LocalFileError extends HarborHaError {
  constructor(message: string) {
    super(message, { hint: "Check the path in the inventory (or on the command line): it must name the file itself." });
  }
}

function describeSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

function check(path: string, isFile: boolean, size: number, maxBytes: number): void {
  if (!isFile) throw new LocalFileError(`${path} is not a regular file (a device, FIFO or folder cannot be read as one); give the path of a file`);
  if (size > maxBytes) throw new LocalFileError(`${path} is larger than ${describeSize(maxBytes)}, more than such a file can be; check the path`);
}

/**
 * A buffer one byte larger than the file was when looked at: a regular file that fills it grew
 * while it was read, and is refused rather than read in part.
 */
function bufferFor(size: number): Buffer {
  return Buffer.alloc(size + 1);
}

function textOf(path: string, buf: Buffer, n: number): string {
  if (n === buf.length) throw new LocalFileError(`${path} changed while it was read; try again`);
  return buf.subarray(0, n).toString("utf8");
}

/** The file's text (UTF-8), synchronously; throws LocalFileError, or the system's error (ENOENT, EACCES). */
export function readBoundedTextSync(path: string, maxBytes: number): string {
  const fd = openSync(path, "r");
  try {
    const st = fstatSync(fd);
    check(path, st.isFile(), st.size, maxBytes);
    const buf = bufferFor(st.size);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    return textOf(path, buf, n);
  } finally {
    closeSync(fd);
  }
}

/** The file's text (UTF-8); throws LocalFileError, or the system's error (ENOENT, EACCES). */
export async function readBoundedText(path: string, maxBytes: number): Promise<string> {
  const fh = await open(path, "r");
  try {
    const st = await fh.stat();
    check(path, st.isFile(), st.size, maxBytes);
    const buf = bufferFor(st.size);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = (await fh.read(buf, n, buf.length - n, null)).bytesRead;
    return textOf(path, buf, n);
  } finally {
    await fh.close();
  }
}
