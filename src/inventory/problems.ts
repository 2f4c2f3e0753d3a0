/**
 * Problems as the checks produce them: located by path segments, before the
 * loader turns the path into text and finds its line in the YAML.
 */
export type PathSegment = string | number;

export interface ProblemDraft {
  at: PathSegment[];
  message: string;
  severity: "error" | "warning";
  /** Where to point when the problem is about something absent (e.g. `tls` needed by `cluster.protocol`). */
  lineAt?: PathSegment[];
}

export function problemError(at: PathSegment[], message: string, lineAt?: PathSegment[]): ProblemDraft {
  return lineAt === undefined ? { at, message, severity: "error" } : { at, message, severity: "error", lineAt };
}

export function problemWarning(at: PathSegment[], message: string, lineAt?: PathSegment[]): ProblemDraft {
  return lineAt === undefined ? { at, message, severity: "warning" } : { at, message, severity: "warning", lineAt };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `load_balancers[1].priority`; keys that are not plain words are quoted: `extra_cfg["a.b"]`. */
export function formatPath(at: readonly PathSegment[]): string {
  let out = "";
  for (const seg of at) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
