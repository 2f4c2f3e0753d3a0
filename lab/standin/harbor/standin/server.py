"""harbor-standin-server: answers like Harbor 1.4's nginx + ui for the paths the tool and
keepalived's check.sh use. LAB STAND-IN (see README.md), started by install.sh.

Port 80 always; under https also 443 with common/config/nginx/cert, and port 80 then
redirects (301) to https, as Harbor's nginx does.
"""
import argparse
import hashlib
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import harborcfg  # noqa: E402

HARBOR_VERSION = "v1.4.0-standin"


def file_sha256(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def build_state(loaded, base):
    cfg = loaded["cfg"]
    db_ok, db_msg = checks.check_mariadb(cfg)
    redis_ok, redis_msg = checks.check_redis(cfg)
    return {
        "config": harborcfg.redact(cfg),
        "ha": loaded["ha"],
        "with_clair": loaded["clair"],
        "secretkey_sha256": file_sha256(os.path.join(cfg["secretkey_path"], "secretkey")),
        "token_key_sha256": file_sha256(os.path.join(base, "common/config/ui/private_key.pem")),
        "token_cert_sha256": file_sha256(os.path.join(base, "common/config/registry/root.crt")),
        "tls_cert_sha256": file_sha256(os.path.join(base, "common/config/nginx/cert/server.crt")),
        "install_dir": base,
        "pid": os.getpid(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mariadb": {"reachable": db_ok, "message": db_msg},
        "redis": {"reachable": redis_ok, "message": redis_msg},
    }


def make_handler(state, https):
    cfg = state["config"]
    systeminfo = {
        "with_notary": False, "with_clair": state["with_clair"], "with_admiral": False,
        "admiral_endpoint": "NA", "auth_mode": cfg.get("auth_mode"), "registry_url": cfg.get("hostname"),
        "project_creation_restriction": cfg.get("project_creation_restriction"),
        "self_registration": cfg.get("self_registration") == "on", "has_ca_root": False,
        "harbor_version": HARBOR_VERSION, "next_scan_all": 0,
    }
    routes = {"/api/systeminfo": systeminfo, "/api/repositories/top": [], "/standin/state": state}

    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""

        def do_GET(self):  # noqa: N802 - http.server's naming
            tls = isinstance(self.connection, ssl.SSLSocket)
            if https and not tls:
                host = (self.headers.get("Host") or cfg.get("hostname")).split(":")[0]
                self.send_response(301)
                self.send_header("Location", "https://%s%s" % (host, self.path))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = self.path.split("?")[0].rstrip("/") or "/"
            if path == "/":
                self.reply(200, "<html><body>Harbor (harbor-ha lab stand-in)</body></html>", "text/html")
            elif path in routes:
                self.reply(200, json.dumps(routes[path], indent=1), "application/json")
            else:
                self.reply(404, json.dumps({"code": 404, "message": "not found"}), "application/json")

        do_HEAD = do_GET

        def reply(self, code, body, ctype):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--pidfile", required=True)
    a = p.parse_args()
    with open(os.path.join(a.base, "common/config/standin/config.json")) as f:
        loaded = json.load(f)
    state = build_state(loaded, a.base)
    https = loaded["cfg"]["ui_url_protocol"] == "https"
    handler = make_handler(state, https)
    servers = [ThreadingHTTPServer(("0.0.0.0", 80), handler)]
    if https:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert_dir = os.path.join(a.base, "common/config/nginx/cert")
        ctx.load_cert_chain(os.path.join(cert_dir, "server.crt"), os.path.join(cert_dir, "server.key"))
        tls = ThreadingHTTPServer(("0.0.0.0", 443), handler)
        # Handshake in the request thread, so a silent client cannot block accept().
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True, do_handshake_on_connect=False)
        servers.append(tls)
    for s in servers:
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(a.pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    sys.stderr.write("harbor-standin-server: pid %d, %s, ports %s\n"
                     % (os.getpid(), loaded["cfg"]["hostname"], [s.server_address[1] for s in servers]))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    for s in servers:
        s.server_close()
    try:
        os.unlink(a.pidfile)
    except OSError:
        pass


if __name__ == "__main__":
    main()
