/**
 * The hostile corpus: careless and hostile values (line breaks, NUL, blanks at the ends,
 * comment and block signs, quotes, "$", "\", ",", ": ", traversal, non-ASCII, long strings),
 * each put by one small patch into a field whose value lands in a file on the hosts. Each case
 * must be refused by validate, or rendered and read back as itself by the destination's parser.
 */
import type { Base, Patch } from "./patched.js";

export const HOSTILE_VALUES: Readonly<Record<string, string>> = {
  newline: "a\nb",
  crlf: "a\r\nb",
  nul: "a\0b",
  tab: "a\tb",
  leadingBlank: " ab",
  trailingBlank: "ab ",
  hash: "a#b",
  semicolon: "a ;b",
  brace: "a}b",
  quote: 'a"b',
  dollar: "$ab",
  backslash: "a\\b",
  comma: "a,b",
  colonBlank: "a: b",
  unicode: "aé",
  managedKey: "x\nsecretkey_path = /tmp/k",
  long: "x".repeat(4096),
  plain: "ab-1_c.d",
};

/** A field whose value lands on a host, and how a value is put there. */
interface Field {
  name: string;
  base: Base;
  patch(value: string): Patch;
}

const OBJECT_STORE = { type: "object_store", provider: "s3", config: { region: "eu-west-1", bucket: "harbor" } };

const FIELDS: readonly Field[] = [
  { name: "database.user", base: "v1", patch: (v) => [[["database", "user"], v]] },
  { name: "clair_db.user", base: "v1", patch: (v) => [[["clair_db", "user"], v]] },
  { name: "clair_db.database", base: "v1", patch: (v) => [[["clair_db", "database"], v]] },
  { name: "harbor.extra_cfg.email_identity", base: "v1", patch: (v) => [[["harbor", "extra_cfg", "email_identity"], v]] },
  { name: "storage.config.region", base: "v1", patch: (v) => [[["storage"], { ...OBJECT_STORE, config: { ...OBJECT_STORE.config, region: v } }]] },
  { name: "storage.config key", base: "v1", patch: (v) => [[["storage"], { ...OBJECT_STORE, config: { ...OBJECT_STORE.config, [v]: "x" } }]] },
  { name: "storage.options", base: "v1", patch: (v) => [[["storage", "options"], `rw,${v}`]] },
  { name: "storage.registry_export", base: "v1", patch: (v) => [[["storage", "registry_export"], `/exports/${v}`]] },
  { name: "storage.registry_export (2.x)", base: "v2", patch: (v) => [[["storage", "registry_export"], `/exports/${v}`]] },
  { name: "keepalived.auth_pass", base: "v1", patch: (v) => [[["keepalived", "auth_pass"], v.slice(0, 8)]] },
  { name: "keepalived.daemon_options", base: "v1", patch: (v) => [[["keepalived", "daemon_options"], `-D ${v}`]] },
  { name: "installer.install_dir", base: "v2", patch: (v) => [[["installer", "install_dir"], `/opt/${v}`]] },
];

export interface CorpusCase {
  name: string;
  base: Base;
  patch: Patch;
}

/** Whole-path cases the cross product does not make: traversal, shared storage, the VIP. */
const SINGLE: readonly CorpusCase[] = [
  { name: "install_dir climbing out", base: "v1", patch: [[["installer", "install_dir"], "/../../../x"]] },
  { name: "install_dir on the shared storage", base: "v1", patch: [[["installer", "install_dir"], "/data/registry"]] },
  { name: "a /0 VIP", base: "v1", patch: [[["cluster", "vip"], "10.20.0.100/0"]] },
  { name: "the VIP on the database", base: "v1", patch: [[["cluster", "vip"], "10.20.0.31/24"]] },
  { name: "daemon_options --pid=/etc/passwd", base: "v1", patch: [[["keepalived", "daemon_options"], "-D --pid=/etc/passwd"]] },
  { name: "script_user root", base: "v1", patch: [[["keepalived", "script_user"], "root"]] },
];

export const CORPUS: readonly CorpusCase[] = [
  ...FIELDS.flatMap((f) => Object.entries(HOSTILE_VALUES).map(([label, v]) => ({ name: `${f.name}: ${label}`, base: f.base, patch: f.patch(v) }))),
  ...SINGLE,
];
