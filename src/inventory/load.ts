/**
 * inventory.yaml → a typed, frozen Inventory, or every problem at once.
 *
 * Each top-level section is parsed on its own, so a broken `keepalived` does not
 * hide a broken `database`, and the cross-checks still run over every section that
 * parsed. No network: only the inventory and the files it names are read.
 */
import { LOCAL_FILE_LIMITS, readBoundedText } from "./bounded-read.js";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { InternalError, InventoryError } from "../errors.js";
import type { InventoryProblem } from "../errors.js";
import { checkInventory } from "./checks.js";
import type { ParsedSections } from "./parsed-sections.js";
import type { Harbor2VmInventory, Inventory, TlsMaterial } from "./model.js";
import { formatPath } from "./problems.js";
import type { ProblemDraft } from "./problems.js";
import { createSourceResolver, nodeFs } from "./resolve.js";
import type { ResolverFs } from "./resolve.js";
import { buildInventorySchema } from "./schema.js";
import type { InventoryData, SourceResolver } from "./schema.js";
import { buildHarbor2InventorySchema } from "./schema-v2.js";
import type { Harbor2InventoryData } from "./schema-v2.js";
import { checkHarbor2Inventory } from "./harbor2-checks.js";
import type { Harbor2Sections, Harbor2Target } from "./harbor2-checks.js";
import type { Harbor2Inventory } from "./model-v2.js";
import { isHarbor2Version, SUPPORTED_HARBOR2_VERSIONS_TEXT } from "../harbor/versions.js";
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

/** Either generation's inventory, told apart by cluster.harbor_version. */
export type AnyInventory = Inventory | Harbor2Inventory;

export function isHarbor2Inventory(inv: AnyInventory): inv is Harbor2Inventory {
  return "generation" in inv && inv.generation === 2;
}

/**
 * An inventory for the commands that work on VMs, of either Harbor generation (told apart by
 * cluster.harbor_version); a 2.x one must describe the VMs (its kubernetes section is helm-values').
 */
export async function readInventory(
  path: string,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ inventory: Inventory; warnings: InventoryProblem[] }> {
  const { file, text } = await readInventoryText(path);
  const parseOpts = { file, dir: dirname(file), env: opts.env ?? process.env };
  const { inventory, problems } = isHarbor2Text(text) ? parseHarbor2VmInventory(text, parseOpts) : parseInventory(text, parseOpts);
  if (!inventory) throw new InventoryError(file, problems);
  return { inventory, warnings: problems };
}

/** A Harbor 2.x inventory for the VM commands: the VM sections are required (harbor2-checks.ts), so the typed view holds them. */
export function parseHarbor2VmInventory(text: string, opts: ParseInventoryOptions): { inventory?: Harbor2VmInventory; problems: InventoryProblem[] } {
  const { inventory, problems } = parseHarbor2Inventory(text, { ...opts, target: "vms" });
  if (!inventory) return { problems };
  const { cluster, load_balancers, keepalived, harbor_nodes, installer } = inventory.data;
  if (cluster.vip === undefined || !load_balancers || !keepalived || !harbor_nodes || !installer)
    throw new InternalError("a 2.x inventory checked for VMs lacks a VM section (harbor2-checks.ts requires them)");
  return {
    inventory: {
      ...inventory,
      data: { ...inventory.data, cluster: { ...cluster, vip: cluster.vip }, load_balancers, keepalived, harbor_nodes, installer },
    },
    problems,
  };
}

/** An inventory of either generation (validate). */
export async function readAnyInventory(
  path: string,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ inventory: AnyInventory; warnings: InventoryProblem[] }> {
  const { file, text } = await readInventoryText(path);
  const parseOpts = { file, dir: dirname(file), env: opts.env ?? process.env };
  const { inventory, problems } = isHarbor2Text(text) ? parseHarbor2Inventory(text, parseOpts) : parseInventory(text, parseOpts);
  if (!inventory) throw new InventoryError(file, problems);
  return { inventory, warnings: problems };
}

/** A Harbor 2.x inventory for `target` (helm-values: kubernetes); a 1.x one is refused (exit 2) with what to do. */
export async function readHarbor2Inventory(
  path: string,
  opts: { env?: NodeJS.ProcessEnv; target?: Harbor2Target } = {},
): Promise<{ inventory: Harbor2Inventory; warnings: InventoryProblem[] }> {
  const { file, text } = await readInventoryText(path);
  const { inventory, problems } = parseHarbor2Inventory(text, {
    file,
    dir: dirname(file),
    env: opts.env ?? process.env,
    ...(opts.target ? { target: opts.target } : {}),
  });
  if (!inventory) throw new InventoryError(file, problems);
  return { inventory, warnings: problems };
}

async function readInventoryText(path: string): Promise<{ file: string; text: string }> {
  const file = resolve(path);
  try {
    return { file, text: await readBoundedText(file, LOCAL_FILE_LIMITS.small) };
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : `the file cannot be read (${(e as Error).message})`;
    throw new InventoryError(file, [
      { path: "", message: `${reason}; give the path of an inventory such as inventory/example.yaml`, severity: "error" },
    ]);
  }
}

/** Whether the text is meant as a Harbor 2.x inventory (its cluster.harbor_version is 2.x). */
function isHarbor2Text(text: string): boolean {
  const src = parseYamlSource(text);
  return src.usable && harborVersionOf(src.data) !== undefined && isHarbor2Version(harborVersionOf(src.data) ?? "");
}

function harborVersionOf(raw: unknown): string | undefined {
  const cluster = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)["cluster"] : undefined;
  const version = cluster !== null && typeof cluster === "object" ? (cluster as Record<string, unknown>)["harbor_version"] : undefined;
  return typeof version === "string" ? version : undefined;
}

type Mapping = Record<string, unknown>;

/** The YAML as a mapping, or the problems that say why it is not one. */
function readMapping(text: string): { src: YamlSource; raw?: Mapping; problems: InventoryProblem[] } {
  const src = parseYamlSource(text);
  if (!src.usable) return { src, problems: src.problems };
  const raw = src.data;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    const problem: InventoryProblem = {
      path: "",
      line: 1,
      severity: "error",
      message: "the inventory must be a YAML mapping with cluster, load_balancers, harbor_nodes, … at the top level; see inventory/example.yaml",
    };
    return { src, problems: [...src.problems, problem] };
  }
  return { src, raw: raw as Mapping, problems: src.problems };
}

/** The whole load without reading the inventory file itself: text in, Inventory or problems out. */
export function parseInventory(text: string, opts: ParseInventoryOptions): ParseInventoryResult {
  const { src, raw, problems: early } = readMapping(text);
  if (raw === undefined) return { problems: early };
  const version = harborVersionOf(raw);
  if (version !== undefined && isHarbor2Version(version)) {
    return parseHarbor2VmInventory(text, opts);
  }
  const redactor = new Redactor();
  const fs = opts.fs ?? nodeFs;
  const { sections, drafts, complete } = parseSections<ParsedSections>(raw, { ...opts, fs }, redactor, buildInventorySchema);
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
function parseSections<S>(
  raw: Record<string, unknown>,
  opts: ParseInventoryOptions & { fs: ResolverFs },
  redactor: Redactor,
  build: (resolve: SourceResolver) => z.ZodObject,
): { sections: S; drafts: ProblemDraft[]; complete: Set<string> } {
  const base = { dir: opts.dir, env: opts.env, fs: opts.fs, redactor };
  const strict = build(createSourceResolver({ ...base, warn: true }));
  const lenient = build(createSourceResolver({ ...base, warn: false }));
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
  return { sections: sections as S, drafts, complete };
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

/** A Harbor 2.x inventory: text in, Harbor2Inventory or every problem out. A 1.x inventory is refused. */
export function parseHarbor2Inventory(
  text: string,
  opts: ParseInventoryOptions & { target?: Harbor2Target },
): { inventory?: Harbor2Inventory; problems: InventoryProblem[] } {
  const { src, raw, problems: early } = readMapping(text);
  if (raw === undefined) return { problems: early };
  const version = harborVersionOf(raw);
  if (version === undefined || !isHarbor2Version(version)) {
    const line = src.lineOf(version === undefined ? ["cluster"] : ["cluster", "harbor_version"]);
    const message =
      `must be a Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT} release for helm-values (Harbor's Helm chart deploys Harbor 2.x); ` +
      "a Harbor 1.x cluster runs on VMs: use provision";
    return { problems: [...early, { path: "cluster.harbor_version", ...(line !== undefined ? { line } : {}), severity: "error", message }] };
  }
  const redactor = new Redactor();
  const fs = opts.fs ?? nodeFs;
  const { sections, drafts, complete } = parseSections<Harbor2Sections>(raw, { ...opts, fs }, redactor, buildHarbor2InventorySchema);
  const present = new Set(Object.keys(raw));
  drafts.push(...checkHarbor2Inventory(sections, present, complete, opts.target));
  const tls = complete.has("tls")
    ? readTls(sections as ParsedSections, !drafts.some((d) => d.at[0] === "cluster" && d.at[1] === "vip"), fs, opts.now ?? new Date(), drafts)
    : undefined;
  if (tls) redactor.add(tls.key);
  const problems = [...early, ...drafts.map((d) => locate(d, src, redactor))];
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (problems.some((p) => p.severity === "error")) return { problems };
  const inventory: Harbor2Inventory = {
    generation: 2,
    path: opts.file,
    dir: opts.dir,
    data: sections as Harbor2InventoryData,
    ...(tls ? { tls } : {}),
  };
  return { inventory: deepFreeze(inventory), problems };
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
