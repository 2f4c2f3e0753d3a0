/**
 * keepalived.conf as keepalived 2.x's parser reads it: a line is words split at blanks; "#" and
 * "!" start comments, "{" and "}" open and close blocks, `"` quotes, "\" escapes, and "$" names a
 * definition it substitutes. A value is written as one bare word, so it may hold none of these:
 * a value that holds one is refused by validate, never quoted into a form another keepalived
 * release might read differently. Pure: the check validate uses, and the encoder of the render.
 */
import { InternalError } from "../errors.js";
import { controlCharProblem } from "./text.js";

/** The characters keepalived's parser gives a meaning inside a line. */
const SPECIAL = /[\s"'#!{}$\\]/;

/** What is wrong with `value` as one keepalived.conf word, with the fix; undefined when it is read back as itself. */
export function keepalivedWordProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  const control = controlCharProblem(value, "keepalived.conf (a line break ends the setting, and the next line can close its block)");
  if (control !== undefined) return control;
  const m = SPECIAL.exec(value);
  if (m !== null) {
    const what = /\s/.test(m[0]) ? "a blank" : `"${m[0]}"`;
    return (
      `holds ${what}, which keepalived's parser reads as a word break, comment, block, quote or definition; ` +
      "use letters, digits and signs other than blanks and \" ' # ! { } $ \\"
    );
  }
  if (/[^\x21-\x7e]/.test(value)) return "holds a character outside printable ASCII, which keepalived does not read alike everywhere; use ASCII";
  return undefined;
}

/** `value` as one keepalived.conf word; a value validate refuses is a bug here. */
export function keepalivedWord(value: string, what: string): string {
  const problem = keepalivedWordProblem(value);
  if (problem !== undefined) throw new InternalError(`${what} ${problem} (validate refuses it)`);
  return value;
}
