"""The Harbor 2.x release the stand-ins play, and how they read what prepare wrote.

The images prepare names carry whatever tag its `versions` file gives (`dev` for the bundles in
../shared/harbor), so the release is not read from LAB_IMAGE as in 1.x: the node's docker shim
tells it in LAB_HARBOR_RELEASE (lab/docker/lib/releases.py: the image's tag when it is vX.Y.Z,
else the release whose offline installer the project folder came from); v2.15.1 when it is not
set (a stand-in started by hand). What the release changes in core is its schema scripts
(/harbor/migrations/postgresql, bound by the shim from that release's harbor-db-migrations
tgz) and the version it reports.
"""
import os
import re
import sys

_RELEASE = os.environ.get("LAB_HARBOR_RELEASE") or "2.15.1"
if not re.match(r"^2\.\d+\.\d+$", _RELEASE):
    sys.stderr.write("lab stand-in: LAB_HARBOR_RELEASE=%s is not a Harbor 2.x release (2.X.Y)\n" % _RELEASE)
    sys.exit(1)

# src/pkg/version (ldflags -X ReleaseVersion / GitCommit at build time).
RELEASE_VERSION = "v" + _RELEASE
GIT_COMMIT = "lab"


def env(name, default=None):
    """A variable of the env_file prepare wrote (compose hands it to the container)."""
    value = os.environ.get(name)
    return default if value is None else value


def require_env(names):
    """Exits as a Go service does on a configuration it cannot use, naming what is missing."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        sys.stderr.write("lab stand-in: %s not set; the env file prepare wrote (common/config/<service>/env) "
                         "reaches the container through the compose env_file\n" % ", ".join(missing))
        sys.exit(1)


def listen_address(port):
    return (os.environ.get("LAB_SERVICE_ADDR", "0.0.0.0"), int(port))
