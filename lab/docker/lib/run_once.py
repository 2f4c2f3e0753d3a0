#!/usr/bin/python3
"""A one-shot lab container (docker_run.py starts it in its own mount namespace):

    unshare --mount --propagation private python3 run_once.py SPEC_JSON

binds SPEC's mounts at their container paths (as runner.py does for compose services), then
execs SPEC's argv in SPEC's cwd with exactly SPEC's environment, as root. Its exit status is
the program's; a mount failure is docker's 125 with the reason.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from runner import StartError, bind_volumes  # noqa: E402


def main():
    spec = json.loads(sys.argv[1])
    try:
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
