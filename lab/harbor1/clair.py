#!/usr/bin/python3
"""Stands in for Harbor's Clair container (vmware/clair-photon v2.0.1-v1.4.0 / v2.0.6-v1.5.4).

Minimal on purpose: the lab has no Clair PostgreSQL and scans nothing. It listens where
Clair 2.0 does, as read from the config.yaml prepare wrote (/config/config.yaml:
clair.api.port, default 6060, and clair.api.healthport, default 6061), on the service's
own address, and answers:
    GET /health           200 on both ports (Clair serves it on the health port)
    GET /v1/namespaces    200 {"Namespaces": []} on the API port
    anything else         404
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONFIG = "/config/config.yaml"


def ports():
    api, health = 6060, 6061
    try:
        import yaml

        with open(CONFIG) as f:
            cfg = (yaml.safe_load(f) or {}).get("clair", {}).get("api", {})
        api, health = int(cfg.get("port", api)), int(cfg.get("healthport", health))
    except (OSError, ValueError, AttributeError, ImportError) as e:
        sys.stderr.write("clair: %s not read (%s); using ports %d/%d\n" % (CONFIG, e, api, health))
    return api, health


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.reply(200, {})
        elif path == "/v1/namespaces" and self.server.server_port == self.server.api_port:
            self.reply(200, {"Namespaces": []})
        else:
            self.reply(404, {"Error": {"Message": "not found (the lab's Clair stand-in scans nothing)"}})

    def reply(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stdout.write("clair: %s %s\n" % (self.address_string(), fmt % args))
        sys.stdout.flush()


def main():
    addr = os.environ.get("LAB_SERVICE_ADDR", "127.0.0.1")
    api, health = ports()
    servers = []
    for port in (api, health):
        s = ThreadingHTTPServer((addr, port), Handler)
        s.api_port = api
        servers.append(s)
    sys.stdout.write("clair: stand-in on %s:%d (API) and :%d (health)\n" % (addr, api, health))
    sys.stdout.flush()
    threading.Thread(target=servers[1].serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
