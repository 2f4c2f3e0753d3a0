#!/usr/bin/python3
"""Driver of selftest.sh (run by it, inside its namespaces and overlay root; not on its own).

Lays out a Harbor 1.4/1.5 node as the lab does: Harbor's installer in /opt/harbor, a token key
pair (PKCS#1), secretkey and harbor.cfg in place, Harbor's own `prepare --ha --yes`, a MariaDB
loaded with the bundle's ha/registry.sql and a Redis on 127.0.20.1, then each compose service
of ha/docker-compose.yml as the lab's shim starts it (its volumes bound at the container paths
in a private mount namespace, its env_file, uid 10000), and checks the stand-ins end to end.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode

import pymysql
import yaml

HERE = os.path.dirname(os.path.realpath(__file__))
LAB = os.path.dirname(HERE)
REPO = os.path.dirname(LAB)
sys.path.insert(0, LAB)
from standinlib import secrets  # noqa: E402

WORK = sys.argv[1]
VERSION = next((a for a in sys.argv[2:] if a in ("1.4", "1.5")), "1.4")
TAG = {"1.4": "v1.4.0", "1.5": "v1.5.4"}[VERSION]
BUNDLE = os.path.join(REPO, "..", "shared", "harbor", "harbor-offline-installer-%s-noimages.tgz" % TAG)
LOGS = os.path.join(WORK, "logs")
H = "/opt/harbor"
ADDR = {"adminserver": "127.0.10.2", "registry": "127.0.10.3", "ui": "127.0.10.4", "jobservice": "127.0.10.5",
        "proxy": "127.0.10.6"}
DB_ADDR, HOSTNAME, ADMIN_PW, DB_PW = "127.0.20.1", "harbor.lab", "Selftest-Admin1", "Selftest-Db1"
PY2 = "/root/.pyenv/versions/2.7.18/bin/python"
PROCS, FAILED = {}, []


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True, **kw)


def check(name, ok, detail=""):
    print("%s  %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else "  -- " + str(detail)[:400]), flush=True)
    if not ok:
        FAILED.append(name)


def http(method, url, user=None, body=None, headers=None, timeout=30):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    if user:
        req.add_header("Authorization", "Basic " + b64encode(("%s:%s" % user).encode()).decode())
    if body is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError as e:
        return 0, str(e)


def db(sql, args=()):
    c = pymysql.connect(host=DB_ADDR, port=3306, user="harbor", password=DB_PW, database="registry", autocommit=True)
    with c.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
    c.close()
    return rows


def log_of(svc):
    with open(os.path.join(LOGS, svc + ".log"), errors="replace") as f:
        return f.read()


# -- the node: hosts, bundle, keys, harbor.cfg, MariaDB, Redis, prepare
def setup():
    with open("/etc/hosts", "w") as f:
        f.write("127.0.0.1 localhost\n%s db.lab redis.lab\n" % DB_ADDR)
        for svc, ip in ADDR.items():
            f.write("%s %s%s\n" % (ip, svc, " " + HOSTNAME if svc == "proxy" else ""))
    sh(["tar", "xzf", BUNDLE, "-C", "/opt"])
    ha = os.path.join(H, "ha")
    sh("openssl genrsa -traditional -out %s/private_key.pem 2048 2>/dev/null" % ha)
    sh("openssl req -new -x509 -days 365 -key %s/private_key.pem -out %s/root.crt -subj /CN=selftest" % (ha, ha))
    sh("openssl genrsa -traditional -out /root/other_key.pem 2048 2>/dev/null")
    with open(os.path.join(ha, "secretkey"), "w") as f:
        f.write(secrets.random_string(16))
    values = {"hostname": HOSTNAME, "ui_url_protocol": "http", "db_host": "db.lab", "db_password": DB_PW,
              "db_port": "3306", "db_user": "harbor", "redis_url": "redis.lab:6379", "customize_crt": "off",
              "harbor_admin_password": ADMIN_PW, "token_expiration": "30", "max_job_workers": "3",
              "email_password": "mail-secret"}
    cfg = open(os.path.join(H, "harbor.cfg")).read()
    for k, v in values.items():
        cfg = re.sub(r"(?m)^%s\s*=.*$" % k, "%s = %s" % (k, v), cfg)
    open(os.path.join(H, "harbor.cfg"), "w").write(cfg)

    dd = "/var/lib/selftest-mysql"
    sh("mariadb-install-db --no-defaults --user=root --datadir=%s >%s/mariadb-install.log 2>&1" % (dd, LOGS))
    start("mariadb", ["mariadbd", "--no-defaults", "--user=root", "--datadir=" + dd, "--socket=/run/st-mysql.sock",
                      "--port=3306", "--bind-address=" + DB_ADDR, "--skip-name-resolve"])
    start("redis", ["redis-server", "--bind", DB_ADDR, "--port", "6379", "--save", "", "--protected-mode", "no"])
    wait_for(lambda: os.path.exists("/run/st-mysql.sock"), 60, "MariaDB")
    root_sql = ["mariadb", "--no-defaults", "-uroot", "--socket=/run/st-mysql.sock"]
    sh(root_sql, input=open(os.path.join(ha, "registry.sql"), "rb").read())
    sh(root_sql, input=("drop user if exists ''@'localhost'; create user 'harbor'@'%%' identified by '%s'; "
                        "grant all on registry.* to 'harbor'@'%%';" % DB_PW).encode())
    sh("cd %s && %s ./prepare --ha --yes >%s/prepare.log 2>&1" % (H, PY2, LOGS))


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.5)
    raise SystemExit("selftest: %s did not come up in %d s" % (what, timeout))


def start(name, argv, env=None):
    out = open(os.path.join(LOGS, name + ".log"), "ab")
    PROCS[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env or dict(os.environ),
                                   start_new_session=True)


def stop(name, sig=signal.SIGTERM, timeout=10):
    p = PROCS.pop(name, None)
    if p is None or p.poll() is not None:
        return 0.0
    t = time.time()
    p.send_signal(sig)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return time.time() - t


# -- the compose services, as the lab's docker-compose shim runs them
COMPOSE = None
CHOWN = {"registry": ["/etc/registry", "/storage"], "adminserver": ["/etc/adminserver"], "ui": ["/etc/ui"],
         "jobservice": ["/etc/jobservice", "/var/log/jobs"]}


def env_file(path):
    env = {}
    for line in open(path):
        line = line.rstrip("\n")
        if line and not line.startswith("#") and "=" in line:
            k, _, v = line.partition("=")
            env[k] = v
    return env


def start_service(svc):
    spec = COMPOSE["services"][svc]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/"}
    for f in spec.get("env_file") or []:
        env.update(env_file(os.path.join(H, f)))
    env.update({"LAB_SERVICE_NAME": svc, "LAB_SERVICE_ADDR": ADDR[svc], "LAB_IMAGE": spec["image"]})
    steps = []
    for v in sorted(spec.get("volumes") or [], key=lambda v: v.split(":")[1].rstrip("/").count("/")):
        src, dst = v.split(":")[:2]
        src = os.path.normpath(os.path.join(H, src))
        if not os.path.exists(src):
            os.makedirs(src)
        if os.path.isdir(src):
            steps.append("mkdir -p %s" % shlex.quote(dst))
        else:
            steps.append("mkdir -p %s && touch %s" % (shlex.quote(os.path.dirname(dst)), shlex.quote(dst)))
        steps.append("mount --bind %s %s" % (shlex.quote(src), shlex.quote(dst)))
    for d in CHOWN.get(svc, []):
        steps.append("[ ! -d %s ] || chown -R 10000:10000 %s" % (d, d))
    short = spec["image"].split(":")[0].split("/")[-1]
    if short == "registry-photon":
        prog = "setpriv --reuid=10000 --regid=10000 --clear-groups /usr/bin/docker-registry serve /etc/registry/config.yml"
    elif short == "nginx-photon":
        prog = "nginx -g 'daemon off;'"
    else:
        prog = "setpriv --reuid=10000 --regid=10000 --clear-groups /usr/bin/python3 %s/harbor1/%s.py" % (
            LAB, short.replace("harbor-", ""))
    envs = " ".join(shlex.quote("%s=%s" % kv) for kv in env.items())
    script = " && ".join(steps + ["exec env -i %s %s" % (envs, prog)])
    start(svc, ["unshare", "--mount", "--propagation", "private", "sh", "-c", script])


def restart(svc):
    stop(svc)
    start_service(svc)


def exited(svc, timeout):
    p = PROCS[svc]
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def wait_ui():
    wait_for(lambda: http("GET", "http://%s/api/systeminfo" % HOSTNAME)[0] == 200, 180, "the ui through nginx")


if __name__ == "__main__":
    from selftest_checks import run_checks  # noqa: E402
    try:
        setup()
        COMPOSE = yaml.safe_load(open(os.path.join(H, "ha", "docker-compose.yml")))  # install.sh --ha copies it
        for svc in ("registry", "adminserver", "ui", "jobservice", "proxy"):
            start_service(svc)
        wait_ui()
        run_checks(sys.modules[__name__])
    except SystemExit as e:
        if e.code not in (None, 0):
            FAILED.append(str(e.code))
            print(e.code, flush=True)
    finally:
        for name in list(PROCS)[::-1]:
            stop(name)
    print("selftest %s: %s" % (TAG, "all checks passed" if not FAILED else "%d failed: %s" % (len(FAILED), ", ".join(FAILED))))
    sys.exit(1 if FAILED else 0)
