/**
 * /etc/fstab, as util-linux's libmount reads it (fstab(5)): a line is six fields split at
 * blanks; a blank inside a field is written as an octal escape (\040 for a space, \011 for a
 * tab, \134 for the backslash itself), which libmount decodes; a line starting with "#" is a
 * comment. The mount options are one field of comma-separated `name` or `name=value` words.
 * Pure: the checks validate uses, and the encoder the fstab line is built with.
 */
import { InternalError } from "../errors.js";
import { controlCharProblem } from "./text.js";

/** One mount option: a name, optionally `=` and a value, none holding a blank, comma, quote or "#". */
const OPTION = /^[A-Za-z0-9_.-]+(=[A-Za-z0-9_.:/@+=-]+)?$/;

/** What is wrong with a path or source field of an fstab line (the blanks and "\" are encoded, not refused). */
export function fstabPathProblem(value: string): string | undefined {
  return controlCharProblem(value, "an /etc/fstab line");
}

/** What is wrong with the mount options field, or undefined when every option is a plain `name[=value]`. */
export function fstabOptionsProblem(value: string): string | undefined {
  if (value === "") return 'is empty: give the mount options, such as "rw,hard,noatime,nfsvers=4.1"';
  const bad = value.split(",").find((o) => !OPTION.test(o));
  if (bad === undefined) return undefined;
  const shown = JSON.stringify(bad);
  return (
    `holds ${bad === "" ? "an empty option (two commas in a row, or one at an end)" : `the option ${shown}`}, which is not ` +
    "a name or name=value of letters, digits and _ . - (values also : / @ + =); blanks, line breaks, quotes and " +
    '"#" would change the /etc/fstab line; write the options comma-separated without blanks, such as "rw,hard,nfsvers=4.1"'
  );
}

/** An fstab field as libmount reads it back: blanks and "\" as octal escapes. */
export function encodeFstabPath(value: string): string {
  const problem = fstabPathProblem(value);
  if (problem !== undefined) throw new InternalError(`fstab field ${JSON.stringify(value)} ${problem} (validate refuses it)`);
  return value.replace(/[\\ ]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/** The line for one mount: source, target, type and options, no dump, no fsck pass. */
export function encodeFstabLine(m: { source: string; target: string; fstype: string; options: string }): string {
  const problem = fstabOptionsProblem(m.options);
  if (problem !== undefined) throw new InternalError(`fstab options ${JSON.stringify(m.options)} ${problem} (validate refuses them)`);
  return `${encodeFstabPath(m.source)} ${encodeFstabPath(m.target)} ${encodeFstabPath(m.fstype)} ${m.options} 0 0`;
}
