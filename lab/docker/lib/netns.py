"""A lab container's own network namespace on its project's bridge, and its published ports
(runner.py uses it for images that need one: Harbor 2.x's nginx, see containers.py).

- Netns(spec): the runner unshares a network namespace, keeps a handle on it and returns to
  the node's; a veth pair joins them: lcvX-N on the bridge (node side), eth0 inside with the
  service's address, default route via the bridge's gateway address. The runner itself stays
  in the node's namespace (the syslog driver and the port forwarders live there); only the
  program is started inside (`with netns.inside(): Popen(...)`: setns is per thread and the
  child inherits it). It all vanishes with the runner: the namespace has no other holder,
  and a veth dies with its namespace.
- forward_ports(spec): what docker publishes with `ports` (HOST_IP:HOST:CONTAINER), done as
  docker-proxy does: a listener in the node's namespace per port, each connection relayed to
  the container's address (threads; the peer address nginx sees is the bridge gateway).
"""
import contextlib
import ctypes
import os
import socket
import subprocess
import threading

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


class NetnsError(Exception):
    pass


def _run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise NetnsError("%s: %s" % (" ".join(argv), r.stderr.strip()))


def _setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise NetnsError("setns: %s" % os.strerror(ctypes.get_errno()))


class Netns:
    def __init__(self, spec):
        br, addr = spec["bridge"], spec["address"]
        self.node = os.open("/proc/self/ns/net", os.O_RDONLY)
        if libc.unshare(CLONE_NEWNET) != 0:
            raise NetnsError("unshare(CLONE_NEWNET): %s" % os.strerror(ctypes.get_errno()))
        self.own = os.open("/proc/self/ns/net", os.O_RDONLY)
        _setns(self.node)
        octets = addr.split(".")
        host_if = "lcv%s-%s" % (octets[2], octets[3])
        # Left by a container whose namespace is still going away: a veth dies with its namespace.
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        _run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", "eth0",
              "netns", "/proc/self/fd/%d" % self.own], pass_fds=(self.own,))
        _run(["ip", "link", "set", host_if, "master", br["name"], "up"])
        with self.inside():
            _run(["ip", "link", "set", "lo", "up"])
            _run(["ip", "addr", "add", "%s/%d" % (addr, br["prefix"]), "dev", "eth0"])
            _run(["ip", "link", "set", "eth0", "up"])
            _run(["ip", "route", "add", "default", "via", br["gateway"]])

    @contextlib.contextmanager
    def inside(self):
        _setns(self.own)
        try:
            yield
        finally:
            _setns(self.node)


def parse_port(mapping):
    """'80:8080', '127.0.0.1:1514:10514', '8080' -> (host ip, host port, container port)."""
    parts = mapping.split("/")[0].split(":")
    host_ip = parts[0] if len(parts) == 3 else "0.0.0.0"
    return host_ip, int(parts[-2] if len(parts) > 1 else parts[-1]), int(parts[-1])


def _relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass


def _serve(listener, target):
    while True:
        client, _ = listener.accept()
        try:
            upstream = socket.create_connection(target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        pair = [client, upstream]
        threads = [threading.Thread(target=_relay, args=(client, upstream), daemon=True),
                   threading.Thread(target=_relay, args=(upstream, client), daemon=True)]
        for t in threads:
            t.start()
        threading.Thread(target=_close_after, args=(threads, pair), daemon=True).start()


def _close_after(threads, socks):
    for t in threads:
        t.join()
    for s in socks:
        s.close()


def forward_ports(spec):
    """Listeners for SPEC's published ports, relaying to its address; raises NetnsError as
    docker reports a port it cannot publish."""
    for mapping in spec["ports"]:
        host_ip, host_port, ctr_port = parse_port(mapping)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((host_ip, host_port))
        except OSError as e:
            raise NetnsError("driver failed programming external connectivity on endpoint %s: Bind for %s:%d "
                             "failed: %s" % (spec["name"], host_ip, host_port, e.strerror))
        listener.listen(128)
        threading.Thread(target=_serve, args=(listener, (spec["address"], ctr_port)), daemon=True).start()
