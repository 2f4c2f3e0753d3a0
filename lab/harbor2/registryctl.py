#!/usr/bin/python3
"""Stands in for Harbor 2.x's registryctl (goharbor/harbor-registryctl, v2.15.1:
src/registryctl/main.go, config/config.go, api/). It deletes nothing (Harbor's core calls it for
blob and manifest deletion during garbage collection, which the lab does not run).

Reads /etc/registryctl/config.yml (prepare's: protocol, port, log_level, registry_config),
checks the registry configuration it names (/etc/registry/config.yml, prepare's, bound from
common/config/registry) can be read, and needs CORE_SECRET and JOBSERVICE_SECRET from its env
file. Serves GET /api/health (200, no auth, as the image's health check uses it); the
registry API (/api/registry/...) needs `Authorization: Harbor-Secret <secret>` and answers 501.
"""
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib.harbor2.release import listen_address  # noqa: E402
from standinlib import log  # noqa: E402
from standinlib.httpserver import Handler, Server  # noqa: E402

CONFIG = "/etc/registryctl/config.yml"


class CtlHandler(Handler):
    routes = [("GET", r"/api/health", "health"), ("DELETE", r"/api/registry/.+", "registry")]

    def health(self):
        self.reply(200, b"", None)

    def registry(self):
        secret = self.headers.get("Authorization", "")[len("Harbor-Secret "):].strip()
        if secret not in (os.environ.get("CORE_SECRET"), os.environ.get("JOBSERVICE_SECRET")) or not secret:
            return self.http_error(401)
        self.http_error(501, "the lab's registryctl stand-in deletes nothing")


def main():
    try:
        with open(CONFIG) as f:
            cfg = yaml.safe_load(f) or {}
        with open(cfg.get("registry_config") or "/etc/registry/config.yml") as f:
            yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        log.fatal("Failed to load configurations with error: %s" % e, at="main.go:79")
    for name in ("CORE_SECRET", "JOBSERVICE_SECRET"):
        if not os.environ.get(name):
            log.fatal("Failed to load configurations with error: %s is not set" % name, at="main.go:79")
    addr = listen_address(cfg.get("port") or 8080)
    log.info("Server is started at %s:%d with %s" % (addr[0], addr[1], cfg.get("protocol", "http")), at="main.go:107")
    Server(addr, CtlHandler).serve_forever()


if __name__ == "__main__":
    main()
