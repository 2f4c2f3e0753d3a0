/** Small constructors shared by the per-role renderers. */
import type { ConfigCheck, DesiredDirectory, DesiredFile, Handler, SecretKeys } from "./types.js";

export interface FileSpec {
  path: string;
  content: string;
  mode: number;
  description: string;
  onChange?: Handler[];
  sensitive?: boolean;
  secretKeys?: SecretKeys;
  owner?: string;
  group?: string;
  tls?: boolean;
  check?: ConfigCheck;
}

/** A root-owned file; content gets its final newline here so no template can forget it. */
export function desiredFile(spec: FileSpec): DesiredFile {
  return {
    path: spec.path,
    content: withFinalNewline(spec.content),
    mode: spec.mode,
    owner: spec.owner ?? "root",
    group: spec.group ?? "root",
    sensitive: spec.sensitive ?? false,
    onChange: spec.onChange ?? [],
    description: spec.description,
    ...(spec.secretKeys === undefined ? {} : { secretKeys: spec.secretKeys }),
    ...(spec.tls === true ? { tls: true } : {}),
    ...(spec.check === undefined ? {} : { check: spec.check }),
  };
}

/** A file whose exact bytes matter (Harbor's secretkey must be 16 bytes, no newline). */
export function exactFile(spec: FileSpec): DesiredFile {
  return { ...desiredFile(spec), content: spec.content };
}

export function desiredDirectory(path: string, mode: number, owner = "root", group = owner): DesiredDirectory {
  return { path, mode, owner, group };
}

export function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
