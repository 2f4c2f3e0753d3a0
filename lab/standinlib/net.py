"""Network helpers with Harbor's (Go's) behaviour and messages.

test_tcp_conn follows src/common/utils/utils.go TestTCPConn (v1.4.0/v1.5.4): dial until it
works, logging each failure and retrying every `interval` s, give up after `timeout` s with
"failed to connect to tcp:ADDR after N seconds". Harbor uses it before every MySQL, Clair DB,
adminserver and registry connection (60 s, every 2 s).
"""
import socket
import time

from . import log


class DialError(Exception):
    pass


def split_host_port(addr):
    """net.SplitHostPort's checks, with Go's messages."""
    if addr.startswith("["):
        host, sep, rest = addr[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise DialError("address %s: missing port in address" % addr)
        return host, rest[1:]
    if addr.count(":") == 0:
        raise DialError("address %s: missing port in address" % addr)
    if addr.count(":") > 1:
        raise DialError("address %s: too many colons in address" % addr)
    host, _, port = addr.partition(":")
    return host, port


def dial(addr, timeout=10.0):
    """A TCP connection to "host:port", or DialError worded as Go's net.Dial error."""
    host, port = split_host_port(addr)
    try:
        portnum = int(port)
    except ValueError:
        raise DialError("dial tcp: address %s: invalid port" % addr)
    try:
        infos = socket.getaddrinfo(host or "127.0.0.1", portnum, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror:
        raise DialError("dial tcp: lookup %s: no such host" % host)
    ip = infos[0][4][0]
    try:
        return socket.create_connection((ip, portnum), timeout=timeout)
    except socket.timeout:
        raise DialError("dial tcp %s:%d: i/o timeout" % (ip, portnum))
    except OSError as e:
        reason = "connection refused" if isinstance(e, ConnectionRefusedError) else (e.strerror or str(e)).lower()
        raise DialError("dial tcp %s:%d: getsockopt: %s" % (ip, portnum, reason))


def test_tcp_conn(addr, timeout=60, interval=2):
    deadline = time.monotonic() + timeout
    while True:
        try:
            dial(addr, timeout=min(timeout, 5)).close()
            return
        except DialError as e:
            log.error("failed to connect to tcp://%s, retry after %d seconds :%s" % (addr, interval, e),
                      at="utils.go:98")
        if time.monotonic() + interval > deadline:
            raise DialError("failed to connect to tcp:%s after %d seconds" % (addr, timeout))
        time.sleep(interval)
