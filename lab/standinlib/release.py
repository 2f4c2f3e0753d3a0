"""Which Harbor release a stand-in plays: the tag of its compose image, which the lab's
docker-compose shim passes as LAB_IMAGE (e.g. vmware/harbor-ui:v1.4.0).

Behaviour that differs between 1.4 and 1.5 (secret transport, schema version, settings)
is chosen from this, never guessed from the files.
"""
import os
import re
import sys

# src/common/dao/version.go: SchemaVersion at v1.4.0 and v1.5.4.
SCHEMA_VERSIONS = {(1, 4): "1.4.0", (1, 5): "1.5.0"}


class Release:
    def __init__(self, tag):
        m = re.search(r"v(\d+)\.(\d+)\.(\d+)$", tag)
        self.tag = tag                      # "v1.4.0": the image's /harbor/VERSION (Makefile VERSIONTAG)
        self.major_minor = (int(m.group(1)), int(m.group(2)))

    @property
    def is_15(self):
        return self.major_minor >= (1, 5)

    @property
    def schema_version(self):
        return SCHEMA_VERSIONS[self.major_minor]


def current():
    """The release from LAB_IMAGE; exits with a clear message when there is none the lab knows."""
    image = os.environ.get("LAB_IMAGE", "")
    tag = image.rpartition(":")[2] if ":" in image.rsplit("/", 1)[-1] else ""
    m = re.search(r"v1\.[45]\.\d+$", tag)
    if not m:
        sys.stderr.write("lab stand-in: LAB_IMAGE=%r names no Harbor 1.4.x/1.5.x image; "
                         "the lab's docker-compose shim sets it from the compose file\n" % image)
        sys.exit(1)
    return Release(m.group(0))
