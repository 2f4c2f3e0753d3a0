/**
 * inventory.yaml → a typed, frozen Inventory, or every problem at once.
 *
 * Each top-level section is parsed on its own, so a broken `keepalived` does not
 * hide a broken `database`, and the cross-checks still run over every section that
 * parsed. No network: only the inventory and the files it names are read.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { InventoryError } from "../errors.js";
import type { InventoryProblem } from "../errors.js";
import { checkInventory } from "./checks.js";
import type { ParsedSections } from "./checks.js";
import type { Inventory, TlsMaterial } from "./model.js";
import { formatPath } from "./problems.js";
import type { ProblemDraft } from "./problems.js";
import { createSourceResolver, nodeFs } from "./resolve.js";
import type { ResolverFs } from "./resolve.js";
import { buildInventorySchema } from "./schema.js";
import type { InventoryData } from "./schema.js";
import { describeIssue, draftsFromIssues } from "./schema-issues.js";
import { Redactor, Secret } from "./secret.js";
import { salvageValid } from "./salvage.js";
import { checkTls } from "./tls-checks.js";
import { parseYamlSource } from "./yaml-source.js";
import type { YamlSource } from "./yaml-source.js";

export interface ParseInventoryOptions {
  /** Absolute path of the inventory file, for the Inventory and messages. */
  file: string;
  /** Its folder: relative paths start here. */
  dir: string;
  env: NodeJS.ProcessEnv;
  fs?: ResolverFs;
  /** The clock certificates are judged by. */
  now?: Date;
}

export interface ParseInventoryResult {
  /** Present when no problem is an error. */
  inventory?: Inventory;
  /** Errors and warnings, in the order of the file. */
  problems: InventoryProblem[];
}

export async function readInventory(path: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ inventory: Inventory; warnings: InventoryProblem[] }> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : `the file cannot be read (${(e as Error).message})`;
    throw new InventoryError(file, [{ path: "", message: `${reason}; give the path of an inventory such as inventory/example.yaml`, severity: "error" }]);
  }
  const { inventory, problems } = parseInventory(text, { file, dir: dirname(file), env: opts.env ?? process.env });
  if (!inventory) throw new InventoryError(file, problems);
  return { inventory, warnings: problems };
}

/** The whole load without reading the inventory file itself: text in, Inventory or problems out. */
export function parseInventory(text: string, opts: ParseInventoryOptions): ParseInventoryResult {
  const src = parseYamlSource(text);
  if (!src.usable) return { problems: src.problems };
  const raw = src.data;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    const problem: InventoryProblem = { path: "", line: 1, severity: "error", message: "the inventory must be a YAML mapping with cluster, load_balancers, harbor_nodes, … at the top level; see inventory/example.yaml" };
    return { problems: [...src.problems, problem] };
  }
  const redactor = new Redactor();
  const fs = opts.fs ?? nodeFs;
  const { sections, drafts, complete } = parseSections(raw as Record<string, unknown>, { ...opts, fs }, redactor);
  drafts.push(...checkInventory(sections, { present: new Set(Object.keys(raw)), complete }));
  // A VIP that is itself wrong would only add noise about the certificate not covering it.
  const vipValid = !drafts.some((d) => d.severity === "error" && d.at[0] === "cluster" && d.at[1] === "vip");
  const tls = complete.has("tls") ? readTls(sections, vipValid, fs, opts.now ?? new Date(), drafts) : undefined;
  if (tls) redactor.add(tls.key);

  const problems = [...src.problems, ...drafts.map((d) => locate(d, src, redactor))];
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (problems.some((p) => p.severity === "error")) return { problems };
  const inventory: Inventory = { path: opts.file, dir: opts.dir, data: sections as InventoryData, ...(tls ? { tls } : {}) };
  return { inventory: deepFreeze(inventory), problems };
}

/**
 * Parses each section twice at most: once reporting missing "run" files as warnings
 * (zod then withholds the data), once more without them when warnings were all it found.
 */
function parseSections(raw: Record<string, unknown>, opts: ParseInventoryOptions & { fs: ResolverFs }, redactor: Redactor): { sections: ParsedSections; drafts: ProblemDraft[]; complete: Set<string> } {
  const base = { dir: opts.dir, env: opts.env, fs: opts.fs, redactor };
  const strict = buildInventorySchema(createSourceResolver({ ...base, warnMissingRunFiles: true }));
  const lenient = buildInventorySchema(createSourceResolver({ ...base, warnMissingRunFiles: false }));
  const params = { error: describeIssue, reportInput: true };

  const keysOnly = z.strictObject(Object.fromEntries(Object.keys(strict.shape).map((k) => [k, z.unknown().optional()])));
  const keys = keysOnly.safeParse(raw, params);
  const drafts = keys.success ? [] : draftsFromIssues(keys.error.issues, [], keysOnly, raw);

  const sections: Record<string, unknown> = {};
  const complete = new Set<string>();
  for (const [key, schema] of Object.entries(strict.shape) as Array<[string, z.ZodType]>) {
    const result = schema.safeParse(raw[key], params);
    let data: unknown = result.data;
    if (!result.success) {
      const found = draftsFromIssues(result.error.issues, [key], schema, raw[key]);
      drafts.push(...found);
      const lenientSchema = lenient.shape[key as keyof typeof lenient.shape] as z.ZodType;
      if (found.some((d) => d.severity === "error")) {
        const salvaged = salvageValid(lenientSchema, raw[key]);
        if (salvaged !== undefined) sections[key] = salvaged;
        continue;
      }
      data = lenientSchema.parse(raw[key], params);
    }
    complete.add(key);
    if (data !== undefined) sections[key] = data;
  }
  return { sections: sections as ParsedSections, drafts, complete };
}

/** Reads the certificate, key and CA the tls section names, and checks them. */
function readTls(sections: ParsedSections, vipValid: boolean, fs: ResolverFs, now: Date, drafts: ProblemDraft[]): TlsMaterial | undefined {
  const paths = sections.tls;
  if (paths?.certificate === undefined || paths.key === undefined) return undefined;
  const certificatePem = fs.readText(paths.certificate) ?? "";
  const keyPem = fs.readText(paths.key) ?? "";
  const caPem = paths.ca === undefined ? undefined : (fs.readText(paths.ca) ?? "");
  const vipAddress = vipValid ? sections.cluster?.vip?.split("/")[0] : undefined;
  drafts.push(
    ...checkTls({
      certificatePem,
      keyPem,
      certificatePath: paths.certificate,
      keyPath: paths.key,
      now,
      ...(caPem !== undefined && paths.ca !== undefined ? { caPem, caPath: paths.ca } : {}),
      ...(sections.cluster?.hostname !== undefined ? { hostname: sections.cluster.hostname } : {}),
      ...(vipAddress !== undefined ? { vipAddress } : {}),
    }),
  );
  return { certificatePem, key: new Secret(keyPem, `file:${paths.key}`), ...(caPem !== undefined ? { caPem } : {}) };
}

function locate(d: ProblemDraft, src: YamlSource, redactor: Redactor): InventoryProblem {
  const line = src.lineOf(d.lineAt ?? d.at);
  return { path: formatPath(d.at), ...(line !== undefined ? { line } : {}), message: redactor.redact(d.message), severity: d.severity };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value) && !(value instanceof Secret)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
