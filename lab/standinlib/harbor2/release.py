"""The Harbor 2.x release the stand-ins play, and how they read what prepare wrote.

The images prepare names carry whatever tag its `versions` file gives (`dev` for the bundles in
../shared/harbor), so the release is not read from LAB_IMAGE as in 1.x: it is the release of the
prepare image the node's docker shim runs (scripts/lab/harbor.sh links it from the lab's
harbor-prepare-v<release> folder, unpacked from the installer's harbor-prepare-image-v<release>.tgz);
v2.15.1 when the link names none (the stand-ins' selftest).
"""
import os
import re
import sys

# Where the node's docker shim finds the goharbor/prepare image's code (lib/docker_run.py).
PREPARE_IMAGE_LINK = "/var/lib/lab-docker/images/goharbor-prepare"

# Per release line, the newest of make/migrations/postgresql/*.up.sql (0160_2.13.0_schema,
# 0180_2.15.0_schema): the version golang-migrate leaves in schema_migrations after core's start.
SCHEMA_VERSIONS = {"2.13": 160, "2.15": 180}


def _release():
    m = re.search(r"harbor-prepare-v(2\.\d+\.\d+)/?$", os.path.realpath(PREPARE_IMAGE_LINK))
    return m.group(1) if m else "2.15.1"


_RELEASE = _release()
_LINE = ".".join(_RELEASE.split(".")[:2])
if _LINE not in SCHEMA_VERSIONS:
    sys.stderr.write("lab stand-in: no schema version known for Harbor %s (harbor2lab/release.py SCHEMA_VERSIONS)\n" % _RELEASE)
    sys.exit(1)

# src/pkg/version (ldflags -X ReleaseVersion / GitCommit at build time).
RELEASE_VERSION = "v" + _RELEASE
GIT_COMMIT = "lab"
SCHEMA_VERSION = SCHEMA_VERSIONS[_LINE]


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
