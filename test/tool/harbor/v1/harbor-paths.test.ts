/**
 * harbor-ha's ha/ copies hold exactly the live files' content, and the files Harbor really
 * uses are paired with that content (what status compares).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import { harborLiveFiles } from "../../../../src/harbor/v1/paths.js";
import type { DesiredHost } from "../../../../src/desired/types.js";
import { buildTestInventory, inventoryData, makeTestTls, readFixtureState } from "../../../support/inventories.js";

const content = (h: DesiredHost, path: string) => h.files.find((f) => f.path === path)?.content;

test("https: six ha/ copies equal the live files; Harbor's live files are paired with them", async () => {
  const state = await readFixtureState();
  const tls = makeTestTls("registry.test.example", true);
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "https", vrrpMode: "unicast", withCa: true }), tls);
  const node = renderDesiredState(inv, state).hosts[2] as DesiredHost;
  const copies: Array<[string, string | undefined]> = [
    ["/opt/harbor/ha/server.crt", content(node, "/data/cert/server.crt")],
    ["/opt/harbor/ha/server.key", content(node, "/data/cert/server.key")],
    ["/opt/harbor/ha/ca.crt", content(node, "/data/ca_download/ca.crt")],
    ["/opt/harbor/ha/secretkey", state.secretkey.reveal()],
    ["/opt/harbor/ha/private_key.pem", state.tokenPrivateKey.reveal()],
    ["/opt/harbor/ha/root.crt", state.tokenCertificatePem],
  ];
  for (const [path, want] of copies) {
    const f = node.files.find((x) => x.path === path);
    assert.ok(f && want !== undefined, `${path} is rendered`);
    assert.equal(f.content, want, path);
    assert.deepEqual(f.onChange, ["reinstall-harbor"], `${path} is an install.sh input`);
    assert.equal(f.sensitive, /key|secretkey/.test(path.split("/").pop() ?? ""), `${path} sensitive exactly when secret`);
    assert.match(f.description, /prepare --ha copies it/);
  }
  assert.ok(!node.files.some((f) => f.path.includes("/common/")), "Harbor's common/templates are left as shipped");

  const live = harborLiveFiles(inv, node).map((l) => [l.path, l.renderedFrom, l.content === content(node, l.renderedFrom)]);
  assert.deepEqual(live, [
    ["/opt/harbor/common/config/ui/private_key.pem", "/opt/harbor/ha/private_key.pem", true],
    ["/opt/harbor/common/config/registry/root.crt", "/opt/harbor/ha/root.crt", true],
    ["/data/secretkey", "/opt/harbor/ha/secretkey", true],
    ["/opt/harbor/common/config/nginx/cert/server.crt", "/opt/harbor/ha/server.crt", true],
    ["/opt/harbor/common/config/nginx/cert/server.key", "/opt/harbor/ha/server.key", true],
    ["/data/ca_download/ca.crt", "/opt/harbor/ha/ca.crt", true],
  ]);
});

test("http without TLS: no certificate copies; the token pair and the secretkey still go through ha/", async () => {
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }));
  const node = renderDesiredState(inv, await readFixtureState()).hosts[2] as DesiredHost;
  const ha = node.files.filter((f) => f.path.startsWith("/opt/harbor/ha/")).map((f) => f.path);
  assert.deepEqual(ha, ["/opt/harbor/ha/secretkey", "/opt/harbor/ha/private_key.pem", "/opt/harbor/ha/root.crt"]);
  assert.deepEqual(
    harborLiveFiles(inv, node).map((l) => l.path),
    ["/opt/harbor/common/config/ui/private_key.pem", "/opt/harbor/common/config/registry/root.crt", "/data/secretkey"],
  );
});

test("the TLS files, their ha/ copies among them, are marked as TLS material (rotate-certs writes them); the token pair and the secretkey are not", async () => {
  const tls = makeTestTls("registry.test.example", true);
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "https", vrrpMode: "unicast", withCa: true }), tls);
  const [lb, , node] = renderDesiredState(inv, await readFixtureState()).hosts as DesiredHost[];
  const marked = (h: DesiredHost | undefined) => (h?.files ?? []).filter((f) => f.tls === true).map((f) => f.path);
  assert.deepEqual(marked(node), [
    "/data/cert/server.crt",
    "/data/cert/server.key",
    "/data/ca_download/ca.crt",
    "/opt/harbor/ha/server.crt",
    "/opt/harbor/ha/server.key",
    "/opt/harbor/ha/ca.crt",
  ]);
  assert.deepEqual(marked(lb), ["/etc/keepalived/harbor-ca.crt"]);
});
