/** The observed state of one host, as facts.sh reported it. Plain data. */
import type { HaproxyServerStat } from "./haproxy-stat.js";

export interface FileFact {
  present: boolean;
  mode?: number;
  owner?: string;
  group?: string;
  uid?: string;
  gid?: string;
  sha256?: string;
  /** The file's identity (device:inode:size:mtime:ctime, times to the nanosecond): what a remembered checksum is kept by. */
  id?: string;
  /** The current content, only when it differs from the desired one and is not sensitive. */
  content?: string;
}

/** A directory: what a file has, less the content. */
export type DirFact = Omit<FileFact, "sha256" | "content">;

export interface MountFact {
  source: string;
  fstype: string;
  options: string;
}

/**
 * What `<program> --version` answered: absent from PATH, or its exit status and output (stdout
 * and stderr). `id`: the program file's identity (device, inode, size, mtime, ctime) when it
 * was asked; `unchanged`: the host did not run it again, its file being the one of `id` (the
 * answer then comes from the caller's cache: gather/facts.ts).
 */
export type VersionFact = { found: false } | { found: true; exitCode: number; output: string; id?: string; unchanged?: boolean };

export interface HostFacts {
  init: "systemd" | "sysv";
  files: Record<string, FileFact>;
  dirs: Record<string, DirFact>;
  packages: Record<string, boolean>;
  users: Record<string, boolean>;
  /** Mounted filesystems at the asked targets; null when nothing is mounted there. */
  mounts: Record<string, MountFact | null>;
  /** The /etc/fstab line for the asked targets; null when there is none. */
  fstab: Record<string, string | null>;
  sysctls: Record<string, string | null>;
  interfaces: Record<string, boolean>;
  /** VIP address → held by this host. */
  vips: Record<string, boolean>;
  /** address → answers ping (absent when ping is not installed). */
  pings: Record<string, boolean>;
  /** "host:port" → reachable from this host. */
  tcp: Record<string, boolean>;
  /** path → free KiB on its filesystem. */
  diskFreeKb: Record<string, number>;
  stamps: Record<string, string | null>;
  /** path → envlines checksum (facts/queries.ts); null when the file is absent or unreadable. */
  envLines: Record<string, string | null>;
  /** path → how many of the expected lines (a "lines" query) the file holds; null when it is absent or unreadable. */
  lines: Record<string, number | null>;
  /** url → HTTP status (0 when nothing answered). */
  http: Record<string, number>;
  vipChain?: { hooked: boolean; rules: string[] };
  keepalived?: { running: boolean; pid?: number };
  /** Load balancers asked (load_balancing: haproxy, or a switch away from it): whether HAProxy runs. */
  haproxy?: { running: boolean; pid?: number };
  /** url → what Harbor's API answered there (status 0: nothing answered; body: the response, or curl's error). */
  api: Record<string, { status: number; body: string }>;
  /** program → what `program --version` answered. */
  versions: Record<string, VersionFact>;
  /** Node addresses with a drain marker on this (load balancer) host. */
  drained?: string[];
  /** HAProxy's servers as its runtime API lists them now (asked in haproxy mode); null: the socket did not answer. */
  haproxyServers?: HaproxyServerStat[] | null;
  /**
   * Files read whole (adopt's read facts): path → content, "absent" when there is no readable
   * regular file, "too-big" past READ_MAX_BYTES. May hold secrets: never printed.
   */
  reads?: Record<string, { state: "present"; content: string } | { state: "absent" | "too-big" }>;
  /** Pending-change markers on this host: name → since (seconds since the epoch). */
  pending: Record<string, number>;
}
