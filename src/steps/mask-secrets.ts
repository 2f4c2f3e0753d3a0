/**
 * Masks the values of secret-bearing keys in the two sides of a file diff, whatever the
 * value: the host's old (and maybe still live) password as much as the new one, and values
 * too short for the Redactor. A changed value stays visible as a changed line: the new side
 * says "(changed)", so "-db_password = [redacted]" / "+db_password = [redacted] (changed)".
 * Pure.
 */
import { REDACTED } from "../inventory/secret.js";
import type { SecretKeys } from "../desired/types.js";

export const CHANGED_MARK = "(changed)";

interface SecretLine {
  key: string;
  /** Everything before the value, kept as it is. */
  head: string;
  value: string;
}

const INI_LINE = /^(\s*([A-Za-z0-9_.-]+)\s*[=:]\s*)(.*)$/;
const KEEPALIVED_LINE = /^(\s*([A-Za-z0-9_]+)\s+)(\S.*)$/;

function secretLine(line: string, spec: SecretKeys): SecretLine | undefined {
  const m = (spec.syntax === "ini" ? INI_LINE : KEEPALIVED_LINE).exec(line);
  if (!m) return undefined;
  const [, head = "", rawKey = "", value = ""] = m;
  // ConfigParser lower-cases names: `DB_Password` is db_password.
  const key = spec.syntax === "ini" ? rawKey.toLowerCase() : rawKey;
  if (!spec.keys.includes(key) || value.trim() === "") return undefined;
  return { key, head, value };
}

/** The secret values of one text, by key, in order of appearance. */
function valuesByKey(text: string, spec: SecretKeys): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const s = secretLine(line, spec);
    if (s) found.set(s.key, [...(found.get(s.key) ?? []), s.value]);
  }
  return found;
}

function maskText(text: string, spec: SecretKeys, changed: (key: string, nth: number, value: string) => boolean): string {
  const seen = new Map<string, number>();
  return text
    .split("\n")
    .map((line) => {
      const s = secretLine(line, spec);
      if (!s) return line;
      const nth = seen.get(s.key) ?? 0;
      seen.set(s.key, nth + 1);
      return `${s.head}${REDACTED}${changed(s.key, nth, s.value) ? ` ${CHANGED_MARK}` : ""}`;
    })
    .join("\n");
}

/**
 * Both sides with every secret value replaced by REDACTED. A value that differs from the
 * old side's (same key, same occurrence) gets CHANGED_MARK on the new side, so the diff
 * still shows the line; an unchanged one masks to identical lines and shows no change.
 */
export function maskSecretValues(before: string, after: string, spec: SecretKeys): { before: string; after: string } {
  const old = valuesByKey(before, spec);
  return {
    before: maskText(before, spec, () => false),
    after: maskText(after, spec, (key, nth, value) => {
      const was = old.get(key);
      return was !== undefined && was[Math.min(nth, was.length - 1)] !== value;
    }),
  };
}
