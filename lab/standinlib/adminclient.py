"""The adminserver client of Harbor 1.x's ui and jobservice, with the ui's config cache.

Follows goharbor/harbor (v1.4.0 / v1.5.4):
- src/adminserver/client/client.go: Ping = TestTCPConn(host:port, 60 s); GET/PUT
  /api/configurations, POST /api/configurations/reset, GET /api/systeminfo/capacity.
- src/common/http/modifier/auth/auth.go: the secret goes as cookie `secret=` in 1.4 and as
  header `Authorization: Harbor-Secret <secret>` in 1.5 (src/common/secret/request.go).
- src/common/http/client.go: a non-2xx answer is "http error: code N, message BODY".
- src/common/config/config.go Manager: Load() fetches and caches for cfg_expiration seconds
  (CFG_EXPIRATION=5 in the env template); Get() answers from the cache while it is fresh.
"""
import http.client
import json
import threading
import time
from urllib.parse import urlsplit

from .net import DialError, dial, test_tcp_conn


class HTTPError(Exception):
    pass


def secret_headers(secret, release):
    if release.is_15:
        return {"Authorization": "Harbor-Secret " + secret}
    return {"Cookie": "secret=" + secret}


class Client:
    def __init__(self, base_url, secret, release):
        base_url = base_url.rstrip("/")
        if "://" not in base_url:
            base_url = "http://" + base_url
        u = urlsplit(base_url)
        self.host, self.port = u.hostname, u.port or 80
        self.headers = secret_headers(secret, release)

    def ping(self):
        test_tcp_conn("%s:%d" % (self.host, self.port), 60, 2)

    def _do(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.sock = dial("%s:%d" % (self.host, self.port), timeout=30)  # Go-worded dial errors
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, DialError, http.client.HTTPException) as e:
            raise HTTPError("%s http://%s:%d%s: %s" % (method.capitalize(), self.host, self.port, path, e))
        finally:
            conn.close()
        if not 200 <= resp.status <= 299:
            raise HTTPError("http error: code %d, message %s" % (resp.status, raw.decode(errors="replace")))
        return json.loads(raw) if raw.strip() else None

    def get_cfgs(self):
        return self._do("GET", "/api/configurations") or {}

    def update_cfgs(self, cfgs):
        self._do("PUT", "/api/configurations", cfgs)

    def reset_cfgs(self):
        self._do("POST", "/api/configurations/reset")

    def capacity(self):
        return self._do("GET", "/api/systeminfo/capacity")


class Manager:
    """comcfg.Manager with the cache on (ui and 1.4 jobservice)."""

    def __init__(self, client):
        self.client = client
        self.lock = threading.Lock()
        self.cached, self.expires = None, 0.0

    def load(self):
        cfg = self.client.get_cfgs()
        if "cfg_expiration" not in cfg:
            raise HTTPError("cfg expiration is not set")
        with self.lock:
            self.cached, self.expires = dict(cfg), time.monotonic() + float(cfg["cfg_expiration"])
        return cfg

    def get(self):
        with self.lock:
            if self.cached is not None and time.monotonic() < self.expires:
                return dict(self.cached)
        return self.load()
