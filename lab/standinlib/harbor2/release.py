"""The Harbor 2.x release the stand-ins play, and how they read what prepare wrote.

The images prepare names carry whatever tag its `versions` file gives (`dev` for the bundles in
../shared/harbor), so the release is not read from LAB_IMAGE as in 1.x: the stand-ins follow
goharbor/harbor v2.15.1, and say so.
"""
import os
import sys

# src/pkg/version (ldflags -X ReleaseVersion / GitCommit at build time).
RELEASE_VERSION = "v2.15.1"
GIT_COMMIT = "lab"
# The newest of make/migrations/postgresql/*.up.sql at v2.15.1 (0180_2.15.0_schema.up.sql):
# the version golang-migrate leaves in schema_migrations after core's start.
SCHEMA_VERSION = 180


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
