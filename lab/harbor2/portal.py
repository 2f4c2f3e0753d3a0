#!/usr/bin/python3
"""Stands in for Harbor 2.x's portal (goharbor/harbor-portal, v2.15.1: nginx serving the
Angular UI with prepare's common/config/portal/nginx.conf). The UI's files are not in any bundle
the lab has, so this serves one page: `listen` port from prepare's nginx.conf (8080), the page
at / and at any path (the UI's try_files falls back to index.html), at the service's address.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib.harbor2.release import listen_address  # noqa: E402
from standinlib import log  # noqa: E402
from standinlib.httpserver import Handler, Server  # noqa: E402

CONFIG = "/etc/nginx/nginx.conf"
PAGE = (b"<!doctype html><html><head><title>Harbor</title></head><body><h1>Harbor</h1>"
        b"<p>harbor-ha lab: stand-in for Harbor's portal (no web UI here).</p></body></html>\n")


class PortalHandler(Handler):
    routes = [("GET", r"/.*", "page")]

    def page(self):
        self.reply(200, PAGE, "text/html")


def main():
    try:
        with open(CONFIG) as f:
            text = f.read()
    except OSError as e:
        log.fatal("nginx: [emerg] open() \"%s\" failed (%s)" % (CONFIG, e.strerror))
    m = re.search(r"^\s*listen\s+(\d+)", text, re.M)
    addr = listen_address(m.group(1) if m else 8080)
    Server(addr, PortalHandler).serve_forever()


if __name__ == "__main__":
    main()
