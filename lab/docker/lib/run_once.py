#!/usr/bin/python3
"""A one-shot lab container (docker_run.py starts it in its own mount namespace):

    unshare --mount --propagation private python3 run_once.py SPEC_JSON

binds SPEC's mounts at their container paths (as runner.py does for compose services), then
execs SPEC's argv in SPEC's cwd with exactly SPEC's environment, as root. Its exit status is
the program's; a mount failure is docker's 125 with the reason.

A mount marked "copy" is the image's own file system (the prepare code at /usr/src/app): as
in a container it must be writable (prepare's `migrate` writes harbor.yml.*.tmp files in its
working folder) while the release's files stay untouched, so it is copied into a tmpfs that
only this namespace sees and bound from there.
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from runner import StartError, bind_volumes, mount  # noqa: E402

MS_NOSUID, MS_NODEV = 2, 4

SCRATCH = "/var/lib/lab-docker/run-scratch"  # a tmpfs is mounted on it in each run's own namespace


def writable_copies(mounts):
    for i, m in enumerate(m for m in mounts if m.get("copy")):
        if i == 0:
            os.makedirs(SCRATCH, exist_ok=True)
            mount("lab-docker-run", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
        dest = os.path.join(SCRATCH, str(i))
        shutil.copytree(m["source"], dest, symlinks=True)
        m["source"], m["ro"] = dest, False


def main():
    spec = json.loads(sys.argv[1])
    try:
        writable_copies(spec["mounts"])
        bind_volumes(spec["mounts"])
        os.chdir(spec["cwd"])
    except (StartError, OSError) as e:
        sys.stderr.write("docker: Error response from daemon: %s.\n" % e)
        sys.exit(125)
    try:
        os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
    except OSError as e:
        sys.stderr.write('docker: Error response from daemon: exec: "%s": %s.\n' % (spec["argv"][0], e.strerror))
        sys.exit(127)


if __name__ == "__main__":
    main()
