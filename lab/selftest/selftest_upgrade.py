#!/usr/bin/python3
"""Driver of `selftest.sh upgrade` (run by it, inside its namespaces and overlay root).

A Harbor 2.x node as selftest2x.py lays it out, but for an upgrade: Harbor 2.13.4's own
installer first, then 2.15.2's over it, as an operator (or harbor-ha upgrade) does it. Checks
what the lab promises for upgrades:
- the node's docker runs every release it has: prepare's `docker run goharbor/prepare:dev` is
  the bundle's release, `goharbor/prepare:v2.15.2 migrate` (Harbor's upgrade guide) that tag's;
- core applies its release's real schema scripts with golang-migrate's rules: 2.13.4 leaves
  version 160, 2.15.2 then runs 170, 171, 180 once each and leaves 180, not dirty;
- read-only mode: PUT /api/v2.0/configurations {"read_only": true} (admin), GET shows it,
  pushes get Harbor's 403 DENIED, pulls are served; off again, pushes work;
- core refuses a dirty schema and one newer than its release, with Harbor's messages, waits for
  golang-migrate's advisory lock, and a failing script (lab/harbor2/migrations-failing) leaves
  its version dirty;
- releases.py collect --extra adds a release's extra scripts.
"""
import base64
import json
import os
import subprocess
import sys
import time

import psycopg2

import selftest2x as st
from selftest2x import ADMIN_PW, H, HOST, LAB, SHARED, api, check, out, sh, wait_for

OLD, NEW = "2.13.4", "2.15.2"
FAILING = os.path.join(LAB, "harbor2", "migrations-failing")
CORE_OUT = "/var/lib/lab-compose/harbor/core.out"
RELEASES = "/var/lib/lab-docker/releases"
CREDS = "admin:" + ADMIN_PW


def bundle(version):
    return os.path.join(SHARED, "harbor-offline-installer-v%s-noimages.tgz" % version)


def schema():
    return out("runuser -u postgres -- psql -At -d registry -c 'select version, dirty from schema_migrations'")[1].strip()


def request(method, path, body=None, creds=CREDS, headers=None):
    """(status, Content-Type, body) through nginx with curl."""
    args = ["curl", "-sk", "-X", method, "-o", "/dev/stdout", "-w", "\n%{http_code} %{content_type}"]
    if creds:
        args += ["-u", creds]
    for k, v in (headers or {}).items():
        args += ["-H", "%s: %s" % (k, v)]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data-binary", body]
    r = subprocess.run(args + ["https://%s%s" % (HOST, path)], capture_output=True, text=True)
    text, _, tail = r.stdout.rpartition("\n")
    status, _, ctype = tail.partition(" ")
    return int(status or 0), ctype, text  # the body exactly: -w's text starts with its own newline


def skopeo_push(tag):
    return out("skopeo copy --retry-times 0 --format v2s2 --dest-creds '%s' oci:/tmp/img:1 docker://%s/library/hello:%s"
               % (CREDS, HOST, tag))


def skopeo_pull(tag):
    return out("skopeo copy --retry-times 0 --src-creds '%s' docker://%s/library/hello:%s oci:/tmp/pulled:%s"
               % (CREDS, HOST, tag, tag))


def harbor_version():
    status, _, body = api("/api/v2.0/systeminfo", CREDS)
    try:
        return json.loads(body).get("harbor_version"), json.loads(body).get("read_only")
    except ValueError:
        return None, body


def core_env():
    env = {"PATH": "/usr/bin:/bin", "LAB_SERVICE_ADDR": "127.0.0.1", "LAB_HARBOR_RELEASE": NEW}
    with open(H + "/common/config/core/env") as f:
        for line in f:
            k, sep, v = line.rstrip("\n").partition("=")
            if sep and not k.startswith("#"):
                env[k] = v
    return env


def run_core(migrations, timeout=60, hold_lock=None):
    """Core's start-up alone (lab/harbor2/core.py with the env prepare wrote and MIGRATIONS as its
    scripts), until it exits or serves; (exit code or None when it serves, its output)."""
    env = dict(core_env(), POSTGRES_MIGRATION_SCRIPTS_PATH=migrations)
    p = subprocess.Popen([sys.executable, os.path.join(LAB, "harbor2", "core.py")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if hold_lock:
        hold_lock(p)
    try:
        text, _ = p.communicate(timeout=timeout)
        return p.returncode, text
    except subprocess.TimeoutExpired:
        p.kill()
        return None, p.communicate()[0]


def check_read_only():
    status, ctype, body = request("PUT", "/api/v2.0/configurations", '{"read_only": true}', creds=None)
    check("PUT /api/v2.0/configurations anonymous: 401 UNAUTHORIZED", status == 401 and '"code":"UNAUTHORIZED"' in body,
          (status, body))
    status, ctype, body = request("PUT", "/api/v2.0/configurations", '{"read_only": true}')
    check("PUT /api/v2.0/configurations {\"read_only\": true} as admin: 200", status == 200, (status, body))
    rows = out("runuser -u postgres -- psql -At -d registry -c \"select v from properties where k = 'read_only'\"")[1].strip()
    check("read_only stored as Harbor does: properties k=read_only, v=true", rows == "true", rows)
    status, ctype, body = request("GET", "/api/v2.0/configurations")
    try:
        item = json.loads(body).get("read_only")
    except ValueError:
        item = None
    check("GET /api/v2.0/configurations shows read_only {editable, value: true}",
          status == 200 and item == {"editable": True, "value": True}, (status, body))
    check("systeminfo says read_only true", harbor_version()[1] is True, harbor_version())
    token = json.loads(request("GET", "/service/token?service=harbor-registry&scope=repository:library/hello:pull,push")[2])["token"]
    status, ctype, body = request("POST", "/v2/library/hello/blobs/uploads/", creds=None,
                                  headers={"Authorization": "Bearer " + token})
    want = '{"errors":[{"code":"DENIED","message":"The system is in read only mode. Any modification is prohibited."}]}\n'
    check("a push (POST blob upload) in read-only mode: Harbor's 403, JSON body exactly",
          status == 403 and ctype == "application/json; charset=utf-8" and body == want, (status, ctype, body))
    code, text = skopeo_push("2")
    check("skopeo push refused with Harbor's read-only message", code != 0 and "read only mode" in text, text)
    code, text = skopeo_pull("1")
    check("skopeo pull served in read-only mode", code == 0, text)
    status, _, body = request("PUT", "/api/v2.0/configurations", '{"read_only": false}')
    check("read_only off again (the PUT is exempt from read-only)", status == 200, (status, body))
    code, text = skopeo_push("2")
    check("skopeo push works once read-only is off", code == 0, text)


def upgrade():
    """2.15.2's bundle over 2.13.4's, as Harbor's upgrade guide: harbor.yml migrated by the new
    prepare image (`docker run goharbor/prepare:v2.15.2 migrate`), then the new install.sh."""
    sh("cp %s/harbor.yml /tmp/harbor.yml.2.13 && cd /opt && rm -rf harbor && tar xzf %s" % (H, bundle(NEW)))
    code, text = out("docker run --rm -v /:/hostfs goharbor/prepare:v%s migrate -i /tmp/harbor.yml.2.13 "
                     "-o /tmp/harbor.yml.migrated" % NEW)
    ver = out("grep '^_version' /tmp/harbor.yml.migrated")[1].strip()
    check("docker run goharbor/prepare:v2.15.2 migrate: harbor.yml migrated to 2.15.0", code == 0 and ver == "_version: 2.15.0",
          (text, ver))
    # Harbor's migrate renders an empty external_redis.password as the text None (its jinja
    # template prints Python's None), which prepare then sends to Redis as a password: a
    # tool must not install the migrated file as it is. The lab renders harbor.yml from the new
    # bundle's own template instead, as harbor-ha does from its inventory.
    redis_pw = out("grep -A8 '^external_redis:' /tmp/harbor.yml.migrated | grep -m1 'password:'")[1].strip()
    check("Harbor's migrate writes an empty external_redis password as 'None' (kept as Harbor does it)",
          redis_pw == "password: None", redis_pw)
    st.write_harbor_yml({})
    code, text = st.install()
    check("2.15.2's install.sh over 2.13.4 runs to the end", code == 0 and "installed and started successfully" in text, text)


def main():
    st.setup_node(bundle(OLD))
    st.start_db()
    code, text = st.install()
    check("2.13.4's install.sh runs to the end", code == 0 and "installed and started successfully" in text, text)
    if not wait_for(st.core_up, 90, "2.13.4's core answers ping"):
        print(out("tail -n 40 %s" % CORE_OUT)[1])
        return
    log = open(CORE_OUT).read()
    check("2.13.4: schema_migrations 160, not dirty", schema() == "160|f", schema())
    check("2.13.4's core ran its 34 scripts once each, 1/u initial_schema to 160/u 2.13.0_schema",
          log.count("/u ") == 34 and "1/u initial_schema" in log and "160/u 2.13.0_schema" in log, log[-2000:])
    check("2.13.4's core reports v2.13.4", harbor_version()[0] == "v2.13.4-lab", harbor_version())
    tables = out("runuser -u postgres -- psql -At -d registry -c \"select count(*) from information_schema.tables "
                 "where table_schema = 'public'\"")[1].strip()
    check("Harbor's real schema: the tables of 2.13.4's scripts", tables.isdigit() and int(tables) > 40, tables)
    sh([os.path.join(LAB, "clients", "make-image.sh"), "/tmp/img", "1", "selftest"], capture_output=True)
    code, text = skopeo_push("1")
    check("skopeo pushes to 2.13.4", code == 0, text)
    check_read_only()

    upgrade()
    wait_for(lambda: harbor_version()[0] == "v2.15.2-lab", 90, "2.15.2's core answers")
    log = open(CORE_OUT).read()
    check("2.15.2: schema_migrations 180, not dirty", schema() == "180|f", schema())
    ran = [l.split("]: ", 1)[-1] for l in log.splitlines() if "/u " in l]
    check("2.15.2's core ran 170, 171, 180 once each, and nothing else",
          [r.split(" (")[0] for r in ran][-3:] == ["170/u 2.14.0_schema", "171/u 2.14.1_schema", "180/u 2.15.0_schema"]
          and sum(1 for r in ran if r.startswith(("170/", "171/", "180/"))) == 3, ran)
    code, text = skopeo_pull("2")
    check("the image pushed to 2.13.4 pulls from 2.15.2", code == 0, text)
    check("a restart of 2.15.2's core: no change in schema",
          out("cd %s && docker compose restart core" % H)[0] == 0
          and wait_for(lambda: "No change in schema, skip." in open(CORE_OUT).read(), 30, "core: No change in schema"))

    # Harbor's refusals, with core's start-up alone (the running node's compose stays as it is).
    old_scripts = os.path.join(RELEASES, "v" + OLD, "migrations")
    code, text = run_core(old_scripts)
    check("2.13.4's core on a 180 schema exits 1: no migration found for version 180",
          code == 1 and "failed to migrate the database, error: no migration found for version 180: read down for "
          "version 180 .: file does not exist" in text, (code, text[-1500:]))
    out("runuser -u postgres -- psql -d registry -c 'update schema_migrations set dirty = true'")
    code, text = run_core(os.path.join(RELEASES, "v" + NEW, "migrations"))
    check("a dirty schema stops core: Dirty database version 180. Fix and force version.",
          code == 1 and "failed to migrate the database, error: Dirty database version 180. Fix and force version." in text,
          (code, text[-1500:]))
    out("runuser -u postgres -- psql -d registry -c 'update schema_migrations set dirty = false'")

    failing = "/tmp/failing-migrations"
    sh("mkdir -p %s && cp %s/*.up.sql %s/ && cp %s/*.up.sql %s/" % (
        failing, os.path.join(RELEASES, "v" + NEW, "migrations"), failing, FAILING, failing))
    conn = psycopg2.connect(host=st.DB_IP, user="harbor", password=st.DB_PW, dbname="registry")
    conn.autocommit = True
    lock_id = (__import__("zlib").crc32(b"public\0schema_migrations\0/registry") * 1486364155) & 0xFFFFFFFF
    waited = {}

    def hold(p):
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (lock_id,))
        time.sleep(3)
        waited["still"] = p.poll() is None and schema() == "180|f"
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (lock_id,))

    code, text = run_core(failing, hold_lock=hold)
    check("core waits for golang-migrate's advisory lock (crc32(public, schema_migrations, /registry) * salt)",
          waited.get("still") is True, waited)
    check("a failing script stops core with golang-migrate's error",
          code == 1 and "failed to migrate the database, error: migration failed: function "
          "lab_failing_migration_no_such_function() does not exist" in text, (code, text[-1500:]))
    check("the failing script leaves its version dirty: 9990|t", schema() == "9990|t", schema())
    probe = out("runuser -u postgres -- psql -At -d registry -c \"select to_regclass('lab_failing_migration_probe')\"")[1].strip()
    check("the failing script ran as one implicit transaction: its table is not there", probe == "", probe)
    conn.close()

    code, text = out("%s collect /tmp/store --extra v%s=%s %s" % (os.path.join(LAB, "docker", "lib", "releases.py"), NEW,
                                                               FAILING, SHARED))
    check("releases.py collect --extra adds the failing script to 2.15.2 only",
          code == 0 and os.path.isfile("/tmp/store/v%s/migrations/9990_lab_fails_midway.up.sql" % NEW)
          and not os.path.exists("/tmp/store/v%s/migrations/9990_lab_fails_midway.up.sql" % OLD), text)
    out("cd %s && docker compose down -v" % H)


if __name__ == "__main__":
    try:
        main()
    finally:
        print("selftest: %s" % ("FAILED: " + ", ".join(st.FAILED) if st.FAILED else "all checks passed"), flush=True)
    sys.exit(1 if st.FAILED else 0)
