import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSourceResolver, expandPath } from "../../../src/inventory/resolve.js";
import type { ResolverFs } from "../../../src/inventory/resolve.js";
import { Redactor } from "../../../src/inventory/secret.js";

/** An in-memory file system: the resolver's logic, without touching the disk. */
function memoryFs(files: Record<string, string>): ResolverFs {
  return { readText: (p) => files[p], exists: (p) => p in files };
}

const files = { "/inv/secrets/db": "s3cret-db\nignored\n", "/home/op/.ssh/key": "k", "/inv/empty": "" };
const env = { HOME: "/home/op", DB_PASSWORD: "from-env", EMPTY: "" };

describe("SourceResolver", () => {
  const redactor = new Redactor();
  const resolver = createSourceResolver({ dir: "/inv", env, fs: memoryFs(files), warn: true, redactor });

  it("resolves ${env:NAME}, ${file:path} and inline values, naming their source", () => {
    const fromEnv = resolver.secret("${env:DB_PASSWORD}");
    const fromFile = resolver.secret("${file:secrets/db}");
    const inline = resolver.secret("plain-value");
    assert.ok(fromEnv.ok && fromFile.ok && inline.ok);
    assert.deepEqual([fromEnv.value.reveal(), fromEnv.value.source], ["from-env", "env:DB_PASSWORD"]);
    assert.deepEqual([fromFile.value.reveal(), fromFile.value.source], ["s3cret-db", "file:/inv/secrets/db"]);
    assert.deepEqual([inline.value.reveal(), inline.value.source], ["plain-value", "inline"]);
    // Every resolved value is known to the redactor.
    assert.equal(redactor.redact("a from-env b s3cret-db c plain-value"), "a [redacted] b [redacted] c [redacted]");
  });

  it("explains a secret it cannot resolve", () => {
    assert.deepEqual(resolver.secret("${env:MISSING}"), {
      ok: false,
      message: "environment variable MISSING is not set; export it before running harbor-ha",
    });
    assert.deepEqual(resolver.secret("${env:EMPTY}"), {
      ok: false,
      message: "environment variable EMPTY is not set; export it before running harbor-ha",
    });
    assert.deepEqual(resolver.secret("${file:~/nope}"), {
      ok: false,
      message: "secret file /home/op/nope does not exist or cannot be read; create it (mode 0600) or fix the path",
    });
    assert.deepEqual(resolver.secret("${file:empty}"), {
      ok: false,
      message: "secret file /inv/empty is empty; its first line must hold the secret",
    });
  });

  it("makes a missing render file an error and a missing run file a warning", () => {
    assert.deepEqual(resolver.localFile("~/.ssh/key", "run"), { ok: true, value: "/home/op/.ssh/key" });
    assert.deepEqual(resolver.localFile("tls/x.crt", "render"), {
      ok: false,
      message: "/inv/tls/x.crt does not exist; give the path of an existing file (relative paths start at the inventory's folder)",
    });
    assert.deepEqual(resolver.localFile("bundle.tgz", "run"), {
      ok: true,
      value: "/inv/bundle.tgz",
      warning: "/inv/bundle.tgz does not exist; provision will need it",
    });
    const quiet = createSourceResolver({ dir: "/inv", env, fs: memoryFs(files), warn: false });
    assert.deepEqual(quiet.localFile("bundle.tgz", "run"), { ok: true, value: "/inv/bundle.tgz" });
  });

  it("expands ~ and resolves relative paths against the inventory's folder", () => {
    assert.equal(expandPath("~", "/inv", env), "/home/op");
    assert.equal(expandPath("~/a/b", "/inv", env), "/home/op/a/b");
    assert.equal(expandPath("../x", "/inv/sub", env), "/inv/x");
    assert.equal(expandPath("/abs/./y", "/inv", env), "/abs/y");
  });
});
