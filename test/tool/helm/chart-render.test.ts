/**
 * helm-values judged by Harbor's real chart: the values it writes are rendered with the real
 * helm binary and goharbor/harbor-helm 1.19.1 from ../shared/harbor/, and the assertions read
 * the manifests the chart produces, not the values: replicas, where core, jobservice and the
 * registry find PostgreSQL and Redis, secrets stable across runs, job logs in the database,
 * and no ReadWriteOnce volume shared by several replicas.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { findManifest, renderChart } from "../../support/helm.js";
import type { Manifest } from "../../support/helm.js";
import { createTestWorld, TEST_SECRETS } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { HELM_FIXTURE, runHelmValues } from "../../support/run-helm-values.js";

interface PodSpec {
  containers: Array<{
    name: string;
    env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
    envFrom?: Array<{ secretRef?: { name: string } }>;
  }>;
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string }; secret?: { secretName: string } }>;
}

const podSpec = (m: Manifest) => (m.spec?.["template"] as { spec: PodSpec }).spec;
const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

describe("helm-values rendered by Harbor's chart 1.19.1", () => {
  let world: TestWorld;
  let manifests: Manifest[];
  let valuesPath: string;
  let valuesText: string;
  before(async () => {
    world = createTestWorld();
    const run = await runHelmValues(world, HELM_FIXTURE, "pinned");
    assert.equal(run.code, 0, "helm-values succeeds");
    valuesPath = run.valuesPath;
    valuesText = run.text;
    manifests = renderChart([valuesPath]);
  });
  after(() => world.remove());

  it("writes the values file with mode 0600: it holds secrets", () => {
    assert.equal(statSync(valuesPath).mode & 0o777, 0o600);
  });

  it("runs every stateless component with the replicas the inventory asks for, and at least 2", () => {
    const expected: Array<[string, string, number]> = [
      ["Deployment", "harbor-core", 3],
      ["Deployment", "harbor-portal", 2],
      ["Deployment", "harbor-registry", 3],
      ["Deployment", "harbor-jobservice", 2],
      ["StatefulSet", "harbor-trivy", 2],
    ];
    for (const [kind, name, replicas] of expected) assert.equal(findManifest(manifests, kind, name).spec?.replicas, replicas, `${kind} ${name}`);
    for (const m of manifests.filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet")) {
      assert.ok((m.spec?.replicas ?? 1) >= 2, `${m.kind} ${m.metadata.name} runs ${m.spec?.replicas ?? 1} replica(s)`);
    }
  });

  it("runs no database or Redis of its own: core, jobservice and registry use the external ones", () => {
    assert.deepEqual(
      manifests.filter((m) => /database|redis/.test(m.metadata.name) && m.kind !== "Secret").map((m) => `${m.kind}/${m.metadata.name}`),
      [],
    );
    const core = findManifest(manifests, "ConfigMap", "harbor-core").data ?? {};
    assert.equal(core["POSTGRESQL_HOST"], "pg.test");
    assert.equal(core["POSTGRESQL_PORT"], "5433");
    assert.equal(core["POSTGRESQL_USERNAME"], "harbor");
    assert.equal(core["POSTGRESQL_DATABASE"], "harbor_core");
    assert.equal(core["POSTGRESQL_SSLMODE"], "require");
    assert.equal(decode(findManifest(manifests, "Secret", "harbor-core").data?.["POSTGRESQL_PASSWORD"] ?? ""), TEST_SECRETS.dbPassword);
    assert.match(core["_REDIS_URL_CORE"] ?? "", /^redis:\/\/:.+@redis\.test:6380\/0/);
    assert.match(core["_REDIS_URL_REG"] ?? "", /@redis\.test:6380\/2/);

    const jobservice = parse(findManifest(manifests, "ConfigMap", "harbor-jobservice").data?.["config.yml"] ?? "") as {
      job_loggers: Array<{ name: string }>;
      worker_pool: { redis_pool: { redis_url: string } };
    };
    assert.match(jobservice.worker_pool.redis_pool.redis_url, /@redis\.test:6380\/1$/);

    const registry = parse(findManifest(manifests, "ConfigMap", "harbor-registry").data?.["config.yml"] ?? "") as {
      redis: { addr: string };
      storage: Record<string, unknown>;
    };
    assert.equal(registry.redis.addr, "redis.test:6380");
    assert.equal(decode(findManifest(manifests, "Secret", "harbor-registry").data?.["REGISTRY_REDIS_PASSWORD"] ?? ""), TEST_SECRETS.redisPassword);
  });

  it("keeps job logs in the database: jobservice's config.yml has the DB logger only, and no job log volume exists", () => {
    const config = parse(findManifest(manifests, "ConfigMap", "harbor-jobservice").data?.["config.yml"] ?? "") as {
      job_loggers: Array<{ name: string }>;
    };
    assert.deepEqual(
      config.job_loggers.map((l) => l.name),
      ["DB"],
    );
    assert.deepEqual(
      manifests.filter((m) => m.kind === "PersistentVolumeClaim" && /jobservice/.test(m.metadata.name)).map((m) => m.metadata.name),
      [],
    );
  });

  it("mounts no ReadWriteOnce claim into a workload with more than one replica; the registry's claim is ReadWriteMany", () => {
    const claims = new Map(
      manifests.filter((m) => m.kind === "PersistentVolumeClaim").map((m) => [m.metadata.name, (m.spec?.["accessModes"] as string[]) ?? []]),
    );
    let checked = 0;
    // A StatefulSet's volumeClaimTemplates give each pod its own claim; a claim named in the pod template is shared.
    for (const d of manifests.filter((m) => (m.kind === "Deployment" || m.kind === "StatefulSet") && (m.spec?.replicas ?? 1) > 1)) {
      for (const v of podSpec(d).volumes ?? []) {
        if (!v.persistentVolumeClaim) continue;
        const modes = claims.get(v.persistentVolumeClaim.claimName);
        assert.ok(modes, `${d.metadata.name} mounts claim ${v.persistentVolumeClaim.claimName}, which the chart did not render`);
        assert.ok(
          !modes.includes("ReadWriteOnce"),
          `${d.metadata.name} (${d.spec?.replicas} replicas) mounts ReadWriteOnce claim ${v.persistentVolumeClaim.claimName}`,
        );
        checked++;
      }
    }
    assert.equal(checked, 1, "the registry's image claim is the one claim a Deployment mounts");
    const registryClaim = findManifest(manifests, "PersistentVolumeClaim", "harbor-registry").spec ?? {};
    assert.deepEqual(registryClaim["accessModes"], ["ReadWriteMany"]);
    assert.equal(registryClaim["storageClassName"], "cephfs");
  });

  it("pins every secret: a second run writes the same bytes, and the chart's Secrets are identical across renders", async () => {
    const again = await runHelmValues(world, HELM_FIXTURE, "pinned");
    assert.equal(again.code, 0);
    assert.equal(again.text, valuesText, "two helm-values runs write the same file");
    const secrets = (ms: Manifest[]) => ms.filter((m) => m.kind === "Secret");
    assert.ok(secrets(manifests).length >= 5);
    assert.deepEqual(secrets(renderChart([again.valuesPath])), secrets(manifests));
    // The workloads' pod templates too: a changed checksum annotation would restart them on upgrade.
    const workloads = (ms: Manifest[]) => ms.filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet");
    assert.deepEqual(workloads(renderChart([again.valuesPath])), workloads(manifests));
  });

  it("pins the values of the state folder (the control: without them the chart makes new ones on every render)", () => {
    const stateDir = join(world.dir, ".harbor-ha", "test-k8s");
    const state = (f: string) => readFileSync(join(stateDir, f), "utf8").trim();
    const core = findManifest(manifests, "Secret", "harbor-core").data ?? {};
    assert.equal(decode(core["secret"] ?? ""), state("core_secret"));
    assert.equal(decode(core["CSRF_KEY"] ?? ""), state("csrf_key"));
    assert.equal(decode(core["CSRF_KEY"] ?? "").length, 32);
    assert.equal(decode(core["secretKey"] ?? ""), state("secretkey"));
    assert.equal(decode(core["tls.key"] ?? "").trim(), state("token_private_key.pem"));
    assert.equal(decode(core["tls.crt"] ?? "").trim(), state("token_root.crt"));
    assert.equal(decode(core["HARBOR_ADMIN_PASSWORD"] ?? ""), TEST_SECRETS.adminPassword);
    assert.equal(decode(findManifest(manifests, "Secret", "harbor-jobservice").data?.["JOBSERVICE_SECRET"] ?? ""), state("jobservice_secret"));
    assert.equal(decode(findManifest(manifests, "Secret", "harbor-registry").data?.["REGISTRY_HTTP_SECRET"] ?? ""), state("registry_http_secret"));
    assert.equal(decode(findManifest(manifests, "Secret", "harbor-registry-htpasswd").data?.["REGISTRY_HTPASSWD"] ?? ""), state("registry_htpasswd"));

    const defaults = [renderChart([]), renderChart([])].map((ms) => findManifest(ms, "Secret", "harbor-core").data ?? {});
    assert.notEqual(defaults[0]?.["secret"], defaults[1]?.["secret"], "the chart's own defaults change on every render");
  });

  it("serves the ingress for the hostname with the named TLS secret and class", () => {
    const ingress = findManifest(manifests, "Ingress", "harbor-ingress").spec as {
      ingressClassName?: string;
      tls: Array<{ secretName: string; hosts: string[] }>;
      rules: Array<{ host: string }>;
    };
    assert.equal(ingress.ingressClassName, "nginx");
    assert.deepEqual(ingress.tls, [{ secretName: "registry-test-tls", hosts: ["registry.test"] }]);
    assert.deepEqual(
      ingress.rules.map((r) => r.host),
      ["registry.test"],
    );
    assert.equal(findManifest(manifests, "ConfigMap", "harbor-core").data?.["EXT_ENDPOINT"], "https://registry.test");
    assert.deepEqual(
      manifests.filter((m) => m.kind === "Secret" && m.metadata.name === "harbor-ingress"),
      [],
      "no generated certificate",
    );
  });
});
