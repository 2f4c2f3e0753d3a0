/**
 * One base class for every error the operator may see. Commands throw; only the
 * CLI entry point turns an error into output and an exit code.
 */
export class HarborHaError extends Error {
  /** What the operator should do next; printed under the message. */
  readonly hint?: string;
  readonly exitCode: number;
  /** The problems the message lists, one item each, for --json (a refused preflight's hosts). */
  readonly items?: ProblemItem[];

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown; items?: ProblemItem[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.items !== undefined) this.items = options.items;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** One problem as every report shows it: where (a host, or a YAML path and line), what, and what to do. */
export interface ProblemItem {
  /** The host, or "cluster" / "database" for what is the whole cluster's. */
  host?: string;
  /** A YAML path (inventory), or a file. */
  path?: string;
  line?: number;
  severity?: "error" | "warning";
  message: string;
  hint?: string;
}

/** One problem in the inventory, located by its YAML path and line. */
export interface InventoryProblem {
  /** Dotted path with indices, e.g. `load_balancers[1].priority`. */
  path: string;
  /** 1-based line in the inventory file, when known. */
  line?: number;
  message: string;
  severity: "error" | "warning";
}

/** The inventory is invalid: carries every problem found, not only the first. Exit 2. */
export class InventoryError extends HarborHaError {
  readonly problems: InventoryProblem[];
  readonly file: string;

  constructor(file: string, problems: InventoryProblem[]) {
    const errors = problems.filter((p) => p.severity === "error");
    super(`${file}: ${errors.length} problem${errors.length === 1 ? "" : "s"} in the inventory`, {
      hint: "Fix the lines above and run `harbor-ha validate` again; nothing was changed.",
      exitCode: 2,
    });
    this.file = file;
    this.problems = problems;
  }
}

/** Bad command-line usage (unknown host in --limit, conflicting flags). Exit 2. */
export class UsageError extends HarborHaError {
  constructor(message: string, hint?: string) {
    super(message, hint === undefined ? { exitCode: 2 } : { hint, exitCode: 2 });
  }
}

/** Exit status of a run the operator interrupted (Ctrl-C), as shells report SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** The operator pressed Ctrl-C: the run stopped on purpose, nothing failed. Exit 130. */
export class InterruptedError extends HarborHaError {
  constructor(message: string, hint?: string) {
    super(message, hint === undefined ? { exitCode: EXIT_INTERRUPTED } : { hint, exitCode: EXIT_INTERRUPTED });
  }
}

/** A bug in harbor-ha itself, not in the operator's input or hosts. */
export class InternalError extends HarborHaError {
  constructor(message: string) {
    super(`internal error: ${message}`, { hint: "This is a bug in harbor-ha; please report it with the command you ran." });
  }
}
