#!/usr/bin/python3
"""Stands in for Harbor's jobservice (vmware/harbor-jobservice:v1.4.0 / v1.5.4). It runs no jobs:
it reads its configuration, reaches what Harbor's reaches at start, and fails as Harbor's does.

1.4 (goharbor/harbor v1.4.0 src/jobservice/main.go, config/config.go, api/base.go):
  app.conf from CONFIG_PATH (fatal "Failed to load config file: ..."); the adminserver at
  ADMINSERVER_URL (TestTCPConn 60 s, settings with the UI_SECRET) -- fatal "failed to initialize
  configurations: ..."; the database from those settings, schema checked -- fatal "failed to
  initialize database: ..."; running jobs reset to pending (resumeJobs); then httpport.
  API /api/jobs/...: cookie `secret` must be the UI_SECRET (none 401, wrong 403).
1.5 (v1.5.4 src/jobservice/main.go, config/config.go, runtime/bootstrap.go, pool/redis_pool.go):
  `-c /etc/jobservice/config.yml` (the image's start.sh) -- fatal "Failed to load configurations
  with error: ..."; the job context: adminserver settings with JOBSERVICE_SECRET (5 tries,
  back-off 9/13/19/29 s) and the database (schema checked) -- fatal "Failed to initialize job
  context: ..."; the Redis pool at redis_url, PING up to 10 times (5..14 s apart) -- fatal
  "Failed to load and run worker pool: connect to redis server timeout: ..."; then the API on
  `port` with `Authorization: Harbor-Secret <UI_SECRET>`; worker-pool heartbeats in Redis as
  gocraft/work writes them; SIGTERM -> "Server gracefully exit".
"""
import os
import signal
import sys
import threading
import time
from http.cookies import CookieError, SimpleCookie

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib import appconf, jobconfig, log, release as rel  # noqa: E402
from standinlib.adminclient import Client, Manager  # noqa: E402
from standinlib.httpserver import Handler, Server, go_json  # noqa: E402
from standinlib.mysql import database_from_cfg  # noqa: E402
from standinlib.workerpool import Heartbeat  # noqa: E402

RELEASE = rel.current()
JOB_NAMES = ["DEMO", "IMAGE_SCAN", "IMAGE_TRANSFER", "IMAGE_DELETE", "IMAGE_REPLICATE"]
NOT_RUN = "the lab's jobservice stand-in runs no jobs"


class Handler14(Handler):
    routes = [("POST", r"/api/jobs/replication", "jobs"), ("GET", r"/api/jobs/replication/[^/]+/log", "jobs"),
              ("POST", r"/api/jobs/replication/actions", "jobs"), ("POST", r"/api/jobs/scan", "jobs"),
              ("GET", r"/api/jobs/scan/[^/]+/log", "jobs")]

    def jobs(self):
        try:
            c = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            c = {}
        if "secret" not in c:
            return self.http_error(401, "")
        if c["secret"].value != os.environ.get("UI_SECRET", ""):
            return self.http_error(403, "")
        self.http_error(501, NOT_RUN)


class Handler15(Handler):
    routes = [("POST", r"/api/v1/jobs", "jobs"), ("GET", r"/api/v1/jobs/[^/]+", "jobs"),
              ("POST", r"/api/v1/jobs/[^/]+", "jobs"), ("GET", r"/api/v1/jobs/[^/]+/log", "jobs"),
              ("GET", r"/api/v1/stats", "stats")]
    pool = None

    def _dispatch(self):
        h = self.headers.get("Authorization", "").strip()  # api/authenticator.go DoAuth
        reason = None
        if not h:
            reason = "header 'Authorization' missing"
        elif not h.startswith("Harbor-Secret "):
            reason = "'Authorization' should start with 'Harbor-Secret ' but got '%s' now" % h
        elif not h[len("Harbor-Secret "):].strip():
            reason = "empty secret is not allowed"
        elif h[len("Harbor-Secret "):].strip() != os.environ.get("UI_SECRET", ""):
            reason = "unauthorized"
        if reason:
            self._body_read = False
            self._drain()
            body = go_json({"code": 10014, "message": "Unauthorized", "details": reason})
            return self.reply(401, body)
        super()._dispatch()

    do_GET = do_POST = _dispatch

    def jobs(self):
        self.reply(501, go_json({"code": 10005, "message": "Launch job failed with error", "details": NOT_RUN}))

    def stats(self):
        self.reply(200, go_json({"worker_pools": [self.pool.stats()]}))


def main14():
    conf = appconf.load("main.go:84")
    log.info("initializing configurations...", at="main.go:28")
    log.info("key path: %s" % (os.environ.get("KEY_PATH") or "/etc/jobservice/key"), at="config.go:78")
    url = os.environ.get("ADMINSERVER_URL") or "http://adminserver"
    log.info("initializing client for adminserver %s ..." % url, at="config.go:50")
    client = Client(url, os.environ.get("UI_SECRET", ""), RELEASE)
    try:
        try:
            client.ping()
        except Exception as e:
            raise RuntimeError("failed to ping adminserver: %s" % e)
        cfg = Manager(client).load()
    except Exception as e:
        log.fatal("failed to initialize configurations: %s" % e, at="main.go:30")
    log.info("configurations initialization completed", at="main.go:32")
    try:
        db = database_from_cfg(cfg, RELEASE)
    except Exception as e:
        log.fatal("failed to initialize database: %s" % e, at="main.go:41")
    for table in ("replication_job", "img_scan_job"):  # dao.ResetRunningJobs
        try:
            db.execute("update %s set status = 'pending', update_time = now() where status = 'running'" % table)
        except Exception as e:
            log.warning("Failed to reset all running jobs to pending, error: %s" % e, at="main.go:57")
    log.info("%d job workers (the lab's stand-in runs no jobs)" % int(cfg.get("max_job_workers") or 0))
    serve(Handler14, int(conf.get("httpport") or 8080))


def main15(argv):
    path = "/etc/jobservice/config.yml"  # make/photon/jobservice/start.sh: -c /etc/jobservice/config.yml
    if "-c" in argv:
        i = argv.index("-c")
        path = argv[i + 1] if i + 1 < len(argv) else ""
    if not path:
        log.fatal("Config file should be specified", at="main.go:35")
    try:
        cfg = jobconfig.load(path)
    except jobconfig.ConfigError as e:
        log.fatal("Failed to load configurations with error: %s\n" % e, at="main.go:40")
    secret = os.environ.get("JOBSERVICE_SECRET", "")
    if not secret:
        log.fatal("Failed to initialize job context: empty auth secret\n", at="bootstrap.go:58")
    client = Client(cfg.get("admin_server", ""), secret, RELEASE)
    settings, err = None, None
    for counter in range(1, 6):  # job/impl/context.go Init, maxRetryTimes = 5
        try:
            settings = client.get_cfgs()
            break
        except Exception as e:
            err = e
            log.error("Job context initialization error: %s\n" % e, at="context.go:66")
            if counter < 5:
                backoff = 2 ** counter + 2 * counter + 5
                log.info("Retry in %d seconds" % backoff, at="context.go:69")
                time.sleep(backoff)
    if settings is None:
        log.fatal("Failed to initialize job context: job context initialization error: %s (5 times tried)\n" % err,
                  at="bootstrap.go:58")
    try:
        database_from_cfg(settings, RELEASE)
    except Exception as e:
        log.fatal("Failed to initialize job context: %s\n" % e, at="bootstrap.go:58")
    pool = cfg["worker_pool"]
    hb = Heartbeat(pool["redis_pool"]["redis_url"], pool["redis_pool"]["namespace"], int(pool.get("workers") or 0),
                   JOB_NAMES)
    try:
        hb.ping()
    except Exception as e:
        log.fatal("Failed to load and run worker pool: %s\n" % e, at="bootstrap.go:73")
    threading.Thread(target=hb.run, daemon=True).start()
    Handler15.pool = hb

    def graceful(signum, frame):
        log.info("Server gracefully exit", at="bootstrap.go:128")
        os._exit(0)

    signal.signal(signal.SIGTERM, graceful)
    signal.signal(signal.SIGINT, graceful)
    log.info("Server is started at %s:%d with %s" % ("", cfg["port"], cfg["protocol"]), at="bootstrap.go:85")
    serve(Handler15, int(cfg["port"]))


def serve(handler, port):
    server = Server((os.environ.get("LAB_SERVICE_ADDR", "0.0.0.0"), port), handler)
    server.serve_forever()


if __name__ == "__main__":
    if RELEASE.is_15:
        main15(sys.argv[1:])
    else:
        main14()
