#!/usr/bin/python3
"""Driver of `selftest.sh 2.15` (run by it, inside its namespaces and overlay root; not on its own).

Lays out a Harbor 2.x node as the lab does and runs Harbor's own installer on it: the
bundle's install.sh and prepare unchanged, `docker run goharbor/prepare` and `docker compose`
through the lab's shims (docker/bin/docker27), PostgreSQL and Redis from lab/databases (on 127.0.20.1),
harbor.yml from lab/harbor2/harbor2-yml.py, shared secrets pre-seeded under /data/secret.
Then checks what the lab promises: prepare's files, the real registry and nginx, the core
stand-in's token service and /v2/ proxy with skopeo, the schema marker, core's API as Harbor
2.15 answers it (ping, systeminfo's protected fields, health's periodic checkers and layout), and
that the stand-ins report what prepare wrote (a harbor.yml change, prepare again).
"""
import base64
import json
import os
import re
import shlex
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))
LAB = os.path.dirname(HERE)
REPO = os.path.dirname(LAB)
SHARED = os.path.join(REPO, "..", "shared", "harbor")
BUNDLE = os.path.join(SHARED, "harbor-offline-installer-v2.15.1-noimages.tgz")
WORK = sys.argv[1]
LOGS = os.path.join(WORK, "logs")
H = "/opt/harbor"
DB_IP, DB_PW, ADMIN_PW = "127.0.20.1", "Selftest-Db'1", "Selftest-Admin1"
HOST = "registry.lab.test"
FAILED = []
# core's health checkers' period here (standinlib/harbor2/health.py: Harbor's is 10 s): the checks
# below are of rounds, not of Harbor's number, and 10 s rounds made most of this selftest's minute.
HEALTH_PERIOD_S = 3


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True, **kw)


def out(cmd, **kw):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, **kw)
    return r.returncode, r.stdout + r.stderr


def check(name, ok, detail=""):
    print("%s  %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else "  -- " + str(detail)[-1500:]), flush=True)
    if not ok:
        FAILED.append(name)


def https(path, headers=None):
    code, text = out("curl -sk -o /dev/stdout -w '\\n%%{http_code}' %s https://%s%s" % (
        " ".join("-H '%s: %s'" % kv for kv in (headers or {}).items()), HOST, path))
    body, _, status = text.rpartition("\n")
    return int(status or 0), body


def api(path, creds=None):
    """(status, Content-Type, exact body) of a GET through nginx, without an Accept header."""
    req = urllib.request.Request("https://%s%s" % (HOST, path))
    if creds:
        req.add_header("Authorization", "Basic " + base64.b64encode(creds.encode()).decode())
    try:
        with urllib.request.urlopen(req, context=ssl._create_unverified_context(), timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()
    except OSError as e:
        return 0, None, str(e)


def openapi_layout(body):
    """Whether BODY is laid out as Harbor 2.x writes a model: go-openapi's JSONProducer (compact,
    a newline at the end) over a go-swagger struct (fields in alphabetical order)."""
    try:
        obj = json.loads(body)
    except ValueError:
        return False
    return body == json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True) + "\n"


def health():
    status, ctype, body = api("/api/v2.0/health")
    try:
        h = json.loads(body)
    except ValueError:
        h = {}
    return h, {c.get("name"): c for c in h.get("components", [])}, (status, ctype, body)


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.5)
    check(what, False, "timed out after %d s" % timeout)
    return False


def setup_node(bundle=BUNDLE):
    sh("ip addr add %s/32 dev lo" % DB_IP)
    os.makedirs("/etc/lab-selftest", exist_ok=True)
    with open("/etc/lab-selftest/health-period-s", "w") as f:
        f.write("%s\n" % HEALTH_PERIOD_S)
    with open("/etc/hosts", "a") as f:
        f.write("127.0.0.1\t%s\n" % HOST)
    os.makedirs("/usr/local/bin", exist_ok=True)
    for name, target in (("docker", "docker/bin/docker27"), ("docker-compose", "docker/bin/docker-compose")):
        if os.path.lexists("/usr/local/bin/" + name):
            os.unlink("/usr/local/bin/" + name)
        os.symlink(os.path.join(LAB, target), "/usr/local/bin/" + name)
    # The releases the node's docker runs, as lab.sh up unpacks them (docker/lib/releases.py).
    sh([os.path.join(LAB, "docker", "lib", "releases.py"), "collect", "/var/lib/lab-docker/releases", SHARED],
       stdout=subprocess.DEVNULL)
    sh(["tar", "xzf", bundle, "-C", "/opt"])
    os.makedirs("/data/cert")
    sh("cd /data/cert && openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -out server.crt -days 30 "
       "-subj /CN=%s -addext subjectAltName=DNS:%s 2>/dev/null" % (HOST, HOST))
    # Trusted by appending it to the bundle skopeo, curl and Python read (update-ca-certificates
    # would do the same, plus hooks such as Java's keystore that take half a minute).
    with open("/data/cert/server.crt") as src, open("/etc/ssl/certs/ca-certificates.crt", "a") as bundle:
        bundle.write(src.read())
    seed_secrets()
    write_harbor_yml({})


def seed_secrets():
    for d in ("keys", "core", "registry"):
        os.makedirs("/data/secret/" + d, exist_ok=True)
    with open("/data/secret/keys/secretkey", "w") as f:
        f.write("0123456789abcdef")
    sh("openssl genrsa -traditional -out /data/secret/core/private_key.pem 2048 2>/dev/null")
    sh("openssl req -new -x509 -days 30 -key /data/secret/core/private_key.pem -out /data/secret/registry/root.crt "
       "-subj /CN=harbor-token-issuer")


def write_harbor_yml(extra):
    settings = {"hostname": HOST, "certificate": "/data/cert/server.crt", "private_key": "/data/cert/server.key",
                "admin_password": ADMIN_PW, "redis": DB_IP + ":6379",
                "db": {"host": DB_IP, "port": 5432, "user": "harbor", "password": DB_PW}, "set": extra}
    text = sh([os.path.join(LAB, "harbor2", "harbor2-yml.py"), H + "/harbor.yml.tmpl"],
              input=json.dumps(settings), capture_output=True, text=True).stdout
    with open(H + "/harbor.yml", "w") as f:
        f.write(text)


def start_db():
    script = "DB_IP=%s\nDB_PASSWORD=%s\n" % (DB_IP, shlex.quote(DB_PW))
    for part in ("postgresql-setup.sh", "redis-setup.sh"):
        with open(os.path.join(LAB, "databases", part)) as f:
            script += f.read()
    r = subprocess.run(["bash", "-s"], input=script, capture_output=True, text=True)
    check("PostgreSQL and Redis start from lab/databases", r.returncode == 0, r.stdout + r.stderr)
    sh("runuser -u postgres -- psql -q -d postgres -c 'CREATE DATABASE registry OWNER harbor'")


def install(args=""):
    code, text = out("cd %s && TERM=dumb ./install.sh %s 2>&1" % (H, args), timeout=300)
    with open(os.path.join(LOGS, "install.log"), "a") as f:
        f.write(text)
    return code, text


def core_up():
    return https("/api/v2.0/ping")[0] == 200


UNPROTECTED = ["auth_mode", "banner_message", "oidc_provider_name", "primary_auth_mode", "self_registration"]
COMPONENTS = ["core", "database", "jobservice", "portal", "redis", "registry", "registryctl"]


def check_core_api():
    """ping and systeminfo as Harbor 2.15 answers them (handler/ping.go, handler/systeminfo.go,
    controller/systeminfo/controller.go)."""
    got = api("/api/v2.0/ping")
    check("ping: 200, text/plain, exactly Pong", got == (200, "text/plain", "Pong"), got)
    status, ctype, body = api("/api/v2.0/systeminfo")
    info = json.loads(body or "{}")
    check("anonymous systeminfo: 200 application/json, only the unprotected fields (no registry_url)",
          (status, ctype) == (200, "application/json") and sorted(info) == UNPROTECTED, (status, ctype, body))
    check("systeminfo is laid out as Harbor's model (compact, fields sorted, newline)", openapi_layout(body), body)
    status, ctype, body = api("/api/v2.0/systeminfo", "admin:wrong")
    check("systeminfo with a wrong password: the anonymous view, 200", status == 200 and sorted(json.loads(body or "{}")) == UNPROTECTED, body)
    status, ctype, body = api("/api/v2.0/systeminfo", "admin:" + ADMIN_PW)
    info = json.loads(body or "{}")
    check("the admin's systeminfo: external URL prepare wrote, registry_url, version, current time",
          info.get("external_url") == "https://" + HOST and info.get("registry_url") == HOST
          and info.get("harbor_version", "").startswith("v2.15.1-") and "current_time" in info
          and isinstance(info.get("has_ca_root"), bool) and openapi_layout(body), body)


def check_health():
    """health's answer once every checker had its first round (controller/health/controller.go)."""
    wait_for(lambda: health()[0].get("status") == "healthy", 30, "health: every component healthy")
    h, by_name, (status, ctype, body) = health()
    check("health: 200 application/json, every component healthy, no error field",
          (status, ctype) == (200, "application/json") and h.get("status") == "healthy"
          and all(set(c) == {"name", "status"} and c["status"] == "healthy" for c in h.get("components", [])), body)
    check("health lists Harbor's components sorted by name (no trivy without --with-trivy)",
          [c.get("name") for c in h.get("components", [])] == COMPONENTS, body)
    check("health is laid out as Harbor's model (compact, fields sorted, newline)", openapi_layout(body), body)


def check_health_periodic():
    """The checkers are periodic (checker.go PeriodicHealthChecker, 10 s; HEALTH_PERIOD_S here): a
    stopped component shows in health only at its checker's next round, and a checker whose first
    round has not ended says "unknown status"."""
    portal_log = "/var/lib/lab-compose/harbor/portal.out"
    lines = lambda: open(portal_log).read().count("\n")
    n = lines()
    # the checker's GET / shows in the portal's log: stop the portal just after one round
    if not wait_for(lambda: lines() > n, HEALTH_PERIOD_S + 5, "core's portal checker polls the portal every period"):
        return
    tick = time.time()
    out("cd %s && docker compose stop portal" % H)
    samples = []
    while time.time() - tick < 2 * HEALTH_PERIOD_S + 5:
        h, by_name, raw = health()
        samples.append((round(time.time() - tick, 1), by_name.get("portal", {}), h.get("status")))
        if by_name.get("portal", {}).get("status") == "unhealthy":
            break
        time.sleep(HEALTH_PERIOD_S / 20)
    check("health answers from the last round: the portal, just stopped, still healthy",
          len(samples) > 1 and samples[0][1].get("status") == "healthy", samples)
    last = samples[-1]
    # At the next round: within a period of the round just seen (plus the answers' latency), before the one after.
    check("the portal unhealthy at its checker's next round (within a period), with Harbor's error, overall unhealthy",
          last[1].get("status") == "unhealthy" and last[0] <= HEALTH_PERIOD_S + 1.5 and last[2] == "unhealthy"
          and last[1].get("error", "").startswith('failed to check health: Get "http://portal:8080"'), samples)
    # a portal that accepts and never answers keeps the first round of a new core waiting (60 s)
    hold = socket.socket()
    hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hold.bind((socket.gethostbyname("portal"), 8080))
    hold.listen(8)
    try:
        out("cd %s && docker compose restart core" % H)
        wait_for(core_up, 60, "core answers ping after a restart")
        h, by_name, raw = health()
        check('a checker before its first round ends: "unknown status", unhealthy',
              by_name.get("portal") == {"name": "portal", "status": "unhealthy", "error": "unknown status"}
              and h.get("status") == "unhealthy", raw)
    finally:
        hold.close()
    out("cd %s && docker compose start portal" % H)
    check("the portal healthy again at a later round",
          wait_for(lambda: health()[1].get("portal", {}).get("status") == "healthy", 25, "portal healthy again"), health()[2])


def main():
    setup_node()
    start_db()
    code, text = install()
    check("Harbor's install.sh runs unchanged to the end", code == 0 and "installed and started successfully" in text, text)
    check("install.sh used `docker compose` (the plugin)", "Docker Compose version v2" in text, text)
    for f in ("common/config/core/env", "common/config/registry/config.yml", "common/config/registry/passwd",
              "common/config/nginx/nginx.conf", "common/config/jobservice/config.yml", "docker-compose.yml"):
        check("prepare wrote %s" % f, os.path.isfile(os.path.join(H, f)))
    compose = open(H + "/docker-compose.yml").read()
    check("external database and Redis: no postgresql/redis service", "harbor-db" not in compose and "redis-photon" not in compose)
    env = open(H + "/common/config/core/env").read()
    check("core env points at the external PostgreSQL", "POSTGRESQL_HOST=%s" % DB_IP in env, env)
    check("prepare kept the pre-seeded secretkey", open("/data/secret/keys/secretkey").read() == "0123456789abcdef")
    if not wait_for(core_up, 60, "core answers /api/v2.0/ping through nginx"):
        print(out("cd %s && docker compose ps; tail -n 30 /var/lib/lab-compose/harbor/*.out" % H)[1])
        return
    check("core answers /api/v2.0/ping through nginx (https 443 -> nginx 8443 -> core)", True)
    check_core_api()
    status, body = https("/v2/")
    check("/v2/ without a token: 401", status == 401, body)
    code, text = out("curl -sk -D - -o /dev/null https://%s/v2/" % HOST)
    check("the challenge names core's token realm", 'Bearer realm="https://%s/service/token",service="harbor-registry"' % HOST in text, text)
    rows = out("runuser -u postgres -- psql -At -d registry -c 'select version, dirty from schema_migrations'")[1].strip()
    check("core migrated the schema: schema_migrations 180, not dirty", rows == "180|f", rows)
    sh([os.path.join(LAB, "clients", "make-image.sh"), "/tmp/img", "1", "selftest"], capture_output=True)
    creds = "admin:" + ADMIN_PW
    code, text = out("skopeo copy --retry-times 0 --format v2s2 --dest-creds '%s' oci:/tmp/img:1 docker://%s/library/hello:1" % (creds, HOST))
    check("skopeo pushes through nginx, core's token and proxy, into the registry", code == 0, text)
    code, text = out("skopeo copy --retry-times 0 --src-creds '%s' docker://%s/library/hello:1 oci:/tmp/pulled:1" % (creds, HOST))
    check("skopeo pulls it back", code == 0, text)
    code, text = out("skopeo inspect --creds admin:wrong docker://%s/library/hello:1" % HOST)
    check("a wrong password is refused", code != 0, text)
    check_health()
    stats = lambda: out("curl -s -H \"Authorization: Harbor-Secret $(grep ^CORE_SECRET= %s/common/config/core/env | cut -d= -f2)\" "
                        "http://jobservice:8080/api/v1/stats" % H)[1]
    check("jobservice reports prepare's workers (10)", '"concurrency":10' in stats(), stats())
    code, text = out("curl -s -w ' %{http_code}' -H 'Authorization: Harbor-Secret wrong' http://jobservice:8080/api/v1/jobs/x")
    check("jobservice refuses another secret (401)", text.endswith(" 401"), text)
    code, text = out("curl -s -w ' %{http_code}' http://jobservice:8080/api/v1/stats")
    check("jobservice answers /api/v1/stats without a secret (router.go: core's health check)", text.endswith(" 200"), text)
    check_health_periodic()
    write_harbor_yml({"jobservice.max_job_workers": 7})
    code, text = install("--with-trivy")
    check("install.sh --with-trivy again after a harbor.yml change", code == 0, text)
    check("the trivy-adapter stand-in answers its probe",
          wait_for(lambda: out("curl -sf http://trivy-adapter:8080/probe/healthy")[0] == 0, 30, "trivy-adapter probe"))
    wait_for(lambda: health()[0].get("status") == "healthy", 30, "health healthy after install.sh --with-trivy")
    h, by_name, raw = health()
    check("with Trivy (WITH_TRIVY) health lists trivy, healthy", by_name.get("trivy", {}).get("status") == "healthy", raw)
    wait_for(lambda: '"concurrency":7' in stats(), 60, "jobservice reports the new max_job_workers (7)")
    check("jobservice reports the new max_job_workers (7) after prepare ran again", '"concurrency":7' in stats(), stats())
    check("the image is still there after a reinstall",
          out("skopeo inspect --creds '%s' docker://%s/library/hello:1" % (creds, HOST))[0] == 0)
    out("runuser -u postgres -- psql -d registry -c 'update schema_migrations set dirty = true'")
    out("cd %s && docker compose restart core" % H)
    dirty = "Dirty database version 180. Fix and force version."
    wait_for(lambda: dirty in out("cat /var/lib/lab-compose/harbor/core.out")[1], 15, "core's dirty-schema message")
    log = out("cat /var/lib/lab-compose/harbor/core.out")[1]
    check("a dirty schema stops core with golang-migrate's message",
          "Dirty database version 180. Fix and force version." in log, log[-800:])
    out("runuser -u postgres -- psql -d registry -c 'update schema_migrations set dirty = false'")
    code, text = out("cd %s && docker compose down -v" % H)
    check("docker compose down -v", code == 0 and not re.search(r"lcbr\d+", out("ip -br link")[1]), text)


if __name__ == "__main__":
    try:
        main()
    finally:
        print("selftest: %s" % ("FAILED: " + ", ".join(FAILED) if FAILED else "all checks passed"), flush=True)
    sys.exit(1 if FAILED else 0)
