#!/usr/bin/python3
"""Stands in for Harbor 2.x's trivy-adapter (goharbor/trivy-adapter-photon; aquasecurity/
harbor-scanner-trivy, which Harbor 2.15.1 bundles with `install.sh --with-trivy`). It scans
nothing: the lab has no Trivy and no vulnerability database.

Reads the env file prepare wrote (SCANNER_REDIS_URL, SCANNER_API_SERVER_ADDR, default :8080),
PINGs that Redis (fatal when it cannot), and serves the scanner API's probes: GET
/probe/healthy and /probe/ready (200), GET /api/v1/metadata (the scanner's name, vendor and
the MIME types Harbor asks for, with `harbor.scanner-adapter/lab: stand-in`); scan requests 501.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib.harbor2.release import listen_address  # noqa: E402
from standinlib import log, redis  # noqa: E402
from standinlib.httpserver import Handler, Server  # noqa: E402

METADATA = {
    "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "lab stand-in"},
    "capabilities": [{
        "consumes_mime_types": ["application/vnd.oci.image.manifest.v1+json",
                                "application/vnd.docker.distribution.manifest.v2+json"],
        "produces_mime_types": ["application/vnd.security.vulnerability.report; version=1.1"],
    }],
    "properties": {"harbor.scanner-adapter/scanner-type": "os-package-vulnerability",
                   "harbor.scanner-adapter/lab": "stand-in: scans nothing"},
}


class ScannerHandler(Handler):
    routes = [("GET", r"/probe/healthy", "ok"), ("GET", r"/probe/ready", "ok"),
              ("GET", r"/api/v1/metadata", "metadata"), ("POST", r"/api/v1/scan", "scan"),
              ("GET", r"/api/v1/scan/[^/]+/report", "scan")]

    def ok(self):
        self.reply(200)

    def metadata(self):
        self.reply_json(METADATA)

    def scan(self):
        self.http_error(501, "the lab's trivy-adapter stand-in scans nothing")


def main():
    url = os.environ.get("SCANNER_REDIS_URL", "")
    try:
        addr, password, db = redis.parse_url(url.split("?", 1)[0])
        client = redis.Client(addr, password, db, timeout=5)
        client.command("PING")
        client.close()
    except Exception as e:
        log.fatal("Error: constructing connection pool: %s: %s" % (url, e))
    port = os.environ.get("SCANNER_API_SERVER_ADDR", ":8080").rpartition(":")[2]
    addr = listen_address(port or 8080)
    log.info("Starting API server without TLS on %s:%d" % addr)
    Server(addr, ScannerHandler).serve_forever()


if __name__ == "__main__":
    main()
