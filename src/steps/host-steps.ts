/**
 * Steps shared by every role: packages, users, directories and files, each compared
 * with the host's facts. Pure.
 */
import type { Redactor } from "../inventory/secret.js";
import type { DesiredDirectory, DesiredFile, DesiredHost, Handler } from "../desired/types.js";
import type { DirFact, FileFact, HostFacts } from "../facts/types.js";
import { sha256Hex } from "../facts/queries.js";
import { octal } from "./format.js";
import { createSystemUserCommand, ensureDirectoryCommand, installPackagesCommand } from "./commands.js";
import { renderFileDiff } from "./diff.js";
import type { Phase, Step } from "./types.js";

export function planPackages(d: DesiredHost, f: HostFacts, phase: Phase): Step[] {
  const missing = d.packages.filter((p) => f.packages[p] !== true);
  if (missing.length === 0) return [];
  return [
    {
      host: d.host.name,
      phase,
      kind: "package",
      title: `install ${missing.join(", ")}`,
      reason: "not installed",
      action: { type: "run", command: installPackagesCommand(missing), timeoutMs: 600_000 },
    },
  ];
}

export function planUsers(d: DesiredHost, f: HostFacts, phase: Phase): Step[] {
  return d.users
    .filter((u) => f.users[u] !== true)
    .map((u) => ({
      host: d.host.name,
      phase,
      kind: "user" as const,
      title: `create system user ${u}`,
      reason: "absent",
      action: { type: "run" as const, command: createSystemUserCommand(u) },
    }));
}

export function planDirectories(dirs: readonly DesiredDirectory[], host: string, f: HostFacts, phase: Phase): Step[] {
  const steps: Step[] = [];
  for (const d of dirs) {
    const reason = directoryDrift(d, f.dirs[d.path]);
    if (reason)
      steps.push({
        host,
        phase,
        kind: "directory",
        title: `directory ${d.path} (${octal(d.mode)} ${d.owner}:${d.group})`,
        reason,
        action: { type: "run", command: ensureDirectoryCommand(d) },
      });
  }
  return steps;
}

export interface FilePlan {
  steps: Step[];
  /** Handlers to run because a file they depend on is written. */
  handlers: Set<Handler>;
}

/** One step per file that is absent or differs. */
export function planFiles(files: readonly DesiredFile[], host: string, f: HostFacts, phase: Phase, redactor: Redactor): FilePlan {
  const steps: Step[] = [];
  const handlers = new Set<Handler>();
  for (const file of files) {
    const fact = f.files[file.path];
    const reason = fileDrift(file, fact);
    if (!reason) continue;
    const diff = renderFileDiff(file, fact, redactor);
    steps.push({
      host,
      phase,
      kind: "file",
      ...(file.tls === true ? { role: "tls-file" as const } : {}),
      title: `write ${file.path} (${octal(file.mode)} ${file.owner}:${file.group})`,
      reason: `${reason} — ${file.description}`,
      ...(diff === undefined ? {} : { diff }),
      action: file.check ? { type: "upload", file, check: file.check } : { type: "upload", file },
    });
    for (const h of file.onChange) handlers.add(h);
  }
  return { steps, handlers };
}

/** Why a file must be written, or undefined when it is as desired. */
export function fileDrift(file: DesiredFile, fact: FileFact | undefined): string | undefined {
  if (!fact?.present) return "absent";
  if (fact.sha256 !== sha256Hex(file.content)) return file.sensitive ? "content differs (not shown: sensitive)" : "content differs";
  if (fact.mode !== file.mode) return `mode ${octal(fact.mode ?? 0)} → ${octal(file.mode)}`;
  if (!sameOwner(file.owner, fact.owner, fact.uid) || !sameOwner(file.group, fact.group, fact.gid))
    return `owner ${fact.owner}:${fact.group} → ${file.owner}:${file.group}`;
  return undefined;
}

function directoryDrift(d: DesiredDirectory, fact: DirFact | undefined): string | undefined {
  if (!fact?.present) return "absent";
  if (fact.mode !== d.mode) return `mode ${octal(fact.mode ?? 0)} → ${octal(d.mode)}`;
  if (!sameOwner(d.owner, fact.owner, fact.uid) || !sameOwner(d.group, fact.group, fact.gid))
    return `owner ${fact.owner}:${fact.group} → ${d.owner}:${d.group}`;
  return undefined;
}

/** Desired owners are names ("root") or numbers ("10000", which has no name on most hosts). */
function sameOwner(desired: string, name: string | undefined, id: string | undefined): boolean {
  return desired === name || desired === id;
}
