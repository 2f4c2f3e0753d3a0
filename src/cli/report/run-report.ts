/**
 * The one shape of every command's --json (validate, provision, reconfigure, rotate-certs,
 * upgrade, status, failover-drill, adopt): what ran (command, start, end, exit code), the hosts, the steps, the
 * problems as items (host or YAML path, message, hint), the error as an object (null when
 * none) — on a fatal error too — and what is the command's own under `details`. Described by a
 * zod schema, from which docs/report.schema.json is generated (`harbor-ha schema --report`), so
 * the two cannot drift; a tool test validates each command's output against that file.
 */
import { z } from "zod";
import { HarborHaError, InventoryError } from "../../errors.js";
import type { ProblemItem } from "../../errors.js";
import { Redactor } from "../../inventory/secret.js";
import { checkJsonTarget, redactedJson, writeJson } from "./json.js";

/** Where the repository keeps the generated schema. */
export const REPORT_SCHEMA_FILE = "docs/report.schema.json";

/** Bumped when a field changes meaning or goes away (a new optional field does not bump it). */
export const REPORT_SCHEMA_VERSION = 1;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const problemSchema = z
  .object({
    host: z.string().optional().describe('the host, or "cluster" / "database" for what is the whole cluster\'s'),
    path: z.string().optional().describe("a YAML path of the inventory (load_balancers[1].priority), or a file"),
    line: z.number().int().optional().describe("1-based line in the inventory"),
    severity: z.enum(["error", "warning"]).optional(),
    message: z.string(),
    hint: z.string().optional().describe("what to do"),
  })
  .strict();

const hostSchema = z
  .object({
    name: z.string(),
    address: z.string().optional(),
    role: z.string().optional(),
    status: z.string().describe("changed, unchanged, would change, failed, not started; status: healthy, unhealthy, unreachable, …"),
    ms: z.number().optional(),
    changes: z.array(z.string()).optional().describe("titles of the steps that changed it"),
    error: z.string().optional(),
  })
  .strict();

const stepSchema = z
  .object({
    host: z.string(),
    stage: z.string().optional().describe("reconfigure/rotate-certs: the roll's stage"),
    phase: z.string().optional(),
    kind: z.string().optional(),
    title: z.string(),
    reason: z.string().optional(),
    diff: z.string().optional().describe("secrets masked"),
    status: z.enum(["planned", "done", "failed", "not run"]),
    ms: z.number().optional(),
  })
  .strict();

const runSchema = z
  .object({
    command: z.enum(["validate", "provision", "reconfigure", "rotate-certs", "upgrade", "status", "failover-drill", "adopt"]),
    inventory: z.string(),
    dryRun: z.boolean().optional(),
    limit: z.array(z.string()).optional().describe("--limit: the hosts the run was limited to"),
    start: z.string().regex(ISO_TIME),
    end: z.string().regex(ISO_TIME),
    exitCode: z.number().int().describe("the command's exit status"),
    ok: z.boolean().describe("exit status 0 (or 3: a dry run that found changes) and no error"),
    changed: z.boolean().optional().describe("whether anything changed (a dry run: would change)"),
  })
  .strict();

const errorSchema = z.object({ message: z.string(), hint: z.string().optional(), exitCode: z.number().int() }).strict();

export const runReportSchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    run: runSchema,
    hosts: z.array(hostSchema),
    steps: z.array(stepSchema),
    problems: z.array(problemSchema).describe("everything found wrong, the error's own items included"),
    error: errorSchema.nullable().describe("why the command stopped; null when it did not"),
    details: z.record(z.string(), z.unknown()).describe("the command's own data (status: the cluster; the drill: its times; a roll: its stages)"),
  })
  .strict()
  .meta({ title: "harbor-ha --json report", description: "The one shape of every harbor-ha command's --json output." });

export type RunReport = z.infer<typeof runReportSchema>;
export type HostItem = z.infer<typeof hostSchema>;
export type StepItem = z.infer<typeof stepSchema>;
export type ReportCommand = z.infer<typeof runSchema>["command"];

/** The report's JSON Schema as pretty JSON with a final newline. */
export function renderReportJsonSchema(): string {
  const schema = z.toJSONSchema(runReportSchema, { io: "output", unrepresentable: "throw", target: "draft-2020-12" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** What a command fills in while it runs; the report is written from it once, at the end or on the error. */
export interface ReportParts {
  dryRun?: boolean;
  limit?: string[];
  changed?: boolean;
  hosts: HostItem[];
  steps: StepItem[];
  problems: ProblemItem[];
  details: Record<string, unknown>;
  /** The run's Redactor once the inventory is read (an error after that may quote its secrets). */
  redactor: Redactor;
}

/** The exit status a thrown error ends with (as the entry point decides it). */
function exitCodeOf(err: unknown): number {
  return err instanceof HarborHaError ? err.exitCode : 1;
}

/** An error's own problems, as items: an inventory's by YAML path, a refused preflight's by host. */
export function errorProblems(err: unknown): ProblemItem[] {
  if (err instanceof InventoryError)
    return err.problems.map((p) => ({ path: p.path, ...(p.line === undefined ? {} : { line: p.line }), severity: p.severity, message: p.message }));
  return err instanceof HarborHaError ? [...(err.items ?? [])] : [];
}

export function buildRunReport(
  base: { command: ReportCommand; inventory: string; start: Date; end: Date; exitCode: number },
  parts: Omit<ReportParts, "redactor">,
  err?: unknown,
): RunReport {
  const error =
    err === undefined
      ? null
      : {
          message: err instanceof Error ? err.message : String(err),
          ...(err instanceof HarborHaError && err.hint !== undefined ? { hint: err.hint } : {}),
          exitCode: exitCodeOf(err),
        };
  const exitCode = err === undefined ? base.exitCode : exitCodeOf(err);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: {
      command: base.command,
      inventory: base.inventory,
      ...(parts.dryRun === undefined ? {} : { dryRun: parts.dryRun }),
      ...(parts.limit ? { limit: parts.limit } : {}),
      start: base.start.toISOString(),
      end: base.end.toISOString(),
      exitCode,
      ok: error === null && (exitCode === 0 || (parts.dryRun === true && exitCode === 3)),
      ...(parts.changed === undefined ? {} : { changed: parts.changed }),
    },
    hosts: parts.hosts,
    steps: parts.steps,
    problems: [...parts.problems, ...errorProblems(err)],
    error,
    details: parts.details,
  };
}

/**
 * Runs a command's body and writes its --json report (when asked) from what the body filled
 * in — also when it throws, before the error goes on to the entry point: a script reading
 * --json always gets the one shape, with the error object saying why.
 */
export async function withJsonReport(
  json: string | boolean | undefined,
  base: { command: ReportCommand; inventory: string },
  body: (parts: ReportParts) => Promise<void>,
): Promise<void> {
  // Where the report goes is checked first (exit 2, nothing done): never the inventory, never through a symlink.
  await checkJsonTarget(json, [base.inventory]);
  const start = new Date();
  const parts: ReportParts = { hosts: [], steps: [], problems: [], details: {}, redactor: new Redactor() };
  const write = async (err?: unknown): Promise<void> => {
    if (json === undefined) return;
    const { redactor, ...rest } = parts;
    const exitCode = process.exitCode === undefined ? 0 : Number(process.exitCode);
    const report = buildRunReport({ ...base, start, end: new Date(), exitCode }, rest, err);
    await writeJson(json, redactedJson(report, redactor), [base.inventory]);
  };
  try {
    await body(parts);
  } catch (err) {
    await write(err);
    throw err;
  }
  await write();
}
