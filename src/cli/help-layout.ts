/**
 * How `--help` lays its text out in the terminal's width. Descriptions are written as one line per
 * paragraph (never hard-wrapped, so nothing is wrapped twice) and as indented rows
 * (`  term   text`); a row's continuation lines hang under its text, as commander lays out options.
 */
import { Help } from "commander";

/**
 * The widest option or argument column: a longer term (--reinitialize-database-destroying-all-data)
 * stands on a line of its own rather than pushing every description past the width, where
 * commander would stop wrapping them.
 */
const MAX_TERM_WIDTH = 40;

/** Overrides for commander's Help (configureHelp), applied to every command. */
export const helpLayout: Partial<Help> = {
  boxWrap: (text: string, width: number) => wrapHelpText(text, width),
  padWidth(cmd, helper) {
    const terms = [
      ...helper.visibleOptions(cmd).map((o) => helper.optionTerm(o)),
      ...helper.visibleGlobalOptions(cmd).map((o) => helper.optionTerm(o)),
      ...helper.visibleCommands(cmd).map((c) => helper.subcommandTerm(c)),
      ...helper.visibleArguments(cmd).map((a) => helper.argumentTerm(a)),
    ];
    return Math.max(0, ...terms.map((t) => helper.displayWidth(t)).filter((w) => w <= MAX_TERM_WIDTH));
  },
  formatItem(this: Help, term, termWidth, description, helper) {
    if (helper.displayWidth(term) <= termWidth) return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
    return `  ${term}\n${Help.prototype.formatItem.call(this, "", termWidth, description, helper)}`;
  },
};

/** Wraps every line of text to width columns; a line that fits is left as it is. */
export function wrapHelpText(text: string, width: number): string {
  return text
    .split("\n")
    .map((line) => wrapLine(line, width))
    .join("\n");
}

function wrapLine(line: string, width: number): string {
  if (line.length <= width) return line;
  const hang = hangingIndent(line, width);
  const lines: string[] = [];
  let current = line.slice(0, hang);
  let filled = false; // whether current holds a word yet, beyond its indent
  for (const word of line.slice(hang).split(/ +/).filter(Boolean)) {
    if (filled && current.length + 1 + word.length > width) {
      lines.push(current);
      current = " ".repeat(hang) + word;
    } else {
      current += (filled ? " " : "") + word;
    }
    filled = true;
  }
  lines.push(current);
  return lines.join("\n");
}

/**
 * Where continuation lines start: under the text of an indented row (`  term   text`: a term,
 * then two spaces or more), else under the line's own indent. A hang past half the width
 * would leave too little room; the indent is used then.
 */
function hangingIndent(line: string, width: number): number {
  const indent = /^ */.exec(line)?.[0].length ?? 0;
  const row = indent > 0 ? /^ +\S+(?: \S+)*? {2,}(?=\S)/.exec(line) : null;
  const hang = row ? row[0].length : indent;
  return hang <= width / 2 ? hang : indent;
}
