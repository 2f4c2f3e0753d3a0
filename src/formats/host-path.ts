/**
 * A path on the hosts, as harbor-ha writes it into commands, configuration files and render
 * trees: absolute, already in its one normal form (no ".", "..", "//" or trailing "/"), so that
 * what validate compares (the shared storage against install_dir, a file against the render's
 * folder) is what the host resolves. Pure.
 */
import { controlCharProblem } from "./text.js";

/** What is wrong with `value` as a path on the hosts, with the fix; undefined when it is a normal absolute path. */
export function hostPathProblem(value: string): string | undefined {
  if (!value.startsWith("/")) return "must be an absolute path";
  const control = controlCharProblem(value, "the commands and files it is written into");
  if (control !== undefined) return control;
  if (value === "/") return undefined;
  const segments = value.slice(1).split("/");
  if (segments.some((s) => s === "." || s === ".."))
    return `holds a "." or ".." segment; give the path it stands for, written without them (${normalDisplay(segments)})`;
  if (segments.some((s) => s === "")) return `holds "//" or ends with "/"; write it as ${normalDisplay(segments)}`;
  return undefined;
}

/** The normal form of a path's segments, for the fix in a message. */
function normalDisplay(segments: readonly string[]): string {
  const out: string[] = [];
  for (const s of segments) {
    if (s === "" || s === ".") continue;
    if (s === "..") out.pop();
    else out.push(s);
  }
  return `/${out.join("/")}`;
}

/** Whether `path` is `base` or lies under it (both normal absolute paths). */
export function isOnOrUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(base === "/" ? "/" : `${base}/`);
}
