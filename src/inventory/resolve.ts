/**
 * Where secrets and local files come from: `${env:NAME}`, `${file:path}` or the
 * inline value. The schema calls this while parsing, so every problem it finds
 * lands on the exact YAML path of the value that caused it.
 *
 * Messages name variables and files, never values.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { Redactor, Secret } from "./secret.js";
import { LOCAL_FILE_LIMITS, readBoundedTextSync } from "./bounded-read.js";
import type { LocalFileUse, Resolved, SourceResolver } from "./schema.js";

/** The file access the resolver needs; tests may give an in-memory one. */
export interface ResolverFs {
  /** The file's text, or undefined when it does not exist or is not a regular file. */
  readText(absPath: string): string | undefined;
  exists(absPath: string): boolean;
}

export const nodeFs: ResolverFs = {
  readText(absPath) {
    try {
      if (!statSync(absPath).isFile()) return undefined;
      return readBoundedTextSync(absPath, LOCAL_FILE_LIMITS.small);
    } catch {
      return undefined;
    }
  },
  exists: (absPath) => existsSync(absPath),
};

export interface ResolverOptions {
  /** The inventory's folder: relative paths start here. */
  dir: string;
  env: NodeJS.ProcessEnv;
  fs?: ResolverFs;
  /**
   * true: a missing "run" file, or a secret written as a shell variable, comes back with a
   * warning (the schema turns it into a warning-severity issue). false: silently accepted, for
   * the pass that only wants the data.
   */
  warn: boolean;
  /** Every secret value resolved is added here, the second net behind Secret. */
  redactor?: Redactor;
}

const SOURCE = /^\$\{([a-z]+):(.*)\}$/s;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function createSourceResolver(opts: ResolverOptions): SourceResolver {
  const fs = opts.fs ?? nodeFs;
  const redactor = opts.redactor ?? new Redactor();
  const absolute = (raw: string) => expandPath(raw, opts.dir, opts.env);

  return {
    secret(raw: string): Resolved<Secret> {
      const m = SOURCE.exec(raw);
      if (!m) {
        redactor.add(raw);
        return { ok: true, value: new Secret(raw, "inline"), ...(opts.warn ? shellVariableWarning(raw) : {}) };
      }
      const [, kind = "", arg = ""] = m;
      const r = kind === "env" ? fromEnv(arg, opts.env) : kind === "file" ? fromFile(absolute(arg), fs) : unknownSource(kind);
      if (r.ok) redactor.add(r.value);
      return r;
    },

    localFile(raw: string, use: LocalFileUse): Resolved<string> {
      const abs = absolute(raw);
      if (fs.exists(abs)) return { ok: true, value: abs };
      if (use === "render")
        return { ok: false, message: `${abs} does not exist; give the path of an existing file (relative paths start at the inventory's folder)` };
      if (!opts.warn) return { ok: true, value: abs };
      return { ok: true, value: abs, warning: `${abs} does not exist; provision will need it` };
    },
  };
}

/** `~` and `~/x` are the home folder; relative paths start at the inventory's folder. */
export function expandPath(raw: string, dir: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  if (raw === "~") return home;
  if (raw.startsWith("~/")) return join(home, raw.slice(2));
  return isAbsolute(raw) ? resolvePath(raw) : resolvePath(dir, raw);
}

/** `$NAME` or `${NAME}` as a whole value: meant as a variable, but taken as the text itself (nothing expands it). */
const SHELL_VARIABLE = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/;

function shellVariableWarning(raw: string): { warning?: string } {
  const m = SHELL_VARIABLE.exec(raw);
  const name = m?.[1] ?? m?.[2];
  if (name === undefined) return {};
  // Names the variable, never the value: the value is this text, and the Redactor masks it.
  return {
    warning: `is taken as the literal text, not as a variable (harbor-ha expands no $NAME); write \${env:${name}} to read it from the environment`,
  };
}

function fromEnv(name: string, env: NodeJS.ProcessEnv): Resolved<Secret> {
  if (!ENV_NAME.test(name))
    return { ok: false, message: `"${name}" is not an environment variable name; use \${env:NAME} with letters, digits and "_"` };
  const value = env[name];
  if (value === undefined || value === "")
    return { ok: false, message: `environment variable ${name} is not set; export it before running harbor-ha` };
  return { ok: true, value: new Secret(value, `env:${name}`) };
}

/** The first line of the file, its line ending stripped: secret files are usually written with `echo`. */
function fromFile(abs: string, fs: ResolverFs): Resolved<Secret> {
  const text = fs.readText(abs);
  if (text === undefined) return { ok: false, message: `secret file ${abs} does not exist or cannot be read; create it (mode 0600) or fix the path` };
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  if (firstLine === "") return { ok: false, message: `secret file ${abs} is empty; its first line must hold the secret` };
  return { ok: true, value: new Secret(firstLine, `file:${abs}`) };
}

function unknownSource(kind: string): Resolved<Secret> {
  return { ok: false, message: `unknown source "\${${kind}:…}"; use \${env:NAME}, \${file:path} or the value itself` };
}
