/**
 * The example inventory rendered with the fixed cluster state (real DesiredHost values to plan
 * against), and hand-built facts: a bare host, and a host that already matches the render.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { collectSecrets } from "../../src/run/collect-secrets.js";
import { emptyFacts } from "../../src/facts/parse.js";
import { sha256Hex } from "../../src/facts/queries.js";
import type { HostFacts } from "../../src/facts/types.js";
import { readInventory } from "../../src/inventory/load.js";
import type { Harbor1Inventory } from "../../src/inventory/model.js";
import { harbor1 } from "./harbor1.js";
import { Redactor } from "../../src/inventory/secret.js";
import { projectRoot } from "../../src/paths.js";
import { fstabLine } from "../../src/steps/commands.js";
import { bundleRemotePath, INSTALL_STAMP_PATH, installDigest } from "../../src/plan/harbor-node.js";
import { generationOf } from "../../src/harbor/generations.js";
import type { BundleInfo } from "../../src/plan/harbor-node.js";
import { LB_SYSCTLS } from "../../src/plan/loadbalancer.js";
import type { PlanContext } from "../../src/plan/plan-cluster.js";
import { harborDir } from "../../src/harbor/v1/paths.js";
import { renderDesiredState } from "../../src/render/desired-state.js";
import type { DesiredFile, DesiredHost, DesiredState } from "../../src/desired/types.js";
import { vipParts } from "../../src/inventory/model.js";
import { readFixtureState } from "./inventories.js";
import { harborLiveFiles } from "../../src/harbor/v1/paths.js";
import { configurationsUrl, desiredDbSettings, SETTINGS_STAMP_PATH, settingDigest, settingsNode } from "../../src/harbor/v1/settings.js";

const EXAMPLE_DIR = join(projectRoot(), "inventory");

export const inv: Harbor1Inventory = harbor1((await readInventory(join(EXAMPLE_DIR, "example.yaml"), { env: {} })).inventory);
const state = await readFixtureState();
export const desired: DesiredState = renderDesiredState(inv, state);
export const bundle: BundleInfo = { localPath: "/srv/bundles/harbor-offline-installer-v1.4.0.tgz", sha256: sha256Hex("the installer bundle") };
export const redactor = new Redactor().add(...collectSecrets(inv)).add(state.secretkey, state.tokenPrivateKey);
export const MARKER = "harbor-ha example 2024-01-01T00:00:00.000Z 0123456789abcdef0123456789abcdef";
export const ctx: PlanContext = { inv, redactor, bundle, sharedStorageMarker: MARKER };
export const VIP = vipParts(inv).address;

/** The example's secret files, as the operator wrote them (first line, as the resolver reads them). */
export const EXAMPLE_SECRETS: string[] = readdirSync(join(EXAMPLE_DIR, "example", "secrets")).map((n) =>
  (readFileSync(join(EXAMPLE_DIR, "example", "secrets", n), "utf8").split("\n")[0] ?? "").trim(),
);

export function hostNamed(name: string): DesiredHost {
  const h = desired.hosts.find((x) => x.host.name === name);
  if (!h) throw new Error(`no host ${name} in the example render`);
  return h;
}

export function fileOf(d: DesiredHost, path: string): DesiredFile {
  const f = d.files.find((x) => x.path === path);
  if (!f) throw new Error(`${d.host.name} has no ${path}`);
  return f;
}

/** Owners like "10000" have no name on most hosts: stat reports UNKNOWN and the number. */
export function ownerFact(owner: string, group: string): { owner: string; group: string; uid: string; gid: string } {
  const id = (n: string) => (n === "root" ? "0" : /^\d+$/.test(n) ? n : "999");
  const name = (n: string) => (/^\d+$/.test(n) ? "UNKNOWN" : n);
  return { owner: name(owner), group: name(group), uid: id(owner), gid: id(group) };
}

/** A freshly installed OS: nothing of ours, but the interface, network and disk are fine. */
export function bareFacts(d: DesiredHost): HostFacts {
  const f = emptyFacts();
  const lb = inv.data.load_balancers.find((l) => l.name === d.host.name);
  if (lb) f.interfaces[lb.interface] = true;
  f.tcp[`${inv.data.database.host}:${inv.data.database.port}`] = true;
  f.tcp[`${inv.data.redis.host}:${inv.data.redis.port}`] = true;
  if (inv.data.clair_db) f.tcp[`${inv.data.clair_db.host}:${inv.data.clair_db.port}`] = true;
  f.diskFreeKb[inv.data.installer.install_dir] = 50 * 1024 * 1024;
  return f;
}

/** Facts of a host on which a previous run succeeded: everything as the render wants it. */
export function matchingFacts(d: DesiredHost): HostFacts {
  const f = bareFacts(d);
  for (const p of d.packages) f.packages[p] = true;
  for (const u of d.users) f.users[u] = true;
  for (const dir of d.directories) f.dirs[dir.path] = { present: true, mode: dir.mode, ...ownerFact(dir.owner, dir.group) };
  for (const file of d.files)
    f.files[file.path] = { present: true, mode: file.mode, ...ownerFact(file.owner, file.group), sha256: sha256Hex(file.content) };
  for (const m of d.mounts) {
    f.mounts[m.target] = { source: m.source, fstype: m.fstype === "nfs" ? "nfs4" : m.fstype, options: `${m.options},vers=4.1` };
    f.fstab[m.target] = fstabLine(m);
  }
  for (const t of d.requiredMounts) f.mounts[t] = { source: "/dev/sdb1", fstype: "ext4", options: "rw" };
  if (d.host.role === "loadbalancer") {
    for (const [k, v] of Object.entries(LB_SYSCTLS)) f.sysctls[k] = v;
    f.keepalived = { running: true, pid: 812 };
    f.vips[VIP] = d.host.name === "lb1";
    f.pings[VIP] = true;
    f.drained = [];
    return f;
  }
  f.files[bundleRemotePath(inv)] = { present: true, mode: 0o600, ...ownerFact("root", "root"), sha256: bundle.sha256 };
  f.files[`${harborDir(inv)}/install.sh`] = { present: true, mode: 0o755, ...ownerFact("root", "root"), sha256: sha256Hex("install.sh") };
  f.vipChain = { hooked: true, rules: [`-A HARBOR_HA_VIP -d ${VIP}/32 -p tcp -m tcp --dport 443 -j REDIRECT`] };
  f.stamps[INSTALL_STAMP_PATH] = installDigest(d, bundle, inv.data.harbor.with_clair);
  f.http[generationOf(inv).localHealthUrl] = 200;
  for (const l of harborLiveFiles(inv, d))
    f.files[l.path] ??= { present: true, mode: 0o600, ...ownerFact("root", "root"), sha256: sha256Hex(l.content) };
  if (d.host.name === settingsNode(inv)) {
    // Harbor holds what the inventory sets, as GET /api/configurations answers ({key: {value, editable}}).
    const held = Object.fromEntries(
      desiredDbSettings(inv)
        .filter((x) => !x.secret)
        .map((x) => [x.apiKey, { value: x.value, editable: true }]),
    );
    f.api[configurationsUrl(inv)] = { status: 200, body: JSON.stringify({ ...held, scan_all_policy: { value: { type: "none" }, editable: true } }) };
    f.stamps[SETTINGS_STAMP_PATH] = JSON.stringify(Object.fromEntries(desiredDbSettings(inv).map((x) => [x.apiKey, settingDigest(x)])));
  }
  f.versions = {
    docker: { found: true, exitCode: 0, output: "Docker version 17.06.0-ce, build 02c1d87\n" },
    "docker-compose": { found: true, exitCode: 0, output: "docker-compose version 1.23.2, build 1110ad01\n" },
    "/usr/bin/python": { found: true, exitCode: 0, output: "Python 2.7.18\n" },
  };
  f.vips[VIP] = false;
  return f;
}

export function factsOfAll(make: (d: DesiredHost) => HostFacts): Map<string, HostFacts> {
  return new Map(desired.hosts.map((d) => [d.host.name, make(d)]));
}
