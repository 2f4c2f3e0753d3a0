/** The installer bundle's cache: computed once per version of the file, never served for another. */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BUNDLE_CACHE_FILE, readThroughBundleCache } from "../../../src/cache/bundle-cache.js";

describe("bundle cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-bundle-cache-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, "state");
  const bundle = join(dir, "bundle.tgz");

  /** Reads through the cache, counting the real reads. */
  function counter() {
    let calls = 0;
    const read = (name = "sha256") =>
      readThroughBundleCache(state, bundle, name, async () => `${name} of ${readFileSync(bundle, "utf8")} #${++calls}`);
    return { read, calls: () => calls };
  }

  it("reads the bundle once, then answers from the state folder; each name on its own", async () => {
    writeFileSync(bundle, "v1");
    const c = counter();
    assert.equal(await c.read(), "sha256 of v1 #1");
    assert.equal(await c.read(), "sha256 of v1 #1");
    assert.equal(await c.read("harbor/ha/registry.sql"), "harbor/ha/registry.sql of v1 #2");
    assert.equal(await c.read(), "sha256 of v1 #1", "adding a name keeps the others");
    assert.equal(c.calls(), 2);
  });

  it("reads again when the bundle changed, even to the same size with its old mtime put back", async () => {
    const c = counter();
    const before = await c.read();
    writeFileSync(bundle, "v2");
    utimesSync(bundle, new Date(0), new Date(0));
    assert.notEqual(await c.read(), before);
    assert.equal(c.calls(), 1);
    appendFileSync(bundle, "!");
    assert.match(await c.read(), /of v2! #2$/);
  });

  it("a cache file that is not ours is ignored and replaced; a bundle that is gone is the reader's error", async () => {
    writeFileSync(join(state, BUNDLE_CACHE_FILE), "{ not json");
    const c = counter();
    assert.match(await c.read(), /#1$/);
    assert.match(await c.read(), /#1$/);
    rmSync(bundle);
    await assert.rejects(c.read(), /ENOENT/);
  });
});
