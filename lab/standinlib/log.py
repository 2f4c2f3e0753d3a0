"""Harbor's log lines, as src/common/utils/log/textformatter.go writes them (v1.4.0/v1.5.4):

    2018-03-01T10:00:00Z [INFO] [main.go:84]: initializing configurations...

to stdout (the container's output, which docker's syslog driver sends to /var/log/harbor/).
`at` names the Go source line the stand-in follows there, as Harbor prints its caller.
Fatal exits 1 (log.Fatalf -> os.Exit(1)).
"""
import os
import sys
import threading
import time

_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "FATAL"]
_lock = threading.Lock()


def _threshold():
    # LOG_LEVEL from the env file (debug in 1.4's templates, info in 1.5's).
    name = os.environ.get("LOG_LEVEL", "info").upper()
    name = "WARNING" if name == "WARN" else name
    return _LEVELS.index(name) if name in _LEVELS else 1


_min = _threshold()


def _out(level, msg, at):
    if _LEVELS.index(level) < _min:
        return
    if msg.endswith("\n"):  # Harbor's formatter adds a newline only when the message has none
        msg = msg[:-1]
    line = "%s [%s] %s%s\n" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), level,
                               "[%s]: " % at if at else "", msg)
    with _lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def debug(msg, at=None):
    _out("DEBUG", msg, at)


def info(msg, at=None):
    _out("INFO", msg, at)


def warning(msg, at=None):
    _out("WARNING", msg, at)


def error(msg, at=None):
    _out("ERROR", msg, at)


def fatal(msg, at=None):
    _out("FATAL", msg, at)
    sys.stdout.flush()
    os._exit(1)


def panic(msg, where):
    """A Go panic that nothing recovers: message, the goroutine header, exit status 2."""
    with _lock:
        sys.stdout.flush()
        sys.stderr.write("panic: %s\n\ngoroutine 1 [running]:\n%s\n" % (msg, where))
        sys.stderr.flush()
    os._exit(2)
