/**
 * Remote commands as data: argument lists that quote themselves with ONE quoting
 * function and print their secrets as `***`. Nothing here runs anything; the
 * builders are tested as strings and in a real sh (test/tool/shell/command.test.ts).
 */
import { Secret } from "../inventory/secret.js";

/** What a secret argument looks like in logs and errors. */
export const MASK = "***";

/**
 * The shell operators a command may contain unquoted. A fixed list, so that no
 * caller ever hands a raw, unquoted string to the shell.
 */
export const SHELL_OPERATORS = ["&&", "||", ";", "|", ">", ">>", "<", "2>", "2>>", "2>&1", ">/dev/null", "2>/dev/null"] as const;
export type ShellOperatorText = (typeof SHELL_OPERATORS)[number];

export class ShellOperator {
  constructor(readonly text: ShellOperatorText) {}
}

/** One word of a command: a literal, a secret, an operator, or a nested command passed as ONE word (sh -c). */
export type Arg = string | Secret | ShellOperator | Command;

export class Command {
  readonly argv: readonly Arg[];
  constructor(argv: readonly Arg[]) {
    if (argv.length === 0) throw new Error("harbor-ha: a command needs at least one word");
    this.argv = argv;
  }

  /** The secrets inside this command (nested ones too), for redacting what the command prints. */
  secrets(): Secret[] {
    return this.argv.flatMap((a) => (a instanceof Secret ? [a] : a instanceof Command ? a.secrets() : []));
  }

  /** Masked: safe for logs. Use renderShell(cmd, { reveal: true }) to execute. */
  toString(): string {
    return renderShell(this, { reveal: false });
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A command from its words. */
export function cmd(...argv: Arg[]): Command {
  return new Command(argv);
}

/** An operator word (`|`, `&&`, `>` …), emitted unquoted. */
export function op(text: ShellOperatorText): ShellOperator {
  if (!SHELL_OPERATORS.includes(text)) throw new Error(`harbor-ha: "${text}" is not an allowed shell operator`);
  return new ShellOperator(text);
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * THE quoting function: a word the POSIX shell reads back as exactly `arg`.
 * Plain words stay readable; anything else goes in single quotes, with each
 * `'` written as `'\''` (single quotes keep $, `, \, ! and newlines literal).
 */
export function shellQuote(arg: string): string {
  if (arg !== "" && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A value for a shell variable assignment in a file that is both sourced by sh and read
 * as a systemd EnvironmentFile (/etc/default/*): double quotes, with \\, ", $ and `
 * backslash-escaped, so that both read back exactly `value` and nothing runs.
 */
export function shellDoubleQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, "\\$&")}"`;
}

export interface RenderOptions {
  /** true only for the string sent to the host; false for everything a person may see. */
  reveal: boolean;
}

/** The command as one shell string. */
export function renderShell(command: Command, options: RenderOptions): string {
  return command.argv.map((a) => renderWord(a, options)).join(" ");
}

function renderWord(arg: Arg, options: RenderOptions): string {
  if (arg instanceof ShellOperator) return arg.text;
  if (arg instanceof Secret) return options.reveal ? shellQuote(arg.reveal()) : MASK;
  if (arg instanceof Command) return shellQuote(renderShell(arg, options));
  return shellQuote(arg);
}

/** Commands joined so that each runs only if the one before succeeded: `a && b && c`. */
export function allOf(...commands: Command[]): Command {
  return joinWith("&&", commands);
}

/** Commands run one after the other whatever their exit codes: `a ; b ; c`. */
export function sequence(...commands: Command[]): Command {
  return joinWith(";", commands);
}

/** A pipeline: `a | b | c`. */
export function pipe(...commands: Command[]): Command {
  return joinWith("|", commands);
}

function joinWith(text: "&&" | ";" | "|", commands: Command[]): Command {
  if (commands.length === 0) throw new Error("harbor-ha: nothing to join");
  const argv: Arg[] = [];
  commands.forEach((c, i) => {
    if (i > 0) argv.push(op(text));
    argv.push(...c.argv);
  });
  return new Command(argv);
}

/** `sh -c '<script>'`: the commands run `&&`-joined in one shell, quoted once, here. */
export function shScript(...commands: Command[]): Command {
  return cmd("sh", "-c", allOf(...commands));
}
