/**
 * /etc/os-release read into the target system: its ID, ID_LIKE and VERSION_ID (os-release(5):
 * shell-style KEY=value lines, values optionally quoted). Pure; tested on the files the
 * supported systems ship.
 */

export const OS_RELEASE_PATH = "/etc/os-release";

/** The families harbor-ha knows how to configure: package names and daemon-option files differ. */
export type TargetFamily = "debian" | "rhel";

export interface OsRelease {
  /** "debian", "ubuntu", "rhel", "rocky", "almalinux", … */
  id: string;
  idLike: string[];
  /** "12", "22.04", "9.4"; "" when absent (Debian testing). */
  versionId: string;
  prettyName: string;
}

export function parseOsRelease(content: string): OsRelease {
  const values = new Map<string, string>();
  for (const line of content.split("\n")) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const [, key = "", raw = ""] = m;
    values.set(key, unquote(raw.trim()));
  }
  const id = (values.get("ID") ?? "").toLowerCase();
  return {
    id,
    idLike: (values.get("ID_LIKE") ?? "").toLowerCase().split(/\s+/).filter(Boolean),
    versionId: values.get("VERSION_ID") ?? "",
    prettyName: values.get("PRETTY_NAME") ?? id,
  };
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) return v.slice(1, -1).replace(/\\(["$`\\])/g, "$1");
  return v;
}

/** Debian and its derivatives (Ubuntu), or Red Hat's (RHEL, Rocky, Alma, CentOS, Fedora); undefined for any other. */
export function targetFamilyOf(os: OsRelease): TargetFamily | undefined {
  const ids = [os.id, ...os.idLike];
  if (ids.some((i) => i === "debian" || i === "ubuntu")) return "debian";
  if (ids.some((i) => i === "rhel" || i === "fedora" || i === "centos")) return "rhel";
  return undefined;
}
