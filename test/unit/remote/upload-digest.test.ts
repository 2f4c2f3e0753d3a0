/**
 * No digest of an uploaded file on the host's command line: every user of the host reads
 * command lines (`ps`), and the sha256 of keepalived.conf, whose only unknown is a short
 * auth_pass, gives the password away by brute force. The sums travel on stdin instead.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { renderShell } from "../../../src/shell/command.js";
import { buildAtomicUpload } from "../../../src/remote/upload.js";
import { buildAtomicUploadBatch } from "../../../src/remote/upload-batch.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const KEEPALIVED = "vrrp_instance VI_1 {\n  authentication {\n    auth_type PASS\n    auth_pass s3cr3t\n  }\n}\n";
const SECRETKEY = "0123456789abcdef";

test("a single upload puts no sha256 of its content on the command line; stdin holds the sum, then the content", () => {
  const u = buildAtomicUpload({ path: "/etc/keepalived/keepalived.conf", content: KEEPALIVED, mode: 0o600 });
  const line = renderShell(u.command, { reveal: true });
  assert.ok(!line.includes(sha(KEEPALIVED)), "the digest is on the command line");
  assert.ok(!/[0-9a-f]{64}/.test(line), "no 64-hex word at all on the command line");
  assert.deepEqual(u.command.argv.slice(4), ["/etc/keepalived/keepalived.conf", "0600", "root:root"]);
  assert.equal(u.stdin.toString("utf8"), sha(KEEPALIVED) + KEEPALIVED);
});

test("a batch upload puts no sha256 on the command line; stdin holds one sum a line, in order, then the contents", () => {
  const b = buildAtomicUploadBatch([
    { path: "/etc/keepalived/keepalived.conf", content: KEEPALIVED, mode: 0o600 },
    { path: "/data/secret/keys/secretkey", content: SECRETKEY, mode: 0o600, owner: "10000" },
  ]);
  const line = renderShell(b.command, { reveal: true });
  for (const c of [KEEPALIVED, SECRETKEY]) assert.ok(!line.includes(sha(c)), "a digest is on the command line");
  assert.ok(!/[0-9a-f]{64}/.test(line), "no 64-hex word at all on the command line");
  assert.deepEqual(b.command.argv.slice(4), [
    "/etc/keepalived/keepalived.conf",
    "0600",
    "root:root",
    String(KEEPALIVED.length),
    "0",
    "/data/secret/keys/secretkey",
    "0600",
    "10000:10000",
    String(SECRETKEY.length),
    "1",
  ]);
  assert.equal(b.stdin.toString("utf8"), `${sha(KEEPALIVED)}\n${sha(SECRETKEY)}\n${KEEPALIVED}${SECRETKEY}`);
});
