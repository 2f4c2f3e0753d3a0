/**
 * The target systems harbor-ha configures, and what differs between their families: package
 * names, and the file keepalived's daemon options go to (Debian's init script and unit read
 * DAEMON_ARGS from /etc/default/keepalived; RHEL's unit reads KEEPALIVED_OPTIONS from
 * /etc/sysconfig/keepalived and ignores /etc/default). The family comes from each host's
 * /etc/os-release (a fact); a host whose os-release was not read is taken as Debian, as before.
 * Also the keepalived the rendered keepalived.conf needs. Pure; the README's "Target systems"
 * table says which releases are supported and what each ships. The lab is Debian only: the
 * other families' plans are unit-tested (test/unit/plan/target-system.test.ts).
 */
import type { DesiredFile, DesiredHost } from "../desired/types.js";
import type { HostFacts, VersionFact } from "../facts/types.js";
import { OS_RELEASE_PATH, parseOsRelease, targetFamilyOf } from "../facts/os-release.js";
import type { OsRelease, TargetFamily } from "../facts/os-release.js";
import { versionAtLeast } from "../facts/versions.js";
import type { Version } from "../facts/versions.js";
import type { PreflightProblem } from "../steps/types.js";
import { sha256Hex } from "../facts/queries.js";
import type { FactQuery } from "../facts/queries.js";

/** Where keepalived's daemon options go, and the variable its service reads them from. */
export const DAEMON_OPTIONS: Record<TargetFamily, { path: string; variable: string }> = {
  debian: { path: "/etc/default/keepalived", variable: "DAEMON_ARGS" },
  rhel: { path: "/etc/sysconfig/keepalived", variable: "KEEPALIVED_OPTIONS" },
};

/** Package names the render uses (Debian's) as each family names them; a name absent here is the same. */
const PACKAGE_NAMES: Record<TargetFamily, Readonly<Record<string, string>>> = {
  debian: {},
  rhel: { "nfs-common": "nfs-utils" },
};

/** The releases the README's table lists as supported. */
const SUPPORTED: ReadonlyArray<{ ids: readonly string[]; versions: readonly string[]; name: string }> = [
  { ids: ["debian"], versions: ["11", "12"], name: "Debian 11/12" },
  { ids: ["ubuntu"], versions: ["20.04", "22.04", "24.04"], name: "Ubuntu 20.04/22.04/24.04" },
  { ids: ["rhel", "rocky", "almalinux"], versions: ["8", "9"], name: "RHEL, Rocky or AlmaLinux 8/9" },
];
const SUPPORTED_LIST = SUPPORTED.map((s) => s.name).join(", ");

/**
 * The oldest keepalived the rendered keepalived.conf works with: its global_defs set
 * enable_script_security and script_user, which keepalived 1.3.0 introduced (older releases
 * reject the keywords and would run check.sh as root).
 */
export const MIN_KEEPALIVED: readonly [number, number, number] = [1, 3, 0];

/** The host's os-release, when it was read. */
export function osReleaseOf(f: HostFacts): OsRelease | undefined {
  const fact = f.files[OS_RELEASE_PATH];
  return fact?.present && fact.content !== undefined ? parseOsRelease(fact.content) : undefined;
}

/** The host's family: from its os-release; Debian when it was not read (what harbor-ha always assumed). */
export function targetFamily(f: HostFacts): TargetFamily | undefined {
  const os = osReleaseOf(f);
  return os === undefined ? "debian" : targetFamilyOf(os);
}

/** The desired host as `family` names it: its packages, and keepalived's daemon-options file. */
export function adaptToTarget(d: DesiredHost, family: TargetFamily): DesiredHost {
  if (family === "debian") return d;
  const names = PACKAGE_NAMES[family];
  return { ...d, packages: d.packages.map((p) => names[p] ?? p), files: d.files.map((f) => daemonOptionsFor(f, family)) };
}

function daemonOptionsFor(f: DesiredFile, family: TargetFamily): DesiredFile {
  const debian = DAEMON_OPTIONS.debian;
  if (f.path !== debian.path) return f;
  const target = DAEMON_OPTIONS[family];
  const content = f.content.replace(new RegExp(`^${debian.variable}=`, "m"), `${target.variable}=`);
  return { ...f, path: target.path, content };
}

/** The queries that tell the family and the keepalived release: every host's os-release; a load balancer's other daemon-options file and keepalived --version. */
export function targetQueries(d: DesiredHost): FactQuery[] {
  const q: FactQuery[] = [{ kind: "file", path: OS_RELEASE_PATH, desiredSha256: "", showContent: true }];
  if (d.host.role !== "loadbalancer") return q;
  const rhel = adaptToTarget(d, "rhel").files.find((f) => f.path === DAEMON_OPTIONS.rhel.path);
  if (rhel) q.push({ kind: "file", path: rhel.path, desiredSha256: sha256Hex(rhel.content), showContent: true });
  q.push({ kind: "version", program: "keepalived" });
  return q;
}

/** What refuses a host before anything changes: a system of no known family, a keepalived too old for the rendered config. */
export function targetProblems(d: DesiredHost, f: HostFacts): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const os = osReleaseOf(f);
  if (os && targetFamilyOf(os) === undefined)
    problems.push({
      host: d.host.name,
      message: `runs ${os.prettyName}, which is not a supported target system (${SUPPORTED_LIST})`,
      hint: "Use a supported system for this host (README: Target systems); harbor-ha would not know its package names or daemon-option files.",
    });
  if (d.host.role === "loadbalancer") {
    const v = parseKeepalivedVersion(f.versions["keepalived"]);
    if (v && !versionAtLeast(v, MIN_KEEPALIVED))
      problems.push({
        host: d.host.name,
        message: `keepalived ${v.text} is older than ${MIN_KEEPALIVED.join(".")}, which the rendered keepalived.conf needs (enable_script_security and script_user in global_defs)`,
        hint: `Upgrade keepalived on ${d.host.name} to ${MIN_KEEPALIVED.join(".")} or later (every supported system ships one: README: Target systems).`,
      });
  }
  return problems;
}

/** "Keepalived v2.2.7 (01/16,2022)", as `keepalived --version` prints it (on stderr); undefined when not installed. */
export function parseKeepalivedVersion(fact: VersionFact | undefined): Version | undefined {
  if (!fact?.found) return undefined;
  const m = /Keepalived v(\d+)\.(\d+)\.(\d+)/i.exec(fact.output);
  if (!m) return undefined;
  const [, major = "0", minor = "0", patch = "0"] = m;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), text: `${major}.${minor}.${patch}` };
}
