#!/usr/bin/python3
"""The ui's registry proxy (standinlib/uiproxy.py) against Go's httputil.ReverseProxy: every
header line and every status passes, hop-by-hop headers do not, X-Forwarded-For is appended.
A recording upstream and the proxy on loopback; no root, a second or so.

    python3 -m unittest discover -s lab/selftest -p 'test_*.py'
"""
import os
import socket
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from standinlib import uiproxy  # noqa: E402
from standinlib.httpserver import Handler, Server  # noqa: E402


class Upstream(BaseHTTPRequestHandler):
    """Records each request's header lines; answers with the status the path names
    (/status/NNN) and several lines of one header, as a registry does with Link."""
    protocol_version = "HTTP/1.1"
    seen = []

    def do_GET(self):
        Upstream.seen.append(self.headers.items())
        status = int(self.path.rsplit("/", 1)[-1])
        self.send_response_only(status)
        self.send_header("Date", "Mon, 07 Dec 2026 00:00:00 GMT")
        self.send_header("Link", '<a>; rel="first"')
        self.send_header("Link", '<b>; rel="next"')
        self.send_header("Connection", "X-Hop-Named")
        self.send_header("X-Hop-Named", "dropped")
        self.send_header("Keep-Alive", "timeout=5")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Proxy(Handler):
    routes = [("GET", r"/registryproxy(/.*)", "proxy")]

    def proxy(self, path):
        uiproxy.forward(self, path, self.server.upstream_url)

    def log_message(self, *args):
        pass


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def raw_request(port, lines):
    """Sends LINES as one request; returns the answer's status line and header lines."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    return head[0], [tuple(x.strip() for x in line.split(":", 1)) for line in head[1:]]


class ReverseProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = serve(ThreadingHTTPServer(("127.0.0.1", 0), Upstream))
        cls.proxy = serve(Server(("127.0.0.1", 0), Proxy))
        cls.proxy.upstream_url = "http://127.0.0.1:%d" % cls.upstream.server_address[1]

    @classmethod
    def tearDownClass(cls):
        for server in (cls.proxy, cls.upstream):
            server.shutdown()
            server.server_close()

    def get(self, status, extra=()):
        Upstream.seen.clear()
        line, headers = raw_request(self.proxy.server_address[1], [
            "GET /registryproxy/v2/library/app/manifests/latest/status/%d HTTP/1.1" % status,
            "Host: registry.lab.test",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
            "Accept: application/vnd.docker.distribution.manifest.list.v2+json",
            "Accept: application/vnd.oci.image.manifest.v1+json",
            "Connection: close, X-Client-Hop",
            "X-Client-Hop: dropped",
            "Proxy-Connection: keep-alive",
            "Te: trailers",
        ] + list(extra))
        self.assertEqual(len(Upstream.seen), 1)
        return line, headers, Upstream.seen[0]

    def test_every_accept_line_reaches_the_registry_in_order(self):
        _, _, sent = self.get(200)
        self.assertEqual([v for k, v in sent if k == "Accept"], [
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json"])
        self.assertIn(("Host", "registry.lab.test"), sent)

    def test_hop_by_hop_headers_stay_behind_both_ways(self):
        _, answer, sent = self.get(200)
        names = {k.lower() for k, _ in sent}
        for hop in ("x-client-hop", "proxy-connection", "te"):
            self.assertNotIn(hop, names)
        answer_names = [k.lower() for k, _ in answer]
        for hop in ("x-hop-named", "keep-alive"):
            self.assertNotIn(hop, answer_names)

    def test_x_forwarded_for_gets_the_client_appended(self):
        _, _, sent = self.get(200)
        self.assertEqual([v for k, v in sent if k == "X-Forwarded-For"], ["127.0.0.1"])
        _, _, sent = self.get(200, ["X-Forwarded-For: 10.0.0.1", "X-Forwarded-For: 10.0.0.2, 10.0.0.3"])
        self.assertEqual([v for k, v in sent if k == "X-Forwarded-For"], ["10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1"])

    def test_every_answer_line_and_the_upstream_date_come_back(self):
        _, answer, _ = self.get(200)
        self.assertEqual([v for k, v in answer if k == "Link"], ['<a>; rel="first"', '<b>; rel="next"'])
        self.assertEqual([v for k, v in answer if k == "Date"], ["Mon, 07 Dec 2026 00:00:00 GMT"])

    def test_every_status_passes_with_go_s_reason_phrase(self):
        for status, line in ((202, "HTTP/1.1 202 Accepted"), (307, "HTTP/1.1 307 Temporary Redirect"),
                             (416, "HTTP/1.1 416 Requested Range Not Satisfiable"),
                             (299, "HTTP/1.1 299 status code 299")):
            self.assertEqual(self.get(status)[0], line)


if __name__ == "__main__":
    unittest.main()
