/**
 * Values that land in /etc/fstab and harbor.cfg are encoded there or refused by validate
 * (formats/fstab.ts, formats/ini.ts): issue 22's cases, each once through validate and once
 * through the encoder the render uses.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeFstabLine } from "../../../src/formats/fstab.js";
import { encodeIniLine, encodeProviderConfig } from "../../../src/formats/ini.js";
import { describeErrors, describeRefused, loadPatched } from "./patched.js";
import type { RefusedCase } from "./patched.js";

const NFS = ["storage"] as const;
const OBJECT_STORE = { type: "object_store", provider: "s3", config: { region: "eu-west-1", bucket: "harbor" } };

const REFUSED: RefusedCase[] = [
  {
    name: "fstab options with a newline and a second line",
    base: "v1",
    patch: [[[...NFS, "options"], "rw,hard\n/dev/X /root ext4 defaults"]],
    path: "storage.options",
  },
  { name: "fstab options with fields and a comment", base: "v1", patch: [[[...NFS, "options"], "rw 0 0 #x"]], path: "storage.options" },
  { name: "fstab options on 2.x", base: "v2", patch: [[[...NFS, "options"], "rw\n/dev/X /root ext4 defaults"]], path: "storage.options" },
  {
    name: "an export path with a newline",
    base: "v1",
    patch: [[[...NFS, "registry_export"], "/exports/r\n/dev/X /root ext4 defaults 0 0"]],
    path: "storage.registry_export",
  },
  {
    name: "an export path with a newline (2.x)",
    base: "v2",
    patch: [[[...NFS, "registry_export"], "/exports/r\nx"]],
    path: "storage.registry_export",
  },
  {
    name: "database.user repeating a managed key",
    base: "v1",
    patch: [[["database", "user"], "harbor\nsecretkey_path = /x"]],
    path: "database.user",
  },
  { name: "clair_db.user with a newline", base: "v1", patch: [[["clair_db", "user"], "clair\ndb_host = evil"]], path: "clair_db.user" },
  {
    name: "clair_db.database with a newline",
    base: "v1",
    patch: [[["clair_db", "database"], "postgres\nhostname = evil"]],
    path: "clair_db.database",
  },
  { name: "database.user with a comment after a blank", base: "v1", patch: [[["database", "user"], "harbor ;x"]], path: "database.user" },
  {
    name: "an object-store value that adds a parameter",
    base: "v1",
    patch: [[["storage"], { ...OBJECT_STORE, config: { ...OBJECT_STORE.config, region: "eu-west-1, regionendpoint: http://x" } }]],
    path: "storage.config.region",
  },
  {
    name: "an object-store key with a newline",
    base: "v1",
    patch: [[["storage"], { ...OBJECT_STORE, config: { ...OBJECT_STORE.config, "a\nsecretkey_path = /x": "v" } }]],
    path: 'storage.config["a\\nsecretkey_path = /x"]',
  },
  {
    name: "an object-store value the registry's YAML reads as another",
    base: "v1",
    patch: [[["storage"], { ...OBJECT_STORE, config: { ...OBJECT_STORE.config, bucket: "*harbor" } }]],
    path: "storage.config.bucket",
  },
];

describeRefused("validate refuses values that would change /etc/fstab or harbor.cfg", REFUSED, (world) => {
  it("a plain object store and NFS options with values still validate", () => {
    const s3 = loadPatched(world(), "v1", [
      [["storage"], { ...OBJECT_STORE, config: { ...OBJECT_STORE.config, regionendpoint: "http://minio:9000", secure: false } }],
    ]);
    assert.equal(describeErrors(s3), "(no errors)");
    const nfs = loadPatched(world(), "v1", [[[...NFS, "options"], "rw,hard,timeo=600,sec=krb5p,nfsvers=4.1"]]);
    assert.equal(describeErrors(nfs), "(no errors)");
  });
});

describe("the encoders", () => {
  it("fstab: a blank and a backslash in a path become octal escapes; options with a blank are a bug", () => {
    const line = encodeFstabLine({ source: "nas:/exports/my share\\x", target: "/data/registry", fstype: "nfs", options: "rw,hard" });
    assert.equal(line, "nas:/exports/my\\040share\\134x /data/registry nfs rw,hard 0 0");
    assert.throws(() => encodeFstabLine({ source: "nas:/e", target: "/d", fstype: "nfs", options: "rw 0 0 #x" }), /internal error/);
    assert.throws(() => encodeFstabLine({ source: "nas:/e\n/dev/X", target: "/d", fstype: "nfs", options: "rw" }), /line break/);
  });

  it("harbor.cfg: a value with a line break or a managed-key continuation is a bug, not a line", () => {
    assert.equal(encodeIniLine("db_user", "harbor"), "db_user = harbor");
    assert.equal(encodeIniLine("email_ssl", ""), "email_ssl =");
    assert.throws(() => encodeIniLine("db_user", "harbor\nsecretkey_path = /x"), /line break/);
    assert.throws(() => encodeIniLine("Db_User", "x"), /lower-case/);
    assert.equal(
      encodeProviderConfig([
        ["region", "eu-west-1"],
        ["secure", true],
        ["chunksize", 5242880],
      ]),
      "region: eu-west-1, secure: true, chunksize: 5242880",
    );
    assert.throws(() => encodeProviderConfig([["region", "eu-west-1, regionendpoint: http://x"]]), /","/);
  });
});
