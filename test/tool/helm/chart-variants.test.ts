/**
 * The other shapes of a Harbor 2.x inventory, rendered by Harbor's real chart: S3 instead of a
 * claim, Redis Sentinel, Trivy off, and every secret referenced as an existing Kubernetes
 * secret (then the values pin nothing, and the manifests name those secrets).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { EXISTING_SECRET_KEYS } from "../../../src/harbor/helm-chart.js";
import { findManifest, renderChart } from "../../support/helm.js";
import type { Manifest } from "../../support/helm.js";
import { createTestWorld, TEST_SECRETS } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { HELM_FIXTURE, runHelmValues, variant } from "../../support/run-helm-values.js";

const S3 = `storage:
  type: object_store
  provider: s3
  config:
    region: eu-west-1
    bucket: harbor-images
    regionendpoint: https://s3.test
    accesskey: AKIATESTKEY
    secretkey: \${env:TEST_REDIS_PASSWORD}
`;
const PVC = `storage:
  type: pvc
  storage_class: cephfs
  size: 300Gi
`;
const SENTINEL = `redis:
  sentinel:
    master_set: harbor
    hosts:
      - host: sentinel-1.test
      - host: sentinel-2.test
        port: 26380
`;
const PLAIN_REDIS = `redis:
  host: redis.test
  port: 6380
  password: \${env:TEST_REDIS_PASSWORD}
`;

const registryConfig = (ms: Manifest[]) =>
  parse(findManifest(ms, "ConfigMap", "harbor-registry").data?.["config.yml"] ?? "") as {
    redis: { addr: string; sentinelMasterSet?: string };
    storage: Record<string, Record<string, unknown>>;
  };

describe("helm-values variants rendered by Harbor's chart 1.19.1", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  it("S3, Redis Sentinel and no Trivy: the registry stores in the bucket, no claim and no Trivy are rendered, everything finds Redis through the sentinels", async () => {
    const text = variant(
      variant(variant(HELM_FIXTURE, PVC, S3), PLAIN_REDIS, SENTINEL),
      "  admin_password: ${env:TEST_ADMIN_PASSWORD}\n",
      "  admin_password: ${env:TEST_ADMIN_PASSWORD}\n  with_trivy: false\n",
    );
    const run = await runHelmValues(world, text, "s3-sentinel");
    assert.equal(run.code, 0);
    const ms = renderChart([run.valuesPath]);
    const registry = registryConfig(ms);
    assert.deepEqual(
      Object.keys(registry.storage).filter((k) => k !== "cache" && k !== "delete" && k !== "redirect" && k !== "maintenance"),
      ["s3"],
    );
    assert.equal(registry.storage["s3"]?.["bucket"], "harbor-images");
    assert.equal(registry.storage["s3"]?.["region"], "eu-west-1");
    assert.equal(registry.storage["s3"]?.["regionendpoint"], "https://s3.test");
    const registrySecret = findManifest(ms, "Secret", "harbor-registry").data ?? {};
    assert.equal(Buffer.from(registrySecret["REGISTRY_STORAGE_S3_SECRETKEY"] ?? "", "base64").toString(), TEST_SECRETS.redisPassword);
    assert.deepEqual(
      ms.filter((m) => m.kind === "PersistentVolumeClaim").map((m) => m.metadata.name),
      [],
    );
    assert.deepEqual(
      ms.filter((m) => /trivy/.test(m.metadata.name)).map((m) => m.metadata.name),
      [],
    );

    assert.equal(registry.redis.addr, "sentinel-1.test:26379,sentinel-2.test:26380");
    assert.equal(registry.redis.sentinelMasterSet, "harbor");
    const core = findManifest(ms, "ConfigMap", "harbor-core").data ?? {};
    assert.equal(core["_REDIS_URL_CORE"], "redis+sentinel://sentinel-1.test:26379,sentinel-2.test:26380/harbor/0?idle_timeout_seconds=30");
    const jobservice = parse(findManifest(ms, "ConfigMap", "harbor-jobservice").data?.["config.yml"] ?? "") as {
      worker_pool: { redis_pool: { redis_url: string } };
    };
    assert.equal(jobservice.worker_pool.redis_pool.redis_url, "redis+sentinel://sentinel-1.test:26379,sentinel-2.test:26380/harbor/1");
  });

  it("existing secrets: the values pin no secret at all, and the manifests reference the named secrets", async () => {
    const names: Record<string, string> = Object.fromEntries(Object.keys(EXISTING_SECRET_KEYS).map((ref) => [ref, `ext-${ref.replace(/_/g, "-")}`]));
    const existing = `  existing_secrets:\n${Object.entries(names)
      .map(([ref, name]) => `    ${ref}: ${name}`)
      .join("\n")}\n`;
    let text = variant(HELM_FIXTURE, "harbor:\n  admin_password: ${env:TEST_ADMIN_PASSWORD}\n", "");
    text = variant(text, "  password: ${file:secrets/db-password}\n", "");
    text = variant(text, "  password: ${env:TEST_REDIS_PASSWORD}\n", "");
    text = variant(text, PVC, S3.replace("    accesskey: AKIATESTKEY\n    secretkey: ${env:TEST_REDIS_PASSWORD}\n", ""));
    text = `${text}${existing}`;
    const run = await runHelmValues(world, text, "existing");
    assert.equal(run.code, 0);

    // No value from the state folder (which the other test case filled) nor any inventory secret.
    const stateDir = join(world.dir, ".harbor-ha", "test-k8s");
    for (const f of readdirSync(stateDir).filter((f) => !f.startsWith("."))) {
      const lines = readFileSync(join(stateDir, f), "utf8")
        .split("\n")
        .filter((l) => l.length >= 16 && !l.startsWith("-----"));
      assert.ok(lines.length > 0, f);
      for (const line of lines) assert.ok(!run.text.includes(line), `the values hold ${f} from the state folder`);
    }
    const values = parse(run.text) as Record<string, Record<string, unknown>>;
    for (const key of ["harborAdminPassword", "secretKey"]) assert.equal(values[key], undefined, key);
    assert.deepEqual(Object.keys(values["core"] ?? {}).sort(), ["existingSecret", "existingXsrfSecret", "image", "replicas", "secretName"]);

    const ms = renderChart([run.valuesPath]);
    const core = findManifest(ms, "Deployment", "harbor-core");
    const pod = (
      core.spec?.["template"] as {
        spec: {
          containers: Array<{ env: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }> }>;
          volumes: Array<{ name: string; secret?: { secretName: string } }>;
        };
      }
    ).spec;
    const refs = new Map(pod.containers[0]?.env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    assert.deepEqual(refs.get("CORE_SECRET"), { name: names["core_secret"], key: "secret" });
    assert.deepEqual(refs.get("JOBSERVICE_SECRET"), { name: names["jobservice_secret"], key: "JOBSERVICE_SECRET" });
    assert.deepEqual(refs.get("HARBOR_ADMIN_PASSWORD"), { name: names["admin_password"], key: "HARBOR_ADMIN_PASSWORD" });
    assert.deepEqual(refs.get("POSTGRESQL_PASSWORD"), { name: names["database"], key: "password" });
    assert.deepEqual(refs.get("REGISTRY_CREDENTIAL_PASSWORD"), { name: names["registry_credentials"], key: "REGISTRY_PASSWD" });
    assert.deepEqual(refs.get("CSRF_KEY"), { name: names["csrf_key"], key: "CSRF_KEY" });
    const volumes = new Map(pod.volumes.map((v) => [v.name, v.secret?.secretName]));
    assert.equal(volumes.get("secret-key"), names["secret_key"]);
    assert.equal(volumes.get("token-service-private-key"), names["core_token"]);

    const coreSecret = findManifest(ms, "Secret", "harbor-core").data ?? {};
    assert.deepEqual(
      Object.keys(coreSecret).filter((k) => k !== "REGISTRY_CREDENTIAL_PASSWORD"),
      [],
      "the chart's core Secret pins nothing",
    );
    const registry = findManifest(ms, "Deployment", "harbor-registry");
    const registryText = JSON.stringify(registry);
    for (const ref of ["registry_http_secret", "registry_credentials", "s3"])
      assert.ok(registryText.includes(`"${names[ref]}"`), `the registry references ${names[ref]}`);
  });
});
