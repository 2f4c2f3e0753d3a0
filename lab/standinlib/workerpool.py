"""The jobservice's worker pool as Redis sees it: gocraft/work's heartbeat (vendored by Harbor
1.5 and 2.x, worker_pool.go / heartbeater.go) and the PING a jobservice does before it starts
its pool (10 tries, 5..14 s apart). Used by the 1.5 and 2.x jobservice stand-ins.
"""
import os
import socket
import time

from . import log, redis


class Heartbeat:
    """gocraft/work's worker pool heartbeat (<ns>:worker_pools, <ns>:worker_pools:<id>), every 5 s."""

    def __init__(self, url, namespace, workers, job_names):
        self.addr, self.password, self.db = redis.parse_url(url)
        self.ns = namespace if namespace.endswith(":") else namespace + ":"
        self.id = os.urandom(12).hex()
        self.workers, self.started = workers, int(time.time())
        self.beat = self.started
        self.job_names = list(job_names)

    def _client(self):
        return redis.Client(self.addr, self.password, self.db, timeout=5)

    def ping(self):
        err = None
        for count in range(1, 11):
            try:
                c = self._client()
                c.command("PING")
                c.close()
                return
            except Exception as e:
                err = e
                time.sleep(count + 4)
        raise RuntimeError("connect to redis server timeout: %s" % err)

    def run(self):
        while True:
            try:
                c = self._client()
                c.command("SADD", self.ns + "worker_pools", self.id)
                self.beat = int(time.time())
                c.command("HMSET", self.ns + "worker_pools:" + self.id, "heartbeat_at", self.beat,
                          "started_at", self.started, "job_names", ",".join(sorted(self.job_names)),
                          "concurrency", self.workers, "host", socket.gethostname(), "pid", os.getpid())
                c.close()
            except Exception as e:
                log.error("failed to heartbeat: %s" % e)
            time.sleep(5)

    def stats(self):
        return {"worker_pool_id": self.id, "started_at": self.started, "heartbeat_at": self.beat,
                "job_names": self.job_names, "concurrency": self.workers, "status": "Healthy"}
