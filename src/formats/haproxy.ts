/**
 * haproxy.cfg as HAProxy 2.6's parser reads it (cfgparse.c, parse_line): a line is words split
 * at blanks; "#" starts a comment; "\" escapes the next character (and "\x41"-style bytes);
 * inside single quotes nothing is special but the closing quote; inside double quotes "\" still
 * escapes and "$NAME" / "${NAME}" are replaced by an environment variable. A quoted part and a
 * bare part side by side make one word. After that, each keyword reads its words its own way:
 * proxy and server names may hold only letters, digits and "-_.:" (invalid_char), a log-format
 * argument (`http-check send … hdr`) reads "%" as a variable, and a regex reads its metacharacters.
 *
 * So a value is written bare when it holds nothing the line parser reads, and single-quoted
 * otherwise ("'" itself as '\'' : close, escaped quote, reopen). Control characters and
 * characters outside printable ASCII are refused, never encoded: a line break would end the
 * setting, and HAProxy reads bytes, not text. Pure: the checks validate uses, and the encoders
 * the render writes haproxy.cfg with.
 */
import { InternalError } from "../errors.js";
import { controlCharProblem } from "./text.js";

const WHERE = "haproxy.cfg (a line break ends the setting, and the next line can start another)";
/** What the line parser reads as itself, outside any quote. */
const BARE = /^[A-Za-z0-9._:/@=+,%-]+$/;
/** What HAProxy accepts in the name of a proxy (frontend, backend) or a server. */
const NAME = /^[A-Za-z0-9_.:-]+$/;

/** What is wrong with `value` as one haproxy.cfg word, with the fix; undefined when it can be written and read back as itself. */
export function haproxyWordProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  const control = controlCharProblem(value, WHERE);
  if (control !== undefined) return control;
  if (/[^\x20-\x7e]/.test(value)) return "holds a character outside printable ASCII, which HAProxy reads as bytes, not as text; use ASCII";
  return undefined;
}

/** `value` as one haproxy.cfg word: bare when the line parser reads it as itself, single-quoted otherwise. */
export function haproxyWord(value: string, what: string): string {
  const problem = haproxyWordProblem(value);
  if (problem !== undefined) throw new InternalError(`${what} ${problem} (validate refuses it)`);
  if (BARE.test(value)) return value;
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** What is wrong with `value` as a proxy or server name, with the fix. */
export function haproxyNameProblem(value: string): string | undefined {
  const word = haproxyWordProblem(value);
  if (word !== undefined) return word;
  if (!NAME.test(value)) return 'holds a character HAProxy refuses in a proxy or server name; use letters, digits and "-", "_", ".", ":"';
  return undefined;
}

/** `value` as a proxy or server name (never quoted: HAProxy refuses any character that would need it). */
export function haproxyName(value: string, what: string): string {
  const problem = haproxyNameProblem(value);
  if (problem !== undefined) throw new InternalError(`${what} ${problem} (validate refuses it)`);
  return value;
}

/** What is wrong with `value` as literal text in a log-format argument (`hdr Host <value>`). */
export function haproxyLogFormatProblem(value: string): string | undefined {
  const word = haproxyWordProblem(value);
  if (word !== undefined) return word;
  if (/[%\\"']/.test(value))
    return 'holds "%", "\\" or a quote, which HAProxy\'s log-format reads as a variable, an escape or a quote; leave them out';
  return undefined;
}

/** `value` as a log-format word whose text is `value` itself. */
export function haproxyLogFormatWord(value: string, what: string): string {
  const problem = haproxyLogFormatProblem(value);
  if (problem !== undefined) throw new InternalError(`${what} ${problem} (validate refuses it)`);
  return haproxyWord(value, what);
}

/** `value` as regex text that matches exactly `value` (every metacharacter escaped); still to be written with haproxyWord. */
export function haproxyRegexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `value` in a comment line: anything on one line (a "#" comment ends at the line's end). */
export function haproxyComment(value: string, what: string): string {
  const control = controlCharProblem(value, WHERE);
  if (control !== undefined) throw new InternalError(`${what} ${control} (validate refuses it)`);
  return value;
}
