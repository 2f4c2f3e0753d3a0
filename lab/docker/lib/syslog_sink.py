"""Where a lab container's output goes: docker's `syslog` logging driver, or a local file.

Harbor's compose files send every service's output (except the log service's own) to
`syslog-address: tcp://127.0.0.1:1514` with `tag: <service>`; the harbor-log container
writes it to /var/log/harbor/<tag>.log. Docker's driver sends one message per output
line, `<PRI>RFC3339-time hostname tag[pid]: line`, facility daemon, severity info for
stdout and err for stderr. This does the same, and keeps lines (up to a bound) while
the log service is not listening yet, as it is right after `up -d`; docker would fail
the container's start instead, a race real Harbor installs are known for.
Every line is also kept in the container's local file (`docker-compose logs` reads it).
"""
import collections
import socket
import time

FACILITY_DAEMON = 3
SEVERITY = {"stdout": 6, "stderr": 3}
MAX_QUEUED = 20000
LOCAL_MAX_BYTES = 8 * 1024 * 1024


class Sink:
    def __init__(self, logging, local_file, hostname, tag_default):
        self.driver = (logging or {}).get("driver") or "json-file"
        opts = (logging or {}).get("options") or {}
        self.tag = opts.get("tag") or tag_default
        self.address = opts.get("syslog-address") or "udp://127.0.0.1:514"
        self.hostname = hostname
        self.local = local_file  # binary, unbuffered, opened by the runner
        self.queue = collections.deque(maxlen=MAX_QUEUED)
        self.sock = None
        self.next_try = 0.0
        self.pid = 0

    def pending(self):
        return bool(self.queue)

    def line(self, stream, text):
        """One output line (bytes, without its newline) of the program."""
        self._keep_local(b"%s %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S").encode(), stream.encode(), text))
        if self.driver != "syslog":
            return
        pri = FACILITY_DAEMON * 8 + SEVERITY[stream]
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S") + _utc_offset()
        head = "<%d>%s %s %s[%d]: " % (pri, stamp, self.hostname, self.tag, self.pid)
        self.queue.append(head.encode() + text + b"\n")
        self.flush()

    def note(self, text):
        """A line from the lab itself (why the program restarted, ...): local file only."""
        self._keep_local(b"%s lab-compose %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S").encode(), text.encode()))

    def flush(self, wait_s=0.0):
        deadline = time.monotonic() + wait_s
        while self.queue:
            if self.sock is None and not self._connect():
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.1)
                continue
            try:
                self.sock.sendall(self.queue[0])
                self.queue.popleft()
            except OSError:
                self.sock.close()
                self.sock = None

    def _connect(self):
        now = time.monotonic()
        if now < self.next_try:
            return False
        self.next_try = now + 0.5
        proto, _, rest = self.address.partition("://")
        try:
            if proto == "unix":
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(1.0)
                s.connect(rest)
            else:
                host, _, port = rest.rpartition(":")
                kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
                s = socket.socket(socket.AF_INET, kind)
                s.settimeout(1.0)
                s.connect((host, int(port)))
        except OSError:
            return False
        self.sock = s
        return True

    def _keep_local(self, data):
        try:
            if self.local.tell() > LOCAL_MAX_BYTES:
                self.local.truncate(0)
                self.local.seek(0)
            self.local.write(data)
        except OSError:
            pass


def _utc_offset():
    off = -time.altzone if time.daylight and time.localtime().tm_isdst else -time.timezone
    return "%s%02d:%02d" % ("+" if off >= 0 else "-", abs(off) // 3600, abs(off) % 3600 // 60)

