#!/usr/bin/python3
"""PID 1 of one lab host. Started by scripts/lab.sh as
   setsid unshare --net --mount --uts --pid --fork --kill-child python3 hostinit.py --lab-dir D --name N ...

It builds the host's file system (an overlay of the machine's / with its upper layer on a
tmpfs, so /etc, /data, /usr/local/bin and /var are private), pivots into it, then stays
as init: it keeps a /dev/log listener writing /var/log/syslog (keepalived and sshd log
there; without it their messages vanish), runs sshd and reaps orphans (daemons started
over SSH end up as our children; unreaped zombies would fool pidfile checks).

Everything it mounts lives in the host's own mount namespace, so it disappears with the
host: `down` only has to SIGKILL the unshare parent (--kill-child ends this process,
which ends the whole PID namespace).
"""
import argparse
import ctypes
import os
import select
import signal
import socket
import subprocess
import sys
import time

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
SYS_PIVOT_ROOT = 155  # x86_64

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]


def log(msg):
    sys.stdout.write("hostinit[%s]: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stdout.flush()


def mount(src, target, fstype=None, flags=0, data=None):
    def enc(s):
        return s.encode() if s is not None else None

    if libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "mount %s on %s (%s): %s" % (src, target, fstype, os.strerror(err)))


def write(path, text, mode=0o644, uid=0, gid=0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    os.chown(path, uid, gid)


def read(path):
    with open(path) as f:
        return f.read()


SSHD_CONFIG = """# lab host sshd: own host key, keys only, no PAM (saves ~40 ms per connection)
Port 22
ListenAddress 0.0.0.0
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
AcceptEnv LANG LC_*
MaxStartups 200
MaxSessions 64
LogLevel INFO
Subsystem sftp /usr/lib/openssh/sftp-server
"""

BASHRC = "# lab host: plain dotfiles (the machine's own would slow every SSH command)\nPS1='\\u@\\h:\\w\\$ '\n"
PROFILE = "[ -f ~/.bashrc ] && . ~/.bashrc\n"


def prepare_upper(upper, a, authorized_keys, host_key, host_key_pub):
    """Files written into the upper layer before the overlay is mounted."""
    root = os.path.join(upper, "root")
    os.makedirs(root, mode=0o700)
    # Opaque: the machine's /root (its dotfiles, pyenv, keys) is hidden in the host.
    os.setxattr(root, "trusted.overlay.opaque", b"y")
    write(root + "/.bashrc", BASHRC)
    write(root + "/.profile", PROFILE)
    write(root + "/.ssh/authorized_keys", authorized_keys, 0o600)
    os.chmod(root + "/.ssh", 0o700)
    ssh = os.path.join(upper, "etc/ssh")
    os.makedirs(ssh)
    # Opaque too, so the machine's own host keys are not served (or even visible) here.
    os.setxattr(ssh, "trusted.overlay.opaque", b"y")
    for name in os.listdir("/etc/ssh"):
        if not name.startswith("ssh_host_") and name not in ("sshd_config", "sshd_config.d"):
            src = os.path.join("/etc/ssh", name)
            if os.path.isfile(src):
                write(os.path.join(ssh, name), read(src))
    os.makedirs(ssh + "/ssh_config.d", exist_ok=True)
    write(ssh + "/sshd_config", SSHD_CONFIG)
    write(ssh + "/ssh_host_ed25519_key", host_key, 0o600)
    write(ssh + "/ssh_host_ed25519_key.pub", host_key_pub)
    write(upper + "/etc/hostname", a.name + "\n")
    for spec in a.symlink:  # written into the upper layer: the host's own, the machine never sees them
        link, target = spec.split(":", 1)
        os.makedirs(os.path.dirname(upper + link), exist_ok=True)
        os.symlink(target, upper + link)
    write(upper + "/etc/hosts", "127.0.0.1\tlocalhost\n" + read(a.hosts_file))


def add_ops_user(authorized_keys):
    """An ordinary user with passwordless sudo, to exercise the tool's sudo path."""
    uid = 1500
    with open("/etc/passwd", "a") as f:
        f.write("ops:x:%d:%d:lab operator:/home/ops:/bin/bash\n" % (uid, uid))
    with open("/etc/group", "a") as f:
        f.write("ops:x:%d:\n" % uid)
    with open("/etc/shadow", "a") as f:
        f.write("ops:*:19000:0:99999:7:::\n")  # "*": no password, not locked (keys work)
    write("/home/ops/.bashrc", BASHRC, 0o644, uid, uid)
    write("/home/ops/.profile", PROFILE, 0o644, uid, uid)
    write("/home/ops/.ssh/authorized_keys", authorized_keys, 0o600, uid, uid)
    os.chown("/home/ops/.ssh", uid, uid)
    os.chmod("/home/ops/.ssh", 0o700)
    os.chown("/home/ops", uid, uid)
    write("/etc/sudoers.d/ops", "ops ALL=(ALL:ALL) NOPASSWD: ALL\n", 0o440)


def mount_dev(dev):
    mount("lab-dev", dev, "tmpfs", MS_NOSUID, "mode=755,size=1m")
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        open(os.path.join(dev, node), "w").close()
        mount("/dev/" + node, os.path.join(dev, node), None, MS_BIND, None)
    os.makedirs(dev + "/pts")
    mount("devpts", dev + "/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620,gid=5")
    os.symlink("pts/ptmx", dev + "/ptmx")
    os.makedirs(dev + "/shm")
    mount("lab-shm", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink("/proc/self/fd/%d" % i, os.path.join(dev, name))
    os.symlink("/proc/self/fd", dev + "/fd")


def build_root(a):
    authorized_keys = read(a.authorized_keys)
    host_key = read(a.host_key)
    host_key_pub = read(a.host_key + ".pub")
    mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    fs = a.fs_dir
    mount("lab-" + a.name, fs, "tmpfs", 0, "mode=755")
    upper, work, merged = fs + "/upper", fs + "/work", fs + "/merged"
    for d in (upper, work, merged):
        os.makedirs(d)
    prepare_upper(upper, a, authorized_keys, host_key, host_key_pub)
    mount("overlay", merged, "overlay", 0, "lowerdir=/,upperdir=%s,workdir=%s" % (upper, work))
    mount("proc", merged + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    mount("sysfs", merged + "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, None)
    mount_dev(merged + "/dev")
    mount("lab-run", merged + "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    mount("lab-tmp", merged + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for spec in a.bind + a.bind_ro:
        src, dst = spec.rsplit(":", 1)  # the source is the machine's path, which may hold ":"
        os.makedirs(merged + dst, exist_ok=True)
        mount(src, merged + dst, None, MS_BIND, None)
        if spec in a.bind_ro:
            mount(None, merged + dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
    os.chdir(merged)
    # pivot_root(".", ".") stacks the old root under the new one; detaching it leaves
    # the host unable to see the machine's real mounts.
    if libc.syscall(SYS_PIVOT_ROOT, b".", b".") != 0:
        raise OSError(ctypes.get_errno(), "pivot_root")
    if libc.umount2(b".", MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "umount old root")
    os.chdir("/")
    socket.sethostname(a.name)
    for d in ("/run/sshd", "/run/lock", "/var/log"):
        os.makedirs(d, exist_ok=True)
    os.chmod("/run/sshd", 0o755)
    if a.ops_user:
        add_ops_user(authorized_keys)


class Syslog:
    """A /dev/log listener: the host's syslogd, appending to /var/log/syslog."""

    def __init__(self, hostname):
        self.hostname = hostname
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("/dev/log")
        os.chmod("/dev/log", 0o666)
        self.out = open("/var/log/syslog", "a", buffering=1)

    def handle(self):
        data = self.sock.recv(65536).decode("utf-8", "replace").rstrip("\n\x00")
        if data.startswith("<"):
            data = data[data.find(">") + 1:]
        # glibc sends "Mmm dd hh:mm:ss tag: msg"; rsyslog adds the host name after the date.
        if len(data) > 16 and data[15] == " ":
            line = "%s %s %s" % (data[:15], self.hostname, data[16:])
        else:
            line = "%s %s %s" % (time.strftime("%b %d %H:%M:%S"), self.hostname, data)
        self.out.write(line + "\n")


def start_sshd():
    return subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", "/etc/ssh/sshd_config"],
                            stdin=subprocess.DEVNULL, close_fds=True, start_new_session=True)


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(a):
    syslog = Syslog(a.name)
    sshd = start_sshd()
    log("%s up: sshd pid %d" % (a.name, sshd.pid))
    # SIGCHLD writes to a pipe that wakes select(), so orphans are reaped at once.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    last_restart = time.monotonic()
    while True:
        ready, _, _ = select.select([syslog.sock, wake_r], [], [], 1.0)
        if wake_r in ready:
            try:
                os.read(wake_r, 512)
            except BlockingIOError:
                pass
        if syslog.sock in ready:
            syslog.handle()
        if sshd.poll() is not None and time.monotonic() - last_restart > 1:
            log("sshd exited with %s; restarting it" % sshd.returncode)
            sshd, last_restart = start_sshd(), time.monotonic()
        reap()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lab-dir", required=True)  # also marks the process as this lab's (down checks it)
    p.add_argument("--name", required=True)
    p.add_argument("--fs-dir", required=True)
    p.add_argument("--authorized-keys", required=True)
    p.add_argument("--host-key", required=True)
    p.add_argument("--hosts-file", required=True)
    p.add_argument("--bind", action="append", default=[])
    p.add_argument("--bind-ro", action="append", default=[])
    p.add_argument("--symlink", action="append", default=[])  # LINK:TARGET
    p.add_argument("--ops-user", action="store_true")
    a = p.parse_args()
    try:
        build_root(a)
    except Exception as e:  # noqa: BLE001 - report any set-up failure and end the host
        log("%s: set-up failed: %s" % (a.name, e))
        sys.exit(1)
    serve(a)


if __name__ == "__main__":
    main()
