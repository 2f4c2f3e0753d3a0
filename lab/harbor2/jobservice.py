#!/usr/bin/python3
"""Stands in for Harbor 2.x's jobservice (goharbor/harbor-jobservice, v2.15.1: src/jobservice/
main.go, config/config.go, runtime/bootstrap.go, api/authenticator.go, api/router.go). It runs
no jobs.

- `-c /etc/jobservice/config.yml` (the image's entrypoint) -- prepare's file, read as Harbor
  reads it: protocol, port, worker_pool (backend redis, redis_pool.redis_url, namespace,
  workers), job_loggers, loggers; checked with Harbor's messages (config.go validate), fatal
  "failed to load configurations: ..." otherwise. JOBSERVICE_SECRET and CORE_SECRET from the env
  file prepare wrote are required.
- The worker pool's Redis: PING (10 tries), then gocraft/work's heartbeat with `workers` as
  its concurrency (standinlib/workerpool.py).
- API on `port` at the service's address, `Authorization: Harbor-Secret <CORE_SECRET>` required
  except for exactly /api/v1/stats (router.go: it is core's health check, sent without a
  header). GET /api/v1/stats answers {"worker_pools": [...]} (concurrency = config.yml's
  workers, so a change in harbor.yml's max_job_workers shows once prepare ran); job requests: 501.
  SIGTERM: "Server gracefully exit", exit 0.
"""
import os
import signal
import sys
import threading
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib.harbor2.release import listen_address  # noqa: E402
from standinlib import log  # noqa: E402
from standinlib.httpserver import Handler, Server, go_json  # noqa: E402
from standinlib.workerpool import Heartbeat  # noqa: E402

# src/jobservice/job/known_jobs.go (v2.15.1)
JOB_NAMES = ["DEMO", "IMAGE_SCAN", "SBOM", "GARBAGE_COLLECTION", "REPLICATION", "WEBHOOK", "SLACK", "RETENTION",
             "P2P_PREHEAT", "PURGE_AUDIT_LOG", "SYSTEM_ARTIFACT_CLEANUP", "SCAN_DATA_EXPORT", "EXECUTION_SWEEP",
             "SCAN_ALL", "AUDIT_LOGS_GDPR_COMPLIANT"]


class ConfigError(Exception):
    pass


def load_config(path):
    """config.go Load + validate (the parts prepare's file exercises), Harbor's messages."""
    try:
        with open(path) as f:
            c = yaml.safe_load(f) or {}
    except OSError as e:
        raise ConfigError("open %s: %s" % (path, (e.strerror or "").lower()))
    if c.get("protocol") not in ("http", "https"):
        raise ConfigError("protocol should be http or https, but current setting is %s" % (c.get("protocol") or ""))
    port = c.get("port")
    if not isinstance(port, int) or not 0 < port <= 65535:
        raise ConfigError("port number should be a none zero integer and less or equal 65535, but current is %s" % port)
    pool = c.get("worker_pool")
    if not pool:
        raise ConfigError("no worker worker is configured")
    if pool.get("backend") != "redis":
        raise ConfigError("worker worker backend %s does not support" % (pool.get("backend") or ""))
    rp = pool.get("redis_pool")
    if not rp:
        raise ConfigError("redis worker must be configured when backend is set to 'redis'")
    url = str(rp.get("redis_url") or "")
    if not url:
        raise ConfigError("URL of redis worker is empty")
    if not url.startswith(("redis://", "rediss://", "redis+sentinel://")):
        raise ConfigError("invalid redis URL")
    if not rp.get("namespace"):
        raise ConfigError("namespace of redis worker is required")
    if not c.get("loggers"):
        raise ConfigError("missing logger config of job service")
    if not c.get("job_loggers"):
        raise ConfigError("missing logger config of job")
    return c


class JobHandler(Handler):
    routes = [("POST", r"/api/v1/jobs", "jobs"), ("GET", r"/api/v1/jobs/[^/]+", "jobs"),
              ("POST", r"/api/v1/jobs/[^/]+", "jobs"), ("GET", r"/api/v1/jobs/[^/]+/log", "jobs"),
              ("GET", r"/api/v1/stats", "stats")]
    pool = None

    def _dispatch(self):
        if self.path == "/api/v1/stats":  # router.go ServeHTTP: no auth for the health check's URL
            return super()._dispatch()
        h = self.headers.get("Authorization", "").strip()  # api/authenticator.go DoAuth
        secret = h[len("Harbor-Secret"):].strip() if h.startswith("Harbor-Secret") else ""
        reason = None
        if not h:
            reason = "header 'Authorization' missing"
        elif not h.startswith("Harbor-Secret"):
            reason = "'Authorization' should start with 'Harbor-Secret'"
        elif not secret:
            reason = "empty secret is not allowed"
        elif secret != os.environ.get("CORE_SECRET", ""):
            reason = "unauthorized"
        if reason:
            self._body_read = False
            self._drain()
            return self.reply(401, go_json({"code": 10014, "message": "Unauthorized", "details": reason}))
        super()._dispatch()

    # the base class binds do_GET... to its own _dispatch: bind them to this one
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def jobs(self):
        self.http_error(501, "the lab's jobservice stand-in runs no jobs")

    def stats(self):
        self.reply(200, go_json({"worker_pools": [self.pool.stats()]}), "application/json; charset=utf-8")


def main(argv):
    path = argv[argv.index("-c") + 1] if "-c" in argv and argv.index("-c") + 1 < len(argv) else ""
    if not path:
        log.fatal("Config file should be specified", at="main.go:61")
    try:
        cfg = load_config(path)
    except ConfigError as e:
        log.fatal("failed to load configurations: %s" % e, at="main.go:66")
    for name in ("JOBSERVICE_SECRET", "CORE_SECRET"):
        if not os.environ.get(name):
            log.fatal("failed to initialize job context: empty %s" % name, at="bootstrap.go:110")
    pool = cfg["worker_pool"]
    url = pool["redis_pool"]["redis_url"]
    u = urlsplit(url)
    hb = Heartbeat("redis://%s%s" % (u.netloc, u.path), pool["redis_pool"]["namespace"],
                   int(pool.get("workers") or 0), JOB_NAMES)
    try:
        hb.ping()
    except Exception as e:
        log.fatal("failed to load and run worker pool: %s" % e, at="bootstrap.go:200")
    threading.Thread(target=hb.run, daemon=True).start()
    JobHandler.pool = hb

    def graceful(signum, frame):
        log.info("Server gracefully exit", at="bootstrap.go:274")
        os._exit(0)

    signal.signal(signal.SIGTERM, graceful)
    addr = listen_address(cfg["port"])
    log.info("Server is started at %s:%d with %s (worker pool: %d workers, the lab's stand-in runs no jobs)"
             % (addr[0], addr[1], cfg["protocol"], hb.workers), at="bootstrap.go:252")
    Server(addr, JobHandler).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
