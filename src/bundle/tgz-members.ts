/**
 * Members of a local .tgz (Harbor's offline installer, a Helm chart package) as text, read in
 * one streaming pass: nothing else of a ~600 MB archive is held in memory. Local I/O at the edge.
 */

/** The archive could not be read; `why` says so in words ("it does not exist", …). */
export class TgzReadError extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/**
 * The members `nameOf` names: it gets each entry's path (a leading "./" removed) and returns
 * the name to keep it under, or undefined to skip it. Members not found are simply absent.
 */
export async function readTgzMembers(path: string, nameOf: (entryPath: string) => string | undefined): Promise<Map<string, string>> {
  const chunks = new Map<string, Buffer[]>();
  try {
    // Loaded only when an archive is read (caches spare most runs that): tar is not small.
    const { list } = await import("tar");
    await list({
      file: path,
      strict: true,
      filter: (entry) => nameOf(entry.replace(/^\.\//, "")) !== undefined,
      onReadEntry: (entry) => {
        const parts: Buffer[] = [];
        chunks.set(nameOf(entry.path.replace(/^\.\//, "")) ?? entry.path, parts);
        entry.on("data", (chunk: Buffer) => parts.push(chunk));
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TgzReadError(
      code === "ENOENT"
        ? "it does not exist"
        : code === "EACCES"
          ? "it cannot be read (permission denied)"
          : `it is not a readable .tgz archive (${(err as Error).message})`,
    );
  }
  return new Map([...chunks].map(([name, parts]) => [name, Buffer.concat(parts).toString("utf8")]));
}
