/**
 * harbor.cfg as Harbor 1.x's prepare reads it: Python 2's RawConfigParser over the file with a
 * "[configuration]" line put before it. A value ends at its line's end (a following line that
 * starts with a blank continues it, any other line starts a new key, and ConfigParser keeps the
 * last of two), is stripped of blanks, reads `""` as empty, and loses everything from a ";"
 * that follows a blank. Keys are lower-cased and end at the first ":" or "=".
 *
 * registry_storage_provider_config is a harbor.cfg value with a format of its own: prepare
 * splits it at every "," and writes each `key: value` item, unquoted, as a line of the
 * registry's config.yml, which Go's YAML 1.1 reader reads back.
 *
 * Pure: the checks validate uses, and the encoder harbor.cfg's lines are built with.
 */
import { parse } from "yaml";
import { InternalError } from "../errors.js";
import { controlCharProblem } from "./text.js";

/** The keys this file writes: lower-case words, as ConfigParser would turn them into anyway. */
const INI_KEY = /^[a-z_][a-z0-9_]*$/;

/** What ConfigParser would read differently from `text`, with what to do; undefined when it reads `text` back. */
export function iniValueProblem(text: string): string | undefined {
  const control = controlCharProblem(text, "harbor.cfg (a line break ends the value, and the next line can set another key)");
  if (control !== undefined) return control;
  if (text !== text.trim()) return "begins or ends with a blank, which Harbor's ConfigParser strips; remove the blank";
  if (text === '""') return 'is "", which Harbor\'s ConfigParser reads as empty; leave the key out or give another value';
  const semicolon = text.search(/\s;/);
  if (semicolon >= 0) return 'holds " ;", where Harbor\'s ConfigParser cuts the value off as a comment; remove the blank before ";"';
  return undefined;
}

/** `key = value`, or `key =` for an empty value (ConfigParser reads both; no trailing blank). */
export function encodeIniLine(key: string, value: string): string {
  if (!INI_KEY.test(key)) throw new InternalError(`harbor.cfg key ${JSON.stringify(key)} is not a lower-case word (validate refuses it)`);
  const problem = iniValueProblem(value);
  if (problem !== undefined) throw new InternalError(`harbor.cfg value of ${key} ${problem} (validate refuses it)`);
  return value === "" ? `${key} =` : `${key} = ${value}`;
}

/** A storage driver parameter's name, as the registry's drivers spell theirs (accesskey, regionendpoint, v4auth). */
const PROVIDER_KEY = /^[a-z][a-z0-9_]*$/;

export type ProviderValue = string | number | boolean;

/** What is wrong with one storage driver parameter's name, or undefined. */
export function providerKeyProblem(key: string): string | undefined {
  if (PROVIDER_KEY.test(key)) return undefined;
  return (
    "is not a storage driver parameter name (lower-case letters, digits and _, such as regionendpoint): " +
    "Harbor writes it unquoted into the registry's config.yml, where anything else would be read as other keys"
  );
}

/**
 * What is wrong with one storage driver parameter's value, or undefined when the registry
 * reads `key: value` back as this very value (YAML 1.1, as Go's yaml.v2 reads it).
 */
export function providerValueProblem(key: string, value: ProviderValue): string | undefined {
  const text = String(value);
  const ini = iniValueProblem(text);
  if (ini !== undefined) return ini;
  if (text.includes(",")) {
    return (
      'holds ",", where Harbor\'s prepare splits registry_storage_provider_config into parameters: the rest would ' +
      "become a parameter of its own; give a value without commas"
    );
  }
  let read: unknown;
  try {
    read = (parse(`${key}: ${text}`, { version: "1.1" }) as Record<string, unknown> | null)?.[key];
  } catch {
    read = undefined;
  }
  if (read === value) return undefined;
  return (
    "is read back by the registry as another value (it may be a secret, so it is not shown): " +
    "Harbor writes it unquoted into the registry's config.yml (YAML), where quotes, a leading YAML sign " +
    '(such as * & ! | > \' " % @ `), ": ", " #" or words such as yes/no/on/off/null change it; give a plain value'
  );
}

/** registry_storage_provider_config: `key: value` items joined by ", ", as prepare splits them again. */
export function encodeProviderConfig(config: ReadonlyArray<readonly [string, ProviderValue]>): string {
  return config
    .map(([key, value]) => {
      const problem = providerKeyProblem(key) ?? providerValueProblem(key, value);
      if (problem !== undefined) throw new InternalError(`storage.config.${key} ${problem} (validate refuses it)`);
      return `${key}: ${String(value)}`;
    })
    .join(", ");
}
