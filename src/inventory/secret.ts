import { inspect } from "node:util";

/** What every secret prints as, wherever it ends up: logs, diffs, errors, JSON. */
export const REDACTED = "[redacted]";

/**
 * A secret value from the inventory (password, passphrase, private key).
 *
 * It never turns into its value by accident: string conversion, JSON and
 * util.inspect all print REDACTED. The only way to the value is `reveal()`,
 * which the renderer calls for the files that need it.
 */
export class Secret {
  readonly #value: string;
  /** Where the value came from ("env:HARBOR_DB_PASSWORD", "file:/x", "inline"), safe to print. */
  readonly source: string;

  constructor(value: string, source = "inline") {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

/**
 * Replaces every known secret value in a text with REDACTED. Used on
 * everything that leaves the process (log lines, diffs, error messages),
 * as a second net behind the Secret type itself.
 */
export class Redactor {
  readonly #values: string[] = [];

  add(...secrets: Array<Secret | string | undefined>): this {
    for (const s of secrets) {
      const value = s instanceof Secret ? s.reveal() : s;
      // Very short values would redact ordinary words; keepalived's auth pass is the shortest
      // real secret and is at least 4 characters in any sane inventory.
      if (value && value.length >= 4 && !this.#values.includes(value)) this.#values.push(value);
    }
    // Longest first, so a secret that contains another is masked whole.
    this.#values.sort((a, b) => b.length - a.length);
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.#values) {
      out = out.split(value).join(REDACTED);
      // Multi-line secrets (private keys) are also masked line by line, so a diff
      // that shows only part of a key still shows none of it.
      if (value.includes("\n")) {
        for (const line of value.split("\n")) {
          if (line.length >= 16) out = out.split(line).join(REDACTED);
        }
      }
    }
    return out;
  }
}

/** Every Secret a value holds, however deep (an inventory's data: its passwords, keys, object-store credentials). */
export function secretsIn(value: unknown): Secret[] {
  const found: Secret[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Secret) found.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}
