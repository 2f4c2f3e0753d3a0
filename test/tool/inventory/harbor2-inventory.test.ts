/**
 * Harbor 2.x inventories: what parses, and every problem with its YAML path and line. The
 * fixture is the one the chart tests render (test/fixtures/inventories/v2/helm.yaml); each case
 * changes it and lists exactly the problems it must produce.
 */
import { SUPPORTED_HARBOR2_VERSIONS_TEXT } from "../../../src/harbor/versions.js";
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../../src/cli/main.js";
import { parseHarbor2Inventory, parseInventory } from "../../../src/inventory/load.js";
import { createTestWorld, TEST_SECRETS } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { TEST_NOW } from "../../support/tls-fixtures.js";
import { HELM_FIXTURE, variant } from "../../support/run-helm-values.js";
import { readFileSync, writeFileSync } from "node:fs";
import { projectRoot } from "../../../src/paths.js";

describe("Harbor 2.x inventories", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const opts = () => ({ file: join(world.dir, "inv.yaml"), dir: world.dir, env: world.env, now: TEST_NOW });
  const problemsOf = (text: string) =>
    parseHarbor2Inventory(text, opts()).problems.map((p) => `${p.severity} ${p.line ?? "-"} ${p.path}: ${p.message}`);

  it("parses the fixture: PostgreSQL, Redis with AUTH, a claim, defaults filled", () => {
    const { inventory, problems } = parseHarbor2Inventory(HELM_FIXTURE, opts());
    assert.deepEqual(problems, []);
    assert.ok(inventory);
    const d = inventory.data;
    assert.equal(d.database.password?.reveal(), TEST_SECRETS.dbPassword);
    assert.equal(d.database.sslmode, "require");
    assert.equal(d.redis.password?.reveal(), TEST_SECRETS.redisPassword);
    assert.equal(d.harbor.with_trivy, true);
    assert.deepEqual(d.kubernetes?.replicas, { core: 3, portal: 2, registry: 3, jobservice: 2, trivy: 2 });
    assert.deepEqual(d.kubernetes?.existing_secrets, {});
  });

  const cases: Array<[string, (t: string) => string, string[]]> = [
    [
      "a 2.x release of a line harbor-ha does not know",
      (t) => variant(t, "harbor_version: 2.15.1", "harbor_version: 2.12.0"),
      [
        `error 6 cluster.harbor_version: must be a release of a Harbor line harbor-ha knows, ${SUPPORTED_HARBOR2_VERSIONS_TEXT} (such as 2.15.1): ` +
          "the lines whose harbor.yml and Helm chart it checks; other 2.x releases are refused",
      ],
    ],
    [
      "MariaDB keys, Clair and harbor.cfg keys in a 2.x inventory",
      (t) =>
        variant(
          variant(t, "  sslmode: require\n", "  sslmode: require\n  registry_sql: files/registry.sql\n"),
          "harbor:\n",
          "harbor:\n  with_clair: true\n  extra_cfg: {}\n",
        ) + "clair_db: {}\n",
      [
        "error 8 harbor.with_clair: is a Harbor 1.x setting: Harbor 2.x has no Clair; its scanner is Trivy (harbor.with_trivy)",
        "error 9 harbor.extra_cfg: holds harbor.cfg keys, which only Harbor 1.x reads: remove it",
        "error 18 database.registry_sql: is a MariaDB setting of Harbor 1.4/1.5; Harbor 2.x uses PostgreSQL (host, port, user, password, core_database, sslmode): remove it",
        "error 35 clair_db: is a Harbor 1.x section: Harbor 2.x has no Clair (its scanner is Trivy, harbor.with_trivy): remove it",
      ],
    ],
    [
      "a single replica, a bad sslmode, Redis with both host and sentinel",
      (t) =>
        variant(
          variant(variant(t, "    core: 3\n", "    core: 1\n"), "  sslmode: require\n", "  sslmode: prefer\n"),
          "  port: 6380\n",
          "  port: 6380\n  sentinel:\n    master_set: m\n    hosts:\n      - host: s.test\n",
        ),
      [
        'error 15 database.sslmode: must be one of "disable", "require", "verify-ca", "verify-full"',
        "error 19 redis.sentinel: cannot be given with host: give host for a plain Redis or sentinel for Redis Sentinel, not both",
        "error 34 kubernetes.replicas.core: must be at least 2: a single core replica is a single point of failure, which the HA layout exists to avoid",
      ],
    ],
    [
      "https without a TLS secret, NFS storage on Kubernetes, no database password and no existing secret",
      (t) =>
        variant(
          variant(
            variant(t, "    tls_secret: registry-test-tls\n", ""),
            "storage:\n  type: pvc\n  storage_class: cephfs\n  size: 300Gi\n",
            "storage:\n  type: nfs\n  server: nfs.test\n  registry_export: /r\n  job_logs_export: /j\n",
          ),
          "  password: ${file:secrets/db-password}\n",
          "",
        ),
      [
        "error 9 database.password: is required: give it (a value, ${env:NAME} or ${file:path}), or name an existing Kubernetes secret in kubernetes.existing_secrets.database",
        'error 20 storage.type: "nfs" describes shared storage mounted on VMs, which pods cannot use; on Kubernetes use type: pvc (a ReadWriteMany claim shared by the registry replicas) or type: object_store (s3)',
        "error 24 kubernetes.ingress.tls_secret: is required with protocol https: without it the chart generates a new self-signed certificate on every render (every upgrade would change it). Create a kubernetes.io/tls secret for registry.test (kubectl create secret tls NAME --cert=… --key=…) and name it here",
      ],
    ],
    [
      "no kubernetes section, S3 without a bucket",
      (t) =>
        variant(
          t.slice(0, t.indexOf("kubernetes:")),
          "storage:\n  type: pvc\n  storage_class: cephfs\n  size: 300Gi\n",
          "storage:\n  type: object_store\n  provider: s3\n  config:\n    region: r\n",
        ),
      [
        "error 6 kubernetes: or the VM sections (load_balancers, keepalived, harbor_nodes, installer) are required: a kubernetes section to deploy Harbor 2.x with harbor-ha helm-values (see inventory/example-helm.yaml), the VM sections to install it on VMs with provision (see inventory/example-v2-vms.yaml)",
        'error 23 storage.config.bucket: is required for s3: without it the chart\'s placeholder ("bucketname") would be used',
      ],
    ],
    [
      "a misspelled kubernetes key and a bad secret name",
      (t) =>
        variant(
          variant(t, "    class_name: nginx\n", "    clas_name: nginx\n"),
          "  storage_class: ceph-rbd\n",
          "  storage_class: ceph-rbd\n  existing_secrets:\n    database: Harbor_DB\n",
        ),
      [
        'error 26 kubernetes.ingress.clas_name: unknown key; did you mean "class_name"?',
        'error 30 kubernetes.existing_secrets.database: must be a Kubernetes object name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
      ],
    ],
    [
      "S3 keys that an existing secret supplies instead",
      (t) =>
        variant(
          variant(
            t,
            "storage:\n  type: pvc\n  storage_class: cephfs\n  size: 300Gi\n",
            "storage:\n  type: object_store\n  provider: s3\n  config:\n    region: r\n    bucket: b\n    accesskey: AKIA\n",
          ),
          "  storage_class: ceph-rbd\n",
          "  storage_class: ceph-rbd\n  existing_secrets:\n    s3: harbor-s3\n",
        ),
      ["warning 26 storage.config.accesskey: is not written to the chart's values: kubernetes.existing_secrets.s3 (harbor-s3) supplies it"],
    ],
    [
      "database.create on Kubernetes",
      (t) => variant(t, "  sslmode: require\n", "  sslmode: require\n  create: true\n"),
      [
        "warning 16 database.create: is not used by helm-values: on Kubernetes Harbor's core expects the database to exist; create it empty yourself (CREATE DATABASE)",
      ],
    ],
  ];
  for (const [name, make, expected] of cases) {
    it(name, () => {
      const actual = problemsOf(make(HELM_FIXTURE));
      if (process.env["PRINT_PROBLEMS"]) console.log(actual.map((a) => JSON.stringify(a)).join(",\n"));
      assert.deepEqual([...actual].sort(), [...expected].sort());
    });
  }

  it("refuses PostgreSQL keys in a 1.x inventory, and a 1.x inventory in helm-values", () => {
    const v1 = HELM_FIXTURE.replace("harbor_version: 2.15.1", "harbor_version: 1.4.0");
    assert.deepEqual(problemsOf(v1), [
      `error 6 cluster.harbor_version: must be a Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT} release for helm-values (Harbor's Helm chart deploys Harbor 2.x); a Harbor 1.x cluster runs on VMs: use provision`,
    ]);
    const problems = parseInventory(v1, opts()).problems.filter((p) => p.path.startsWith("database.") || p.path === "kubernetes");
    assert.deepEqual(
      problems.map((p) => `${p.line} ${p.path}: ${p.message}`),
      [
        `14 database.core_database: is a PostgreSQL setting of Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT}; Harbor 1.4/1.5 use MariaDB (host, port, user, password, registry_sql): remove it, or set cluster.harbor_version to a 2.x release`,
        `15 database.sslmode: is a PostgreSQL setting of Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT}; Harbor 1.4/1.5 use MariaDB (host, port, user, password, registry_sql): remove it, or set cluster.harbor_version to a 2.x release`,
        `24 kubernetes: is for Harbor ${SUPPORTED_HARBOR2_VERSIONS_TEXT} on Kubernetes (harbor-ha helm-values); Harbor 1.x runs only on the VMs of this inventory: remove it, or describe a Harbor 2.x cluster`,
      ],
    );
  });

  it("VM commands refuse a Kubernetes-only 2.x inventory up front, exit 2, naming helm-values", async () => {
    const file = join(world.dir, "v2.yaml");
    writeFileSync(file, HELM_FIXTURE);
    const { problems } = parseInventory(HELM_FIXTURE, opts());
    assert.deepEqual(
      problems.map((p) => `${p.line} ${p.path}: ${p.message}`),
      [
        "24 kubernetes: describes Harbor on Kubernetes, and this command installs Harbor on VMs: run `harbor-ha helm-values` with this inventory, or add the VM sections (load_balancers, keepalived, harbor_nodes, installer; see inventory/example-v2-vms.yaml)",
      ],
    );
    for (const command of [["status"], ["provision", "--dry-run"], ["render", "--out", join(world.dir, "out")]]) {
      assert.equal(await main([command[0] ?? "", file, ...command.slice(1)]), 2, command.join(" "));
    }
  });

  describe("on VMs (no kubernetes section)", () => {
    const VMS_FIXTURE = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8");

    it("parses the fixture: the VM sections, database.create, job logs need no NFS export", () => {
      const { inventory, problems } = parseHarbor2Inventory(VMS_FIXTURE, opts());
      assert.deepEqual(problems, []);
      const d = inventory?.data;
      assert.equal(d?.cluster.vip, "10.20.0.100/24");
      assert.deepEqual(
        d?.harbor_nodes?.map((n) => n.name),
        ["harbor1", "harbor2"],
      );
      assert.equal(d?.database.create, true);
      assert.equal(d?.database.core_database, "registry");
      assert.equal(d?.storage.type === "nfs" ? d.storage.job_logs_export : "not nfs", undefined);
    });

    const cases: Array<[string, (t: string) => string, string[]]> = [
      [
        "a claim, harbor.cfg keys, no VIP, no installer, no database password",
        (t) =>
          variant(
            variant(
              variant(
                variant(
                  variant(t, "storage:\n  type: nfs\n  server: 10.20.0.40\n  registry_export: /exports/registry\n", "storage:\n  type: pvc\n"),
                  "    address: 10.20.0.22\n",
                  "    address: 10.20.0.22\n    harbor_cfg:\n      log_rotate_size: 1M\n",
                ),
                "  vip: 10.20.0.100/24\n",
                "",
              ),
              "installer:\n  bundle: files/harbor-offline-installer-v2.15.1.tgz\n",
              "",
            ),
            "  password: ${file:secrets/db-password}\n",
            "",
          ),
        [
          "error 2 cluster.vip: is required on VMs: the load balancers hold it (keepalived) and clients reach Harbor through it; give an address/prefix such as 10.0.0.10/24",
          "error 6 installer: is required to install Harbor 2.x on VMs (or add a kubernetes section to deploy it with harbor-ha helm-values); see inventory/example-v2-vms.yaml",
          "error 25 harbor_nodes[1].harbor_cfg: holds harbor.cfg keys, which only Harbor 1.x reads; Harbor 2.x reads harbor.yml, which harbor-ha renders from the inventory: remove it",
          "error 29 database.password: is required on VMs: give it (a value, ${env:NAME} or ${file:path}); harbor-ha writes it into each node's harbor.yml",
          'error 37 storage.type: "pvc" is a Kubernetes claim, which VMs cannot mount; on VMs use type: nfs, mounted (a shared filesystem) or object_store (s3)',
        ],
      ],
      [
        "duplicate addresses, a VIP off the load balancers' subnet, an unused NFS export for job logs",
        (t) =>
          variant(
            variant(variant(t, "    address: 10.20.0.22\n", "    address: 10.20.0.21\n"), "  vip: 10.20.0.100/24\n", "  vip: 10.30.0.100/24\n"),
            "  registry_export: /exports/registry\n",
            "  registry_export: /exports/registry\n  job_logs_export: /exports/job_logs\n",
          ),
        [
          "error 4 cluster.vip: is outside the load balancers' subnet (10.30.0.0/24 holds none of 10.20.0.11, 10.20.0.12); choose a free address on the subnet of the load balancers' interfaces",
          "error 25 harbor_nodes[1].address: duplicate address 10.20.0.21 (also harbor1, harbor_nodes[0]); every host needs its own address",
          "warning 42 storage.job_logs_export: is not used by Harbor 2.x: harbor-ha keeps job logs in the database (jobservice job_loggers: DB), which every node reads",
        ],
      ],
      [
        "a shared mount elsewhere than where Harbor 2.x's compose file takes the registry's data",
        (t) =>
          variant(
            t,
            "storage:\n  type: nfs\n  server: 10.20.0.40\n  registry_export: /exports/registry\n",
            "storage:\n  type: mounted\n  registry_path: /srv/registry\n",
          ),
        [
          "error 40 storage.registry_path: must be /data/registry for Harbor 2.x: the docker-compose.yml its prepare writes mounts <data_volume>/registry into the registry, and harbor-ha keeps data_volume at /data; mount the shared filesystem there",
        ],
      ],
      [
        "Redis Sentinel is accepted (harbor.yml's external_redis expresses it)",
        (t) =>
          variant(
            t,
            "  host: 10.20.0.32\n",
            "  sentinel:\n    master_set: mymaster\n    hosts:\n      - host: 10.20.0.33\n      - host: 10.20.0.34\n",
          ),
        [],
      ],
    ];
    for (const [name, make, expected] of cases) {
      it(name, () => {
        const actual = problemsOf(make(VMS_FIXTURE));
        if (process.env["PRINT_PROBLEMS"]) console.log(actual.map((a) => JSON.stringify(a)).join(",\n"));
        assert.deepEqual([...actual].sort(), [...expected].sort());
      });
    }

    it("helm-values still requires the kubernetes section", () => {
      const problems = parseHarbor2Inventory(VMS_FIXTURE, { ...opts(), target: "kubernetes" }).problems.map(
        (p) => `${p.line} ${p.path}: ${p.message}`,
      );
      assert.deepEqual(problems, [
        "7 kubernetes: is required by helm-values: it describes how Harbor's Helm chart runs (ingress, replicas, storage class); add a kubernetes section (see inventory/example-helm.yaml), or install on the VMs of this inventory with provision",
      ]);
    });

    it("validate accepts it (exit 0), render writes harbor.yml offline (exit 0), helm-values refuses it (exit 2)", async () => {
      const file = join(world.dir, "vms.yaml");
      writeFileSync(file, VMS_FIXTURE);
      const saved = { ...process.env };
      Object.assign(process.env, world.env);
      // render is offline: no host is contacted (these addresses are not the lab's).
      const out = join(world.dir, "render");
      try {
        assert.equal(await main(["validate", file]), 0);
        assert.equal(await main(["render", file, "--out", out]), 0);
      } finally {
        for (const key of Object.keys(world.env)) if (saved[key] === undefined) delete process.env[key];
        Object.assign(process.env, saved);
      }
      assert.equal(await main(["helm-values", file, "--out", join(world.dir, "values.yaml")]), 2);
      const yml = readFileSync(join(out, "harbor1", "opt", "harbor", "harbor.yml"), "utf8");
      assert.match(yml, /^external_database:/m);
    });
  });
});
