"""Harbor 2.x core's health checkers and /api/v2.0/health answer (v2.15.1:
src/controller/health/checker.go, controller.go, src/server/v2.0/handler/health.go).

Why periodic and cached: Harbor's checkers for every component but core run in a background
goroutine each, every 10 s (checker.go PeriodicHealthChecker), and the API answers from the
last result. A load balancer polling /api/v2.0/health therefore sees a component go down up to
10 s late, and "unknown status" until a checker's first round ends; the stand-in does the same
so that harbor-ha's checks meet Harbor's timing, not an instant probe.
"""
import threading
import time
import urllib.error
import urllib.request

PERIOD_S = 10  # checker.go: period := 10 * time.Second for each periodic checker
# Only the stand-ins' selftest (lab/selftest/selftest2x.py) writes this file, in its overlay root:
# the timings it checks are a period's (a stopped component seen at the next round), and at
# Harbor's 10 s they cost it most of its minute. The lab has no such file and keeps Harbor's period.
SELFTEST_PERIOD_FILE = "/etc/lab-selftest/health-period-s"
HTTP_TIMEOUT_S = 60  # checker.go: timeout := 60 * time.Second for the HTTP checkers


class Periodic:
    """checker.go PeriodicHealthChecker: the status starts as the error "unknown status" (so a
    checker is never healthy before its first round), then a thread re-checks on a 10 s ticker."""

    def __init__(self, check, period=None):
        self._lock = threading.Lock()
        self._error = "unknown status"
        self._check, self._period = check, period_s() if period is None else period
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        start, ticks = time.monotonic(), 0
        while True:
            try:
                self._check()
                error = None
            except Exception as e:  # whatever fails is the component's error, as Check() returns it
                error = str(e) or type(e).__name__
            with self._lock:
                self._error = error
            # Go's time.Ticker: ticks on a fixed grid; a round longer than the period finds one
            # tick waiting (the others are dropped), so the next round starts at once.
            ticks += 1
            now = time.monotonic()
            due = start + ticks * self._period
            if now < due:
                time.sleep(due - now)
            else:
                ticks = int((now - start) // self._period)

    def error(self):
        with self._lock:
            return self._error


def period_s():
    """Harbor's period, unless the selftest shortened it (SELFTEST_PERIOD_FILE)."""
    try:
        with open(SELFTEST_PERIOD_FILE) as f:
            return float(f.read().strip())
    except (OSError, ValueError):
        return PERIOD_S


class Always:
    """checker.go coreHealthChecker: core is healthy whenever it can answer."""

    def error(self):
        return None


def http_check(url, timeout=HTTP_TIMEOUT_S):
    """checker.go HTTPStatusCodeHealthChecker(GET, url, no header, 60 s, 200) with its messages
    (the transport's error text is Python's, where Go's reads `dial tcp ...: connection refused`)."""
    def check():
        try:
            with urllib.request.urlopen(urllib.request.Request(url), timeout=timeout) as r:
                r.read()
        except urllib.error.HTTPError as e:
            raise RuntimeError("received unexpected status code: %d %s" % (
                e.code, e.read().decode("utf-8", "replace")))
        except Exception as e:
            raise RuntimeError('failed to check health: Get "%s": %s' % (url, getattr(e, "reason", e)))
    return check


def sql_check(connect):
    """checker.go databaseHealthChecker: SELECT 1 through the ORM's connection."""
    def check():
        try:
            conn = connect()
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
            finally:
                conn.close()
        except Exception as e:
            raise RuntimeError('failed to run SQL "SELECT 1": %s' % str(e).strip())
    return check


def overall(checkers):
    """controller.go GetHealth + handler/health.go: every registered checker's current result,
    components sorted by name, overall "healthy" only when none has an error; `error` only on
    an unhealthy component (the generated model's omitempty)."""
    components = []
    for name in sorted(checkers):
        error = checkers[name].error()
        c = {"name": name, "status": "healthy" if error is None else "unhealthy"}
        if error is not None:
            c["error"] = error
        components.append(c)
    healthy = all(c["status"] == "healthy" for c in components)
    return {"status": "healthy" if healthy else "unhealthy", "components": components}
