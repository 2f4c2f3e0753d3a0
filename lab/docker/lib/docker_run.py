"""`docker run` on the lab's Harbor 2.x nodes: only the goharbor/prepare image, which Harbor
2.x's `prepare` script runs as

    docker run --rm -v INPUT:/input -v DATA:/data -v HARBOR:/compose_location -v CONFIG:/config \\
        -v /:/hostfs/ --privileged goharbor/prepare:TAG prepare [--with-trivy]

What runs is that release's image's own code (make/photon/prepare: main.py, commands/, utils/,
templates/), unpacked by scripts/lab.sh from harbor-prepare-image-vX.Y.Z.tgz into the lab's
release store (releases.py, bound read-only at /var/lib/lab-docker/releases), with the node's
python3 (Debian's yaml, jinja2, click, packaging) and htpasswd, as root like the image. The
release: the tag when it is vX.Y.Z (`goharbor/prepare:v2.15.2 migrate ...`, as Harbor's upgrade
guide runs it), else the one whose installer the /compose_location folder came from (the
bundles' own `goharbor/prepare:dev`); see releases.py. As the image sees it:
its code at /usr/src/app (WORKDIR; a private writable copy, as the image's file system), ENTRYPOINT `python3 main.py`, ENV LANG, and
the -v volumes bound at their container paths in a private mount namespace (run_once.py).
The container's output and exit status are docker run's. Mount points it had to create on
the node are removed again afterwards (they live in the image's root file system in docker).
Any other image: "Unable to find image", exit 125, as docker says it without a registry.
"""
import json
import os
import subprocess
import sys

import releases
from compose_file import split_volume

PREPARE_IMAGE = "goharbor/prepare"
WORKDIR = "/usr/src/app"
RUN_ONCE = os.path.join(os.path.dirname(os.path.realpath(__file__)), "run_once.py")
FLAGS = {"--rm", "--privileged", "-i", "-t", "-it", "--interactive", "--tty"}
# Options with a value, by the name they are kept under (short and long forms together).
VALUED = {"-v": "volume", "--volume": "volume", "-e": "env", "--env": "env", "--name": "name", "-w": "workdir",
          "--workdir": "workdir", "--network": "network", "--net": "network", "-u": "user", "--user": "user"}


class RunError(Exception):
    """docker run's own failure (exit 125), as the docker client prints it."""


def parse(args):
    """(options {name: [values]}, image, command) from docker run's arguments."""
    opts, i = {}, 0
    while i < len(args):
        a = args[i]
        if not a.startswith("-"):
            return opts, a, args[i + 1:]
        name, eq, value = a.partition("=")
        if name in VALUED:
            if not eq:
                if i + 1 >= len(args):
                    raise RunError("flag needs an argument: %s" % a)
                value, i = args[i + 1], i + 1
            opts.setdefault(VALUED[name], []).append(value)
        elif a in FLAGS:
            opts.setdefault(a, []).append(True)
        else:
            raise RunError("unknown flag: %s (the lab's docker run knows: %s)" % (a, " ".join(sorted(FLAGS | set(VALUED)))))
        i += 1
    raise RunError('"docker run" requires at least 1 argument.')


def image_code(image, opts):
    """The prepare code of the release IMAGE is (its tag, else the bundle mounted at /compose_location)."""
    name = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    if name != PREPARE_IMAGE:
        raise RunError("Unable to find image '%s' locally\ndocker: Error response from daemon: the harbor-ha lab "
                       "has no container runtime; its docker runs only %s (Harbor 2.x's prepare)" % (image, PREPARE_IMAGE))
    bundle = None
    for spec in opts.get("volume", []):
        host, target, _ = split_volume(spec)
        if target and os.path.normpath(target) == "/compose_location":
            bundle = host
    try:
        return releases.prepare_code(releases.resolve(image, bundle))
    except releases.NoRelease as e:
        raise RunError(str(e))


def mounts(opts, code):
    out = [{"source": code, "target": WORKDIR, "ro": False, "copy": True}]
    for spec in opts.get("volume", []):
        host, target, mode = split_volume(spec)
        if not host or not host.startswith("/"):
            raise RunError("invalid volume %s: the lab's docker run binds host paths only" % spec)
        out.append({"source": host, "target": os.path.normpath(target), "ro": "ro" in mode.split(",")})
    return out


def environment(opts):
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
           "HOSTNAME": os.uname().nodename, "LANG": "en_US.UTF-8"}  # the image's ENV LANG
    for item in opts.get("env", []):
        k, sep, v = item.partition("=")
        if sep:
            env[k] = v
        elif k in os.environ:
            env[k] = os.environ[k]
    return env


def missing_mount_points(spec_mounts):
    """The mount points (and their parents) that do not exist on the node yet, deepest first."""
    out = []
    for m in spec_mounts:
        path = m["target"]
        while path != "/" and not os.path.lexists(path):
            out.append(path)
            path = os.path.dirname(path)
    return sorted(set(out), key=lambda p: -p.count("/"))


def main(args):
    try:
        opts, image, command = parse(args)
        code = image_code(image, opts)
        spec_mounts = mounts(opts, code)
    except RunError as e:
        sys.stderr.write("docker: %s\nSee 'docker run --help'.\n" % e)
        return 125
    workdir = (opts.get("workdir") or [WORKDIR])[-1]
    spec = {"mounts": spec_mounts, "env": environment(opts), "cwd": workdir, "argv": ["python3", "main.py"] + command}
    created = missing_mount_points(spec_mounts)
    try:
        rc = subprocess.call(["unshare", "--mount", "--propagation", "private", "/usr/bin/python3", RUN_ONCE,
                              json.dumps(spec)])
    finally:
        for path in created:
            try:
                os.rmdir(path)
            except OSError:
                pass  # not empty, or still in use: leave it
    return rc
