"""A tiny Redis (RESP2) client, and the two address formats Harbor 1.x hands to Redis clients:

- beego's session provider (ui, _REDIS_URL): "host:port[,poolsize,password,dbnum]"
  (vendor/github.com/astaxie/beego/session/redis/sess_redis.go SessionInit, Harbor v1.4.0/v1.5.4);
- the 1.5 jobservice (config.yml redis_url): "redis://[user:password@]host:port[/db]", or the
  comma form translated by src/jobservice/utils/utils.go TranslateRedisAddress.
Errors keep the server's own text (e.g. "NOAUTH Authentication required.").
"""
import re
from urllib.parse import urlsplit

from .net import dial


class RedisError(Exception):
    pass


class Client:
    def __init__(self, addr, password="", db=0, timeout=10.0):
        self.sock = dial(addr, timeout=timeout)
        self.file = self.sock.makefile("rb")
        if password:
            self.command("AUTH", password)
        self.command("SELECT", str(db))  # beego always selects, db 0 included

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def command(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._reply()

    def _reply(self):
        line = self.file.readline()
        if not line:
            raise RedisError("EOF")
        kind, rest = line[:1], line[1:-2].decode(errors="replace")
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RedisError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RedisError("unexpected reply %r" % line)


def parse_beego(conf):
    """(addr, password, db) from beego's session provider config."""
    parts = conf.split(",")
    password = parts[2] if len(parts) > 2 else ""
    db = 0
    if len(parts) > 3:
        try:
            db = max(int(parts[3]), 0)
        except ValueError:
            db = 0
    return parts[0], password, db


def translate_comma_form(value):
    """TranslateRedisAddress: "host:port,weight,password,db" -> redis URL; None when it cannot."""
    sections = value.split(",")
    if not value or not sections:
        return None
    url = "redis://"
    if len(sections) >= 3 and sections[2]:
        url += "arbitrary_username:%s@" % sections[2]
    url += sections[0]
    if len(sections) >= 4 and re.fullmatch(r"-?\d+", sections[3]):
        url += "/" + sections[3]
    return url


def parse_url(url):
    """(addr, password, db) from "redis://[user:pass@]host:port[/db]" (redigo DialURL)."""
    u = urlsplit(url)
    if u.scheme != "redis":
        raise RedisError("invalid redis URL scheme: %s" % u.scheme)
    host = u.hostname or "localhost"
    port = u.port or 6379
    db = 0
    path = u.path.strip("/")
    if path:
        if not path.isdigit():
            raise RedisError("invalid database: %s" % path)
        db = int(path)
    return "%s:%d" % (host, port), (u.password or ""), db
