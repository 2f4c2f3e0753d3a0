/** Reading the operator's registry.sql from the local disk (local I/O at the edge). */
import { readFile } from "node:fs/promises";
import { RegistrySqlError } from "./errors.js";
import { messageOf } from "./connection.js";
import { parseRegistrySql } from "./registry-sql.js";
import type { ParsedRegistrySql } from "./registry-sql.js";

export interface RegistrySqlFile {
  path: string;
  /** The file as shipped: this exact text is what gets loaded. */
  text: string;
  parsed: ParsedRegistrySql;
}

export async function readRegistrySql(path: string): Promise<RegistrySqlFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new RegistrySqlError(`cannot read registry.sql at ${path}: ${messageOf(err)}`, {
      hint: "Point database.registry_sql at harbor/ha/registry.sql from Harbor's offline installer.",
    });
  }
  return { path, text, parsed: parseRegistrySql(text, path) };
}
