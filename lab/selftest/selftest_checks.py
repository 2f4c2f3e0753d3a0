"""The checks of selftest.sh; `t` is the selftest.py module (helpers, state, constants)."""
import base64
import json
import os
import subprocess
import time

from standinlib import libtrust, secrets, token as tokens

IMG = "/root/img"


def _jwt_claims(tok):
    head, body = tok.split(".")[:2]
    dec = (lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))))
    return dec(head), dec(body)


def _skopeo(*args):
    r = subprocess.run(["skopeo", "--insecure-policy"] + list(args), capture_output=True, text=True, timeout=180)
    return r.returncode, r.stdout + r.stderr


def _pull_without_history(t):
    """skopeo asks for a manifest with one Accept line per type; the registry down-converts to
    schema 1 unless it sees the schema 2 line, and an image without history has no schema 1
    form ("empty history"). Harbor's ui passes every line on, so this pulls as schema 2."""
    img = IMG + "-no-history"
    subprocess.run([os.path.join(t.REPO, "lab/clients/make-image.sh"), "--no-history", img, "latest"], check=True,
                   capture_output=True)
    rc, out = _skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + t.ADMIN_PW, "--format", "v2s2",
                      "oci:%s:latest" % img, "docker://%s/library/no-history:latest" % t.HOSTNAME)
    t.check("skopeo push of an image without history", rc == 0, out)
    rc, out = _skopeo("copy", "--src-tls-verify=false", "docker://%s/library/no-history:latest" % t.HOSTNAME,
                      "dir:/root/pulled-no-history")
    schema = None
    if rc == 0:
        with open("/root/pulled-no-history/manifest.json") as f:
            schema = json.load(f).get("mediaType")
    t.check("skopeo pull of it through nginx and the ui: schema 2 (every Accept line reached the registry)",
            schema == "application/vnd.docker.distribution.manifest.v2+json", out)


def _chunked_upload(t, tok):
    import hashlib
    import http.client
    from urllib.parse import urlsplit
    data = os.urandom(300000)
    auth = {"Authorization": "Bearer " + tok}
    c = http.client.HTTPConnection(t.HOSTNAME, 80, timeout=60)
    c.request("POST", "/v2/library/chunked/blobs/uploads/", headers=auth)
    r = c.getresponse()
    r.read()
    loc = urlsplit(r.getheader("Location") or "")
    path = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=sha256:" + hashlib.sha256(data).hexdigest()
    c.request("PUT", path, body=iter([data[:100000], data[100000:]]), headers=auth, encode_chunked=True)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def run_checks(t):
    ui, admin = "http://%s" % t.HOSTNAME, (("admin", t.ADMIN_PW))
    pw_env = t.env_file(os.path.join(t.H, "common/config/adminserver/env"))
    is15 = t.VERSION == "1.5"

    # /api/systeminfo (ui/api/systeminfo.go): anonymous, the bundle's version, registry_url = hostname
    code, body = t.http("GET", ui + "/api/systeminfo")
    info = json.loads(body) if code == 200 else {}
    t.check("systeminfo is anonymous and names %s, %s" % (t.TAG, t.HOSTNAME),
            info.get("harbor_version") == t.TAG and info.get("registry_url") == t.HOSTNAME
            and info.get("auth_mode") == "db_auth", body)

    # admin password from HARBOR_ADMIN_PASSWORD, hashed as Harbor does; wrong ones refused
    row = t.db("select password, salt from user where user_id = 1")[0]
    t.check("admin password is PBKDF2(HARBOR_ADMIN_PASSWORD, salt)", row[0] == secrets.hash_password(t.ADMIN_PW, row[1]), row)
    code, body = t.http("GET", ui + "/api/users/current", admin)
    t.check("GET /api/users/current as admin", code == 200 and json.loads(body).get("has_admin_role") == 1, body)
    code, _ = t.http("GET", ui + "/api/configurations", ("admin", "wrong"))
    t.check("wrong password -> 401 on /api/configurations", code == 401, code)
    code, _ = t.http("GET", ui + "/api/configurations")
    t.check("anonymous -> 401 on /api/configurations", code == 401, code)

    # the adminserver: the secret, the properties table, encryption with the secretkey
    hdr = {"Authorization": "Harbor-Secret " + pw_env["UI_SECRET"]} if is15 else {"Cookie": "secret=" + pw_env["UI_SECRET"]}
    code, _ = t.http("GET", "http://adminserver:8080/api/configurations")
    t.check("adminserver without the secret -> 401", code == 401, code)
    code, body = t.http("GET", "http://adminserver:8080/api/configurations", headers=hdr)
    t.check("adminserver with UI_SECRET -> 200", code == 200 and json.loads(body).get("email_password") == "mail-secret", body)
    props = dict(t.db("select k, v from properties"))
    key = open("/data/secretkey", "rb").read()
    t.check("settings stored in properties, email_password encrypted with the secretkey",
            props.get("token_expiration") == "30" and props.get("email_password", "").startswith("<enc-v1>")
            and secrets.decrypt(props["email_password"], key) == "mail-secret", props.get("email_password"))

    # DB-held vs re-read settings across an adminserver restart with a changed env
    envf = os.path.join(t.H, "common/config/adminserver/env")
    orig = open(envf).read()
    open(envf, "w").write(orig.replace("TOKEN_EXPIRATION=30", "TOKEN_EXPIRATION=99")
                          .replace("MAX_JOB_WORKERS=3", "MAX_JOB_WORKERS=7"))
    t.restart("adminserver")
    t.wait_for(lambda: t.http("GET", "http://adminserver:8080/api/configurations", headers=hdr)[0] == 200, 60, "adminserver")
    props = dict(t.db("select k, v from properties"))
    t.check("restart: token_expiration stays DB-held (30), max_job_workers re-read from env (7)",
            props.get("token_expiration") == "30" and props.get("max_job_workers") == "7", props)
    open(envf, "w").write(orig)

    # PUT /api/configurations (ui/api/config.go): types checked, unknown keys dropped, DB updated
    code, body = t.http("PUT", ui + "/api/configurations", admin, {"token_expiration": "45"})
    t.check("PUT with a string number -> 400", code == 400 and "expected float64" in body, body)
    code, body = t.http("PUT", ui + "/api/configurations", admin, {"token_expiration": 45, "no_such_key": 1})
    props = dict(t.db("select k, v from properties"))
    t.check("PUT token_expiration=45 -> 200 and stored", code == 200 and props.get("token_expiration") == "45"
            and "no_such_key" not in props, (code, body))
    code, body = t.http("GET", ui + "/api/configurations", admin)
    t.check("GET /api/configurations shows it", code == 200 and json.loads(body)["token_expiration"]["value"] == 45, body)

    # /service/token: libtrust key id, issuer, audience, expiration from the DB setting
    code, body = t.http("GET", ui + "/service/token?service=harbor-registry&scope=repository:library/selftest:push,pull", admin)
    tok = json.loads(body)["token"] if code == 200 else ""
    head, claims = _jwt_claims(tok) if tok else ({}, {})
    kid = libtrust.load_key_file(os.path.join(t.H, "common/config/ui/private_key.pem")).key_id()
    t.check("token: kid, iss, aud, access, expires_in 45 min",
            head.get("kid") == kid and claims.get("iss") == "harbor-token-issuer" and claims.get("aud") == "harbor-registry"
            and claims.get("access", [{}])[0].get("actions") == ["push", "*", "pull"]
            and json.loads(body).get("expires_in") == 2700, body)
    code, _ = t.http("GET", ui + "/service/token?service=harbor-registry")
    t.check("docker login without credentials -> 401", code == 401, code)

    # push and pull with skopeo through nginx (prepare's nginx.conf: /v2/ -> ui /registryproxy/)
    subprocess.run([os.path.join(t.REPO, "lab/clients/make-image.sh"), IMG, "latest"], check=True, capture_output=True)
    rc, out = _skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + t.ADMIN_PW, "--format", "v2s2",
                      "oci:%s:latest" % IMG, "docker://%s/library/selftest:latest" % t.HOSTNAME)
    t.check("skopeo push library/selftest through nginx", rc == 0, out)
    rc, out = _skopeo("copy", "--src-tls-verify=false", "docker://%s/library/selftest:latest" % t.HOSTNAME, "dir:/root/pulled")
    t.check("anonymous skopeo pull (library is public)", rc == 0, out)
    _pull_without_history(t)

    # the real registry verifies tokens against root.crt
    code, body = t.http("GET", ui + "/service/token?service=harbor-registry&scope=repository:library/selftest:pull", admin)
    good = json.loads(body)["token"]
    code, body = t.http("GET", "http://registry:5000/v2/library/selftest/tags/list", headers={"Authorization": "Bearer " + good})
    t.check("registry accepts the ui's token: tags/list 200", code == 200 and "latest" in body, (code, body))
    bad = tokens.make_token("admin", "harbor-registry", [{"type": "repository", "name": "library/selftest",
                                                          "actions": ["pull"]}], 30, key_path="/root/other_key.pem")["token"]
    code, body = t.http("GET", "http://registry:5000/v2/library/selftest/tags/list", headers={"Authorization": "Bearer " + bad})
    t.check("registry refuses a token signed by another key: 401", code == 401, (code, body))

    # a chunked upload through nginx and the ui's proxy (proxy_request_buffering off)
    code, body = t.http("GET", ui + "/service/token?service=harbor-registry&scope=repository:library/chunked:push,pull", admin)
    t.check("chunked blob upload through nginx -> 201", _chunked_upload(t, json.loads(body)["token"]) == 201)

    # SyncRegistry and /api/repositories/top
    code, _ = t.http("POST", ui + "/api/internal/syncregistry", admin, {})
    code, body = t.http("GET", ui + "/api/repositories/top")
    top = json.loads(body) if code == 200 else []
    t.check("/api/repositories/top lists library/selftest (1 tag)",
            any(r["name"] == "library/selftest" and r["tags_count"] == 1 for r in top), body)

    # a PKCS#8 key: libtrust refuses it at each token, the ui keeps running
    kp = os.path.join(t.H, "common/config/ui/private_key.pem")
    pkcs1 = open(kp, "rb").read()
    pkcs8 = subprocess.run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", kp], capture_output=True, check=True).stdout
    with open(kp, "wb") as f:
        f.write(pkcs8)
    code, _ = t.http("GET", ui + "/service/token?service=harbor-registry&scope=repository:library/selftest:pull", admin)
    t.check("PKCS#8 token key -> 500 and libtrust's message in the ui log",
            code == 500 and "unable to get PrivateKey from PEM type: PRIVATE KEY" in t.log_of("ui"), code)
    with open(kp, "wb") as f:
        f.write(pkcs1)

    # the schema check at ui start
    t.db("update alembic_version set version_num = '1.3.0'")
    t.restart("ui")
    rc = t.exited("ui", 30)
    t.check("schema 1.3.0 -> ui exits 1 with Harbor's message", rc == 1 and
            "unexpected database schema version, expected %s, got 1.3.0" % ("1.5.0" if is15 else "1.4.0") in t.log_of("ui"), rc)
    t.db("update alembic_version set version_num = %s", ("1.5.0" if is15 else "1.4.0",))

    # Redis unreachable at ui start: beego's session provider panics
    t.stop("redis")
    t.restart("ui")
    rc = t.exited("ui", 30)
    t.check("no Redis -> ui panics (exit 2)", rc == 2 and "panic: dial tcp %s:6379" % t.DB_ADDR in t.log_of("ui"), rc)
    t.start("redis", ["redis-server", "--bind", t.DB_ADDR, "--port", "6379", "--save", "", "--protected-mode", "no"])
    time.sleep(1)
    t.restart("ui")
    t.wait_ui()
    t.check("ui back after Redis returns", True)

    if is15:  # its job context retries the adminserver after 9, 13, 19, 29 s (job/impl/context.go)
        t.wait_for(lambda: t.http("GET", "http://jobservice:8080/api/v1/stats")[0] == 401, 90, "jobservice")
        code, body = t.http("GET", "http://jobservice:8080/api/v1/stats", headers={"Authorization": "Harbor-Secret " + pw_env["UI_SECRET"]})
        t.check("1.5 jobservice: /api/v1/stats with the UI secret", code == 200 and "worker_pools" in body, body)
        code, body = t.http("GET", "http://adminserver:8080/api/ping")
        t.check("1.5 adminserver /api/ping without a secret", code == 200 and "Pong" in body, body)
    else:
        code, _ = t.http("POST", "http://jobservice:8080/api/jobs/replication", body={})
        t.check("1.4 jobservice: no secret cookie -> 401", code == 401, code)

    # SIGTERM is handled promptly
    for svc in ("ui", "jobservice", "adminserver"):
        took = t.stop(svc)
        t.check("%s stops within 2 s of SIGTERM" % svc, took < 2, "%.1fs" % took)
