/**
 * The captured hosts whose real facts.sh answers the fake hosts repeat: each case is a small
 * fake root (the files, folders, users, packages, /proc and /sys entries, addresses, NAT rules
 * and listeners facts.sh reads, and stand-ins for the two programs whose output no root can fix:
 * df's free space and ping), and the queries asked of it, each named for the variant of answer
 * it shows ("pkg present", "file absent", …).
 *
 * scripts/capture-facts-fixtures runs the real templates/remote/facts.sh on each (in-namespace.ts: a
 * chroot in its own mount and network namespaces) and commits the answer as
 * test/fixtures/facts/hosts/<case>.txt; test/tool/facts/fixtures.test.ts runs it again and
 * fails when an answer differs. The fakes (answers.ts) answer a query with its variant's lines
 * of the committed answer, each hole's literal replaced by the fake host's value: what facts.sh
 * prints, in which order and words, comes from facts.sh alone.
 *
 * A hole is a literal of the answer the fake replaces: the text itself, or its base64 (`base64`)
 * or octal (`octal`) form. A list (`item`) is one item's text as facts.sh prints it in the
 * answer (its separator included), with holes inside: the fake prints one such per item.
 */
import { Secret } from "../../../src/inventory/secret.js";
import type { FactQuery } from "../../../src/facts/queries.js";
import { sha256Hex } from "../../../src/facts/queries.js";

export type Hole = string | { base64: string } | { octal: number } | { item: string; holes: Record<string, string> };

export interface Variant {
  /** What the fake asks for, e.g. "file present, shown". */
  name: string;
  query: FactQuery;
  /** A literal only this variant's answer lines hold (the asked path, name, url…; the kind for those asked once). */
  find: string;
  holes: Record<string, Hole>;
}

export interface RootFile {
  content: string;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch (pending markers carry theirs). */
  mtime?: number;
}

export interface FactsHostCase {
  name: string;
  about: string;
  /** Files by absolute path in the fake root, /proc and /sys entries included; parents made as needed. */
  files: Record<string, RootFile>;
  dirs: Record<string, { mode: number; uid: number; gid: number }>;
  /** /etc/passwd and /etc/group of the root: name → id. */
  users: Record<string, number>;
  groups: Record<string, number>;
  /** Programs on PATH before the system's (sh scripts): stand-ins for df and ping, programs asked --version. */
  programs: Record<string, string>;
  /** Programs of the system hidden from facts.sh (command -v finds none). */
  hidden: string[];
  /** Addresses on lo in the case's network namespace (CIDR), NAT rules (iptables -t nat arguments, in order). */
  addresses: string[];
  nat: string[][];
  /** TCP ports listening on 127.0.0.1 (an HTTP server answering `http` by path with its status and body). */
  http: { port: number; answers: Record<string, { status: number; body: string }> } | undefined;
  /** A unix socket in the root answering HAProxy's runtime API with this text. */
  haproxySocket: { path: string; answer: string } | undefined;
  variants: Variant[];
}

const DIR = "/srv/hha-facts";
const SAME = "same content\n";
const OLD = "old line ü\n\tAll sorts: {}[]$`\\'\" 0123456789\n";
const NEW = "new line\n";
const FSTAB_LINE = "nfs.example:/exports/registry\t/srv/hha-facts/registry\tnfs\trw,hard,noatime,nfsvers=4.1\t0\t0";
const ENV = "CONFIG_PATH=/etc/core/app.conf\nCSRF_KEY=k3y\nCORE_SECRET=c0re\nCORE_URL=http://core:8080\n";
const VERSION_OUTPUT = "Keepalived v2.2.7 (01/16,2022)\n";
const SYSTEMINFO = '{"harbor_version":"v2.15.1-lab","auth_mode":"db_auth"}';
const RULE = "-A HARBOR_HA_VIP -d 10.20.0.100/32 -p tcp -m tcp --dport 443 -j REDIRECT";
/** `show stat` CSV (the columns the parser reads), one server; facts.sh keeps no trailing newline of it. */
const HAPROXY_STAT = "# pxname,svname,scur,status,check_status,addr\nharbor_https,node1,0,UP,L4OK,10.20.0.21:443";
const CURL_CONFIG = new Secret('user = "admin:Harbor12345"\n');
const DF = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda1         41152736 12345678  27000000      32% /\n";

const root = { uid: 0, gid: 0 };
const fileQuery = (path: string, desired: string, show = true): FactQuery => ({
  kind: "file",
  path,
  desiredSha256: sha256Hex(desired),
  showContent: show,
});

/** A load balancer and node with everything present, running, held, open and answering. */
const everything: FactsHostCase = {
  name: "everything-present",
  about: "systemd; files, folders, users, packages, mounts present; keepalived and HAProxy running; VIP held and hooked; listeners answering",
  files: {
    "/run/systemd/system/.keep": { content: "", mode: 0o644, ...root },
    [`${DIR}/same.conf`]: { content: SAME, mode: 0o640, uid: 4242, gid: 4343 },
    [`${DIR}/shown.conf`]: { content: OLD, mode: 0o600, uid: 4242, gid: 4343 },
    [`${DIR}/stamp`]: { content: "2.15.1\nsecond line\n", mode: 0o644, ...root },
    [`${DIR}/env`]: { content: ENV, mode: 0o600, ...root },
    "/var/lib/dpkg/status": {
      content: "Package: keepalived\nStatus: install ok installed\nVersion: 1:2.2.7-1\nArchitecture: amd64\n\n",
      mode: 0o644,
      ...root,
    },
    "/proc/self/mounts": { content: "nfs.example:/exports/registry /srv/hha-facts/registry nfs4 rw,relatime,vers=4.1 0 0\n", mode: 0o444, ...root },
    "/etc/fstab": { content: `# /etc/fstab\n${FSTAB_LINE}\n`, mode: 0o644, ...root },
    "/proc/sys/net/ipv4/ip_nonlocal_bind": { content: "1\n", mode: 0o644, ...root },
    "/sys/class/net/eth7/ifindex": { content: "2\n", mode: 0o444, ...root },
    "/run/keepalived.pid": { content: "913\n", mode: 0o644, ...root },
    "/proc/913/comm": { content: "keepalived\n", mode: 0o444, ...root },
    "/proc/913/status": { content: "Name:\tkeepalived\nUmask:\t0022\nState:\tS (sleeping)\n", mode: 0o444, ...root },
    "/run/haproxy.pid": { content: "914\n", mode: 0o644, ...root },
    "/proc/914/comm": { content: "haproxy\n", mode: 0o444, ...root },
    "/proc/914/status": { content: "Name:\thaproxy\nState:\tS (sleeping)\n", mode: 0o444, ...root },
    "/var/lib/harbor-ha/drain/10.20.0.21": { content: "", mode: 0o644, ...root },
    "/var/lib/harbor-ha/pending/reload-keepalived": { content: "", mode: 0o644, ...root, mtime: 1_700_000_000 },
  },
  dirs: { [`${DIR}/dir`]: { mode: 0o750, uid: 4242, gid: 4343 } },
  users: { root: 0, hhaowner: 4242 },
  groups: { root: 0, hhagroup: 4343 },
  programs: {
    df: `#!/bin/sh\nprintf '%s' '${DF}'\n`,
    ping: '#!/bin/sh\n# ping -c 1 -W 1 -- ADDRESS: only 10.20.0.100 answers\nfor a; do :; done\n[ "$a" = 10.20.0.100 ]\n',
    keepalived: `#!/bin/sh\nprintf '%s' '${VERSION_OUTPUT}' >&2\nexit 3\n`,
  },
  hidden: [],
  addresses: ["10.20.0.100/32"],
  nat: [
    ["-N", "HARBOR_HA_VIP"],
    ["-A", "PREROUTING", "-j", "HARBOR_HA_VIP"],
    ["-A", "HARBOR_HA_VIP", "-d", "10.20.0.100/32", "-p", "tcp", "--dport", "443", "-j", "REDIRECT"],
  ],
  http: { port: 8080, answers: { "/api/v2.0/ping": { status: 200, body: "Pong" }, "/api/v2.0/systeminfo": { status: 200, body: SYSTEMINFO } } },
  haproxySocket: { path: "/run/haproxy/admin.sock", answer: HAPROXY_STAT },
  variants: [
    {
      name: "file present",
      query: fileQuery(`${DIR}/same.conf`, SAME),
      find: `${DIR}/same.conf`,
      holes: {
        path: `${DIR}/same.conf`,
        sha256: sha256Hex(SAME),
        id: "IDENTITY",
        mode: { octal: 0o640 },
        owner: "hhaowner",
        group: "hhagroup",
        uid: "4242",
        gid: "4343",
      },
    },
    {
      name: "file present, shown",
      query: fileQuery(`${DIR}/shown.conf`, NEW),
      find: `${DIR}/shown.conf`,
      holes: {
        path: `${DIR}/shown.conf`,
        sha256: sha256Hex(OLD),
        id: "IDENTITY",
        content: { base64: OLD },
        mode: { octal: 0o600 },
        owner: "hhaowner",
        group: "hhagroup",
        uid: "4242",
        gid: "4343",
      },
    },
    { name: "file absent", query: fileQuery(`${DIR}/absent.conf`, NEW), find: `${DIR}/absent.conf`, holes: { path: `${DIR}/absent.conf` } },
    {
      name: "dir present",
      query: { kind: "dir", path: `${DIR}/dir` },
      find: `${DIR}/dir`,
      holes: { path: `${DIR}/dir`, mode: { octal: 0o750 }, owner: "hhaowner", group: "hhagroup", uid: "4242", gid: "4343" },
    },
    { name: "dir absent", query: { kind: "dir", path: `${DIR}/no-dir` }, find: `${DIR}/no-dir`, holes: { path: `${DIR}/no-dir` } },
    { name: "pkg present", query: { kind: "pkg", name: "keepalived" }, find: "\tkeepalived\tpresent", holes: { name: "keepalived" } },
    { name: "pkg absent", query: { kind: "pkg", name: "hha-no-such-package" }, find: "hha-no-such-package", holes: { name: "hha-no-such-package" } },
    { name: "user present", query: { kind: "user", name: "hhaowner" }, find: "\thhaowner\t", holes: { name: "hhaowner" } },
    { name: "user absent", query: { kind: "user", name: "hha-no-such-user" }, find: "hha-no-such-user", holes: { name: "hha-no-such-user" } },
    {
      name: "mount mounted",
      query: { kind: "mount", target: `${DIR}/registry` },
      find: "nfs4",
      holes: { target: `${DIR}/registry`, source: "nfs.example:/exports/registry", fstype: "nfs4", options: "rw,relatime,vers=4.1" },
    },
    { name: "mount none", query: { kind: "mount", target: `${DIR}/unmounted` }, find: `${DIR}/unmounted`, holes: { target: `${DIR}/unmounted` } },
    {
      name: "fstab line",
      query: { kind: "fstab", target: `${DIR}/registry` },
      find: "nfsvers=4.1",
      holes: { line: FSTAB_LINE, target: `${DIR}/registry` },
    },
    {
      name: "fstab none",
      query: { kind: "fstab", target: `${DIR}/not-in-fstab` },
      find: `${DIR}/not-in-fstab`,
      holes: { target: `${DIR}/not-in-fstab` },
    },
    {
      name: "sysctl value",
      query: { kind: "sysctl", key: "net.ipv4.ip_nonlocal_bind" },
      find: "net.ipv4.ip_nonlocal_bind",
      holes: { key: "net.ipv4.ip_nonlocal_bind", value: "1" },
    },
    { name: "sysctl none", query: { kind: "sysctl", key: "hha.no.such.key" }, find: "hha.no.such.key", holes: { key: "hha.no.such.key" } },
    { name: "iface present", query: { kind: "iface", name: "eth7" }, find: "eth7", holes: { name: "eth7" } },
    { name: "iface absent", query: { kind: "iface", name: "hhanope0" }, find: "hhanope0", holes: { name: "hhanope0" } },
    { name: "vip held", query: { kind: "vip", address: "10.20.0.100" }, find: "vip\t10.20.0.100", holes: { address: "10.20.0.100" } },
    { name: "vip free", query: { kind: "vip", address: "10.20.0.101" }, find: "vip\t10.20.0.101", holes: { address: "10.20.0.101" } },
    {
      name: "tcp open",
      query: { kind: "tcp", host: "127.0.0.1", port: 8080 },
      find: "tcp\t127.0.0.1:8080",
      holes: { host: "127.0.0.1", port: "8080" },
    },
    {
      name: "tcp closed",
      query: { kind: "tcp", host: "127.0.0.1", port: 8099 },
      find: "tcp\t127.0.0.1:8099",
      holes: { host: "127.0.0.1", port: "8099" },
    },
    { name: "disk", query: { kind: "disk", path: `${DIR}/data` }, find: `${DIR}/data`, holes: { path: `${DIR}/data`, kb: "27000000" } },
    { name: "stamp value", query: { kind: "stamp", path: `${DIR}/stamp` }, find: `${DIR}/stamp`, holes: { path: `${DIR}/stamp`, value: "2.15.1" } },
    { name: "stamp none", query: { kind: "stamp", path: `${DIR}/no-stamp` }, find: `${DIR}/no-stamp`, holes: { path: `${DIR}/no-stamp` } },
    {
      name: "envlines sum",
      query: { kind: "envlines", path: `${DIR}/env`, keys: ["CORE_SECRET", "CSRF_KEY"] },
      find: `${DIR}/env`,
      holes: { path: `${DIR}/env`, sum: sha256Hex("CORE_SECRET=c0re\nCSRF_KEY=k3y\n") },
    },
    {
      name: "envlines absent",
      query: { kind: "envlines", path: `${DIR}/no-env`, keys: ["CORE_SECRET"] },
      find: `${DIR}/no-env`,
      holes: { path: `${DIR}/no-env` },
    },
    {
      name: "http status",
      query: { kind: "http", url: "http://127.0.0.1:8080/api/v2.0/ping" },
      find: "v2.0/ping",
      holes: { url: "http://127.0.0.1:8080/api/v2.0/ping", status: "200" },
    },
    {
      name: "harbor-api answer",
      query: { kind: "harbor-api", url: "http://127.0.0.1:8080/api/v2.0/systeminfo", curlConfig: CURL_CONFIG },
      find: "v2.0/systeminfo",
      // facts.sh keeps the newline before curl's status line in the body.
      holes: { url: "http://127.0.0.1:8080/api/v2.0/systeminfo", status: "200", body: { base64: `${SYSTEMINFO}\n` } },
    },
    { name: "vipchain hooked", query: { kind: "vipchain" }, find: "vipchain\t", holes: { rules: { item: `${RULE};`, holes: { rule: RULE } } } },
    { name: "keepalived running", query: { kind: "keepalived" }, find: "keepalived\trunning", holes: { pid: "913" } },
    { name: "haproxy running", query: { kind: "haproxy" }, find: "haproxy\trunning", holes: { pid: "914" } },
    { name: "drain", query: { kind: "drain" }, find: "drain\t", holes: { names: { item: "10.20.0.21 ", holes: { name: "10.20.0.21" } } } },
    {
      name: "pending",
      query: { kind: "pending", path: "/var/lib/harbor-ha/pending" },
      find: "/var/lib/harbor-ha/pending",
      holes: {
        path: "/var/lib/harbor-ha/pending",
        markers: { item: "reload-keepalived=1700000000.0000000000 ", holes: { name: "reload-keepalived", at: "1700000000" } },
      },
    },
    {
      name: "haproxy-stat ok",
      query: { kind: "haproxy-stat", socket: "/run/haproxy/admin.sock" },
      find: "haproxy-stat\t",
      holes: { socket: "/run/haproxy/admin.sock", csv: { base64: HAPROXY_STAT } },
    },
    { name: "ping answers", query: { kind: "ping", address: "10.20.0.100" }, find: "ping\t10.20.0.100", holes: { address: "10.20.0.100" } },
    { name: "ping silent", query: { kind: "ping", address: "10.20.0.101" }, find: "ping\t10.20.0.101", holes: { address: "10.20.0.101" } },
    {
      name: "version found",
      query: { kind: "version", program: "keepalived" },
      find: "version\tkeepalived",
      holes: { output: { base64: VERSION_OUTPUT }, id: "IDENTITY", program: "keepalived", exit: "3" },
    },
    {
      name: "version missing",
      query: { kind: "version", program: "hha-no-such-program" },
      find: "hha-no-such-program",
      holes: { program: "hha-no-such-program" },
    },
  ],
};

/** A bare host: sysv, nothing running, nothing listening, no ping installed. */
const bare: FactsHostCase = {
  name: "nothing-running",
  about:
    "sysv init; keepalived and HAProxy stopped (a stale pid file), the NAT chain not hooked (a rule in it), no drain folder, HAProxy's socket silent, no ping",
  files: {
    "/run/keepalived.pid": { content: "4711\n", mode: 0o644, ...root },
    "/proc/4711/comm": { content: "bash\n", mode: 0o444, ...root },
  },
  dirs: {},
  users: { root: 0 },
  groups: { root: 0 },
  programs: {},
  hidden: ["ping"],
  addresses: [],
  nat: [
    ["-N", "HARBOR_HA_VIP"],
    ["-A", "HARBOR_HA_VIP", "-d", "10.20.0.100/32", "-p", "tcp", "--dport", "443", "-j", "REDIRECT"],
  ],
  http: undefined,
  haproxySocket: undefined,
  variants: [
    { name: "init sysv", query: { kind: "vipchain" }, find: "init\t", holes: {} },
    { name: "vipchain unhooked", query: { kind: "vipchain" }, find: "vipchain\t", holes: { rules: { item: `${RULE};`, holes: { rule: RULE } } } },
    { name: "keepalived stopped", query: { kind: "keepalived" }, find: "keepalived\t", holes: {} },
    { name: "haproxy stopped", query: { kind: "haproxy" }, find: "haproxy\t", holes: {} },
    {
      name: "http none",
      query: { kind: "http", url: "http://127.0.0.1:8099/api/v2.0/ping" },
      find: "http\t",
      holes: { url: "http://127.0.0.1:8099/api/v2.0/ping" },
    },
    {
      name: "haproxy-stat unreadable",
      query: { kind: "haproxy-stat", socket: "/run/haproxy/admin.sock" },
      find: "haproxy-stat\t",
      holes: { socket: "/run/haproxy/admin.sock" },
    },
    { name: "ping unknown", query: { kind: "ping", address: "10.20.0.100" }, find: "ping\t10.20.0.100", holes: { address: "10.20.0.100" } },
  ],
};

/** The frame comes with every answer (the fakes take the first case's), and the init line: the first case's carries systemd. */
for (const c of [everything, bare]) {
  c.variants.push(
    { name: "start", query: { kind: "keepalived" }, find: "facts\t", holes: {} },
    { name: "end", query: { kind: "keepalived" }, find: "end\t", holes: {} },
  );
}
everything.variants.push({ name: "init systemd", query: { kind: "keepalived" }, find: "init\t", holes: {} });

export const FACTS_HOST_CASES: readonly FactsHostCase[] = [everything, bare];
