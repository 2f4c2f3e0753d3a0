#!/usr/bin/python3
"""One lab "container": PID 1 of a service's own PID and mount namespaces.

docker-compose (the lab shim) starts it as
    setsid unshare --mount --propagation private --pid --fork --kill-child --mount-proc \\
        python3 runner.py SPEC.json FD     (FD: a pipe to report "ok" or the start error)

It does what docker does for a container, in this order: bind the compose volumes at
their container paths (host folders created when missing, as docker does), give the
image's private folders a tmpfs, run the image's entrypoint steps (chown -R 10000, ...),
then run the program with the container's environment as the image's user, send its
output to the logging driver (syslog_sink.py), apply the restart policy, and on
SIGTERM pass the image's stop signal on. When it exits, the kernel ends every process
left in the namespace (nginx workers included), as when a container stops.
State for `docker-compose ps`: SPEC's folder, <service>.status (JSON, replaced atomically).
"""
import contextlib
import ctypes
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from netns import Netns, NetnsError, forward_ports  # noqa: E402
from syslog_sink import Sink  # noqa: E402

MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC = 1, 32, 4096, 16384
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
HARBOR_UID = 10000


class StartError(Exception):
    pass


def mount(src, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if s is not None else None)
    if libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise StartError("mount %s on %s: %s" % (src, target, os.strerror(err)))


def bind_volumes(mounts):
    # Parents before children, as docker sorts mounts by container path.
    for m in sorted(mounts, key=lambda m: m["target"].rstrip("/").count("/")):
        src, dst = m["source"], m["target"]
        if not os.path.exists(src):
            os.makedirs(src, exist_ok=True)  # docker creates a missing host path as a folder
        if os.path.isdir(src):
            if os.path.exists(dst) and not os.path.isdir(dst):
                raise StartError("cannot mount folder %s on file %s: not a directory%s" % (
                    src, dst, " (a missing host path is created as a folder, as docker does)" if not os.listdir(src) else ""))
            os.makedirs(dst, exist_ok=True)
        else:
            if os.path.isdir(dst):
                raise StartError("cannot mount file %s on folder %s: not a directory" % (src, dst))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if not os.path.exists(dst):
                open(dst, "a").close()
        mount(src, dst, None, MS_BIND | MS_REC)
        if m.get("ro"):
            mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY)


def private_folders(tmpfs):
    for path, links in tmpfs:
        os.makedirs(path, exist_ok=True)
        mount("lab-container", path, "tmpfs", 0, "mode=755")
        for name, target in links.items():
            os.symlink(target, os.path.join(path, name))


def chown_tree(path):
    os.lchown(path, HARBOR_UID, HARBOR_UID)
    for root, dirs, files in os.walk(path):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), HARBOR_UID, HARBOR_UID)


def entrypoint_steps(r):
    for p in r["chown"]:
        if os.path.isdir(p):
            chown_tree(p)
    for p in r["chown_unless_owned"]:
        if os.path.isdir(p):
            st = os.stat(p)
            if (st.st_uid, st.st_gid) != (HARBOR_UID, HARBOR_UID):
                chown_tree(p)
    for p in r["chmod_x"]:
        if os.path.isdir(p):
            os.chmod(p, os.stat(p).st_mode | 0o111)


class Runner:
    def __init__(self, spec):
        self.spec = spec
        self.recipe = spec["recipe"]
        self.status_path = os.path.join(spec["state_dir"], spec["service"] + ".status")
        local = open(os.path.join(spec["state_dir"], spec["service"] + ".out"), "ab", buffering=0)
        self.sink = Sink(spec.get("logging"), local, socket.gethostname(), spec["service"])
        self.sel = selectors.DefaultSelector()
        self.child = None
        self.partial = {}
        self.restarts = 0
        self.stopping = False
        self.backoff_s = 0.1
        self.restart_at = None
        self.started = None
        self.run_since = 0.0
        self.last_code = 0
        self.flags = set()
        self.netns = None  # the container's own network namespace, when its image needs one

    def write_status(self, state, **extra):
        doc = {"state": state, "restarts": self.restarts, "started": self.started, **extra}
        tmp = self.status_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f)
        os.rename(tmp, self.status_path)

    def spawn(self):
        argv = self.recipe["argv"]
        for a in argv[1:2]:
            if a.endswith(".py") and not os.path.isfile(a):
                raise StartError("the lab's stand-in %s is missing" % a)
        uid = self.recipe["uid"]
        try:
            with self.netns.inside() if self.netns else contextlib.nullcontext():
                self.child = subprocess.Popen(
                    argv, env=self.spec["env"], cwd=self.recipe["cwd"], stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True, umask=0o022,
                    user=uid, group=uid, extra_groups=[] if uid is not None else None)
        except OSError as e:
            raise StartError('exec: "%s": %s' % (argv[0], e.strerror))
        self.sink.pid = self.child.pid
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.run_since = time.monotonic()
        for name, pipe in (("stdout", self.child.stdout), ("stderr", self.child.stderr)):
            os.set_blocking(pipe.fileno(), False)
            self.sel.register(pipe, selectors.EVENT_READ, name)
            self.partial[name] = b""
        self.write_status("running")

    def read_pipe(self, key):
        name, pipe = key.data, key.fileobj
        try:
            data = os.read(pipe.fileno(), 65536)
        except BlockingIOError:
            return
        if not data:
            self.close_pipe(key)
            return
        lines = (self.partial[name] + data).split(b"\n")
        self.partial[name] = lines.pop()
        for line in lines:
            self.sink.line(name, line)

    def close_pipe(self, key):
        self.sel.unregister(key.fileobj)
        key.fileobj.close()
        if self.partial[key.data]:
            self.sink.line(key.data, self.partial[key.data])
            self.partial[key.data] = b""

    def on_signal(self, signum, _frame):
        self.flags.add(signum)

    def handle_flags(self):
        flags, self.flags = self.flags, set()
        if flags & {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT} and not self.stopping:
            self.stopping = True
            if self.child is not None:
                os.kill(self.child.pid, self.recipe["stop_signal"])
            else:
                self.finish(self.last_code)

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.child is not None and pid == self.child.pid:
                code = os.waitstatus_to_exitcode(status)
                self.child.returncode = code
                self.on_exit(128 - code if code < 0 else code)

    def drain_pipes(self):
        """The exited program's last output; pipes still held by its leftovers are dropped."""
        for key in list(self.sel.get_map().values()):
            if key.data in ("stdout", "stderr"):
                self.read_pipe(key)
                if not key.fileobj.closed:
                    self.close_pipe(key)

    def on_exit(self, code):
        self.drain_pipes()
        self.child, self.last_code = None, code
        if self.stopping or not self.should_restart(code):
            self.finish(code)
        self.kill_leftovers()
        if time.monotonic() - self.run_since >= 10:
            self.backoff_s = 0.1  # docker resets its back-off after 10 s of running
        self.sink.note("exited with %d; restarting in %.1f s (restart: %s)" % (code, self.backoff_s, self.spec["restart"]))
        self.restart_at = time.monotonic() + self.backoff_s
        self.backoff_s = min(self.backoff_s * 2, 60.0)
        self.write_status("restarting", exit_code=code)

    def should_restart(self, code):
        policy = self.spec.get("restart") or "no"
        if policy in ("always", "unless-stopped"):
            return True
        if policy.startswith("on-failure") and code != 0:
            limit = policy.partition(":")[2]
            return not limit or self.restarts < int(limit)
        return False

    def kill_leftovers(self):
        for entry in os.listdir("/proc"):  # this namespace's own /proc (--mount-proc)
            if entry.isdigit() and int(entry) != 1:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def finish(self, code):
        self.sink.note("exited with %d" % code)
        self.sink.flush(wait_s=1.0)
        self.write_status("exited", exit_code=code, finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        os._exit(code)

    def loop(self):
        while True:
            timeout = None
            if self.sink.pending():
                timeout = 0.5
            if self.restart_at is not None:
                timeout = max(0.0, min(timeout or 60, self.restart_at - time.monotonic()))
            for key, _ in self.sel.select(timeout):
                if key.data == "wakeup":
                    try:
                        os.read(key.fileobj, 512)
                    except BlockingIOError:
                        pass
                else:
                    self.read_pipe(key)
            self.handle_flags()
            self.reap()
            if self.sink.pending():
                self.sink.flush()
            if self.restart_at is not None and time.monotonic() >= self.restart_at:
                self.restart_at = None
                self.restarts += 1
                try:
                    self.spawn()
                except StartError as e:
                    self.sink.note(str(e))
                    self.finish(127)


def report(fd, text):
    try:
        os.write(fd, (text + "\n").encode())
        os.close(fd)
    except OSError:
        pass


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    status_fd = int(sys.argv[2]) if len(sys.argv) > 2 else -1
    runner = Runner(spec)
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGCHLD):
        signal.signal(s, runner.on_signal)
    runner.sel.register(wake_r, selectors.EVENT_READ, "wakeup")
    try:
        bind_volumes(spec["mounts"])
        private_folders(spec["recipe"]["tmpfs"])
        entrypoint_steps(spec["recipe"])
        if spec.get("bridge"):
            runner.netns = Netns(spec)
            forward_ports(spec)
        runner.spawn()
    except (StartError, NetnsError, OSError) as e:
        report(status_fd, "error: %s" % e)
        runner.sink.note("could not start: %s" % e)
        runner.write_status("exited", exit_code=127, error=str(e))
        sys.exit(127)
    report(status_fd, "ok")
    runner.loop()


if __name__ == "__main__":
    main()
