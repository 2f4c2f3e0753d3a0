#!/usr/bin/python3
"""Stands in for Harbor's log container (vmware/harbor-log, Harbor 1.4.0 / 1.5.4).

Harbor's image runs rsyslogd (make/photon/log/rsyslog.conf, rsyslog_docker.conf): a TCP
syslog input on container port 10514, published by the compose file as 127.0.0.1:1514,
writing each message to /var/log/docker/<tag>.log (the tag up to its first `[`), in
rsyslog's traditional format `Mmm dd hh:mm:ss host tag[pid]: message`. The compose file
binds host /var/log/harbor/ at /var/log/docker/, so the files land in /var/log/harbor/.
This does the same with python3's standard library. It listens where docker would have
published container port 10514 (LAB_SERVICE_PORTS, from the compose `ports`).
Not done: UDP input, logrotate (Harbor's cron job runs common/config/log/logrotate.conf).
"""
import os
import re
import socketserver
import sys
import threading
import time

OUT_DIR = "/var/log/docker"
CONTAINER_PORT = "10514"
# <PRI>, then an RFC 3339 or RFC 3164 time stamp, host, tag, message.
RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+(\S+)\s+(.*)$", re.S)
RFC3164 = re.compile(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)\s+(\S+)\s+(.*)$", re.S)
_locks, _locks_guard = {}, threading.Lock()


def listen_address():
    """The host side of the compose port mapping for 10514 (default 127.0.0.1:1514)."""
    for mapping in filter(None, os.environ.get("LAB_SERVICE_PORTS", "").split(",")):
        parts = mapping.split("/")[0].split(":")
        if parts[-1] == CONTAINER_PORT and len(parts) >= 2:
            return (parts[0] if len(parts) == 3 else "0.0.0.0", int(parts[-2]))
    return ("127.0.0.1", 1514)


def traditional(t):
    """rsyslog's traditional time stamp: `Nov  9 08:15:02`."""
    return "%s %2d %s" % (time.strftime("%b", t), t.tm_mday, time.strftime("%H:%M:%S", t))


def format_line(message, peer):
    """One syslog message -> (file tag, line in rsyslog's traditional format)."""
    text = re.sub(r"^<\d{1,3}>(1 )?", "", message)
    stamp, host = traditional(time.localtime()), peer
    m = RFC3339.match(text)
    if m:
        try:
            stamp = traditional(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            pass
        host, text = m.group(2), m.group(3)
    else:
        m = RFC3164.match(text)
        if m:
            stamp, host, text = m.group(1), m.group(2), m.group(3)
    first = text.split(" ", 1)[0]
    tag = re.split(r"[\[:]", first, maxsplit=1)[0] if ":" in first else "unknown"
    tag = tag.replace("/", "_").lstrip(".") or "unknown"
    return tag, "%s %s %s" % (stamp, host, text.rstrip("\n"))


def append(tag, line):
    path = os.path.join(OUT_DIR, tag + ".log")
    with _locks_guard:
        lock = _locks.setdefault(tag, threading.Lock())
    with lock:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(fd, (line + "\n").encode("utf-8", "replace"))
        finally:
            os.close(fd)


def messages(stream):
    """Messages of one TCP connection: octet-counted (`LEN <PRI>...`) or one per line."""
    buf = b""
    while True:
        chunk = stream.read1(65536)
        if not chunk:
            if buf.strip():
                yield buf.decode("utf-8", "replace")
            return
        buf += chunk
        while buf:
            m = re.match(rb"^(\d+) ", buf)
            if m and not buf.startswith(b"<"):
                size = int(m.group(1))
                if len(buf) < m.end() + size:
                    break
                yield buf[m.end():m.end() + size].decode("utf-8", "replace")
                buf = buf[m.end() + size:]
            elif b"\n" in buf:
                msg, buf = buf.split(b"\n", 1)
                if msg.strip():
                    yield msg.decode("utf-8", "replace")
            else:
                break


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for msg in messages(self.rfile):
            tag, line = format_line(msg, self.client_address[0])
            try:
                append(tag, line)
            except OSError as e:
                sys.stderr.write("log: cannot write %s: %s\n" % (tag, e))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    addr = listen_address()
    server = Server(addr, Handler)
    sys.stdout.write("log: syslog over TCP on %s:%d, writing %s/<tag>.log\n" % (addr[0], addr[1], OUT_DIR))
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
