/** What every destination format refuses alike: control characters (line breaks, NUL, escapes). Pure. */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** How a control character is named to the operator. */
export function describeControlChar(c: string): string {
  if (c === "\n" || c === "\r") return "a line break";
  if (c === "\t") return "a tab";
  if (c === "\0") return "a NUL byte";
  return `the control character U+${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
}

/** "holds a line break, which would …" when `value` holds a control character; undefined otherwise. */
export function controlCharProblem(value: string, where: string): string | undefined {
  const m = CONTROL.exec(value);
  if (m === null) return undefined;
  return `holds ${describeControlChar(m[0])}, which would change the structure of ${where}; give it on one line, without control characters`;
}
