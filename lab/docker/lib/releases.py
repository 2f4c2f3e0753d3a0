#!/usr/bin/python3
"""The Harbor 2.x releases a lab node's docker can run: the stand-in for the images that a
real offline installer's image archive (harbor.vX.Y.Z.tar.gz) loads into docker.

A real upgrade copies a new bundle to a node and loads its images: goharbor/prepare:vX.Y.Z,
goharbor/harbor-core:vX.Y.Z (whose /harbor/migrations holds that release's schema scripts),
and so on. Harbor's bundles in ../shared/harbor have no image archive, so the lab keeps, for
every release whose files it has, what those images hold that matters here:

    <store>/v2.X.Y/prepare/        the goharbor/prepare image's code (main.py, templates, ...)
    <store>/v2.X.Y/migrations/     make/migrations/postgresql/*.up.sql (core's /harbor/migrations/postgresql)
    <store>/v2.X.Y/bundle.sha256   the fingerprints of that release's offline installers (one a line)

`scripts/lab.sh up` fills the store (`releases.py collect STORE DIR...`) from every
harbor-offline-installer-v2.X.Y*.tgz in the installer's folder and in ../shared/harbor that
has harbor-prepare-image-v2.X.Y.tgz beside it (and harbor-db-migrations-v2.X.Y.tgz, when
there is one), and binds it read-only at /var/lib/lab-docker/releases on every 2.x node.

Which release an image is: a tag vX.Y.Z names it. Harbor's bundles built without a VERSIONTAG
name their images `dev` or `dev-legacy` (prepare's `docker run goharbor/prepare:dev`, the
compose file's goharbor/harbor-core:dev); for those the release is the one whose installer
the bundle folder came from, told by the fingerprint of the files Harbor ships in it (prepare,
install.sh, common.sh, harbor.yml.tmpl): 2.13.4, 2.15.1 and 2.15.2 differ in at least one.
"""
import hashlib
import os
import re
import shutil
import sys
import tarfile

STORE = "/var/lib/lab-docker/releases"
BUNDLE_FILES = ("prepare", "install.sh", "common.sh", "harbor.yml.tmpl")
VERSION = re.compile(r"^v?(2\.\d+\.\d+)$")
INSTALLER = re.compile(r"^harbor-offline-installer-v(2\.\d+\.\d+)(-[A-Za-z0-9.]+)?\.tgz$")


class NoRelease(Exception):
    pass


def fingerprint(read):
    """sha256 over Harbor's own bundle files; READ(name) gives a file's bytes or None."""
    h = hashlib.sha256()
    for name in BUNDLE_FILES:
        data = read(name)
        if data is None:
            return None
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def bundle_dir_fingerprint(folder):
    def read(name):
        try:
            with open(os.path.join(folder, name), "rb") as f:
                return f.read()
        except OSError:
            return None
    return fingerprint(read)


def installer_fingerprint(tgz):
    with tarfile.open(tgz, "r:gz") as tar:
        def read(name):
            try:
                f = tar.extractfile("harbor/" + name)
            except KeyError:
                return None
            return f.read() if f else None
        return fingerprint(read)


def available(store=STORE):
    """{'2.15.2': folder} for every release in the store that has the prepare image's code."""
    out = {}
    try:
        names = os.listdir(store)
    except OSError:
        return out
    for n in names:
        m = VERSION.match(n)
        if m and os.path.isfile(os.path.join(store, n, "prepare", "main.py")):
            out[m.group(1)] = os.path.join(store, n)
    return out


def _key(version):
    return tuple(int(x) for x in version.split("."))


def for_tag(tag, store=STORE):
    """The release a tag names (v2.15.2 -> 2.15.2) when the store has it, else None."""
    m = VERSION.match(tag or "")
    return m.group(1) if m and m.group(1) in available(store) else None


def for_bundle(folder, store=STORE):
    """The release whose offline installer FOLDER (e.g. /opt/harbor) came from, else None."""
    fp = bundle_dir_fingerprint(folder) if folder else None
    if fp is None:
        return None
    matches = []
    for version, d in sorted(available(store).items(), key=lambda kv: _key(kv[0])):
        try:
            with open(os.path.join(d, "bundle.sha256")) as f:
                if fp in f.read().split():
                    matches.append(version)
        except OSError:
            pass
    # Two releases with byte-identical bundle files cannot be told apart: neither is guessed.
    return matches[0] if len(matches) == 1 else None


def resolve(image, bundle_folder, store=STORE):
    """The release IMAGE (name:tag) runs on a node whose bundle is BUNDLE_FOLDER; NoRelease
    says why there is none, in docker's words plus the lab's reason."""
    tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest"
    if VERSION.match(tag):
        version = for_tag(tag, store)
        if version:
            return version
        raise NoRelease("Unable to find image '%s' locally: the lab's nodes have the images of Harbor %s only "
                        "(a release whose harbor-offline-installer-vX.Y.Z.tgz and harbor-prepare-image-vX.Y.Z.tgz are "
                        "beside the lab's installer or in ../shared/harbor when the lab came up)"
                        % (image, ", ".join(sorted(available(store), key=_key)) or "none"))
    version = for_bundle(bundle_folder, store)
    if version:
        return version
    raise NoRelease("Unable to find image '%s' locally: its tag names no release, and the bundle in %s is none of "
                    "the offline installers the lab knows (%s)" % (image, bundle_folder or "(no folder)",
                                                                  ", ".join(sorted(available(store), key=_key)) or "none"))


def prepare_code(version, store=STORE):
    return os.path.join(store, "v" + version, "prepare")


def migrations(version, store=STORE):
    return os.path.join(store, "v" + version, "migrations")


# -- filling the store (on the machine, by lab.sh up) ---------------------------------------

def _unpack(tgz, dest, strip=None):
    """Unpacks TGZ into DEST (members under STRIP/ only, that prefix removed)."""
    os.makedirs(dest, exist_ok=True)
    with tarfile.open(tgz, "r:gz") as tar:
        for m in tar.getmembers():
            name = m.name.lstrip("./") if m.name.startswith("./") else m.name
            if strip is not None:
                if not name.startswith(strip + "/"):
                    continue
                name = name[len(strip) + 1:]
            if not name or name.startswith("/") or ".." in name.split("/"):
                continue
            m.name = name
            tar.extract(m, dest, set_attrs=False)


def _add_migrations(source, dest):
    """Extra *.up.sql files (a folder, a .tgz holding them anywhere, or one file) into DEST."""
    os.makedirs(dest, exist_ok=True)
    if os.path.isdir(source):
        files = [os.path.join(source, n) for n in os.listdir(source) if n.endswith(".up.sql")]
        for f in files:
            shutil.copy(f, dest)
        return len(files)
    if source.endswith(".up.sql"):
        shutil.copy(source, dest)
        return 1
    n = 0
    with tarfile.open(source, "r:*") as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.endswith(".up.sql"):
                with open(os.path.join(dest, os.path.basename(m.name)), "wb") as f:
                    f.write(tar.extractfile(m).read())
                n += 1
    return n


def collect(store, folders, extra=()):
    """Fills STORE from FOLDERS (first folder's files win for a release); EXTRA: (version, path)
    migrations added to that release. Prints one line per release; returns {version: folder}."""
    os.makedirs(store, exist_ok=True)
    found = {}
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            m = INSTALLER.match(name)
            if not m:
                continue
            version = m.group(1)
            prepare = os.path.join(folder, "harbor-prepare-image-v%s.tgz" % version)
            if not os.path.isfile(prepare):
                continue
            fp = installer_fingerprint(os.path.join(folder, name))
            if fp is None:
                continue
            dest = os.path.join(store, "v" + version)
            if version not in found:
                _unpack(prepare, os.path.join(dest, "prepare"))
                mig = os.path.join(folder, "harbor-db-migrations-v%s.tgz" % version)
                if os.path.isfile(mig):
                    _unpack(mig, os.path.join(dest, "migrations"), strip="migrations")
                else:
                    os.makedirs(os.path.join(dest, "migrations"), exist_ok=True)
                found[version] = dest
            with open(os.path.join(dest, "bundle.sha256"), "a") as f:
                f.write(fp + "\n")
    for version, path in extra:
        if version not in found:
            raise NoRelease("extra migrations for Harbor %s: the lab has no such release (it has %s)"
                            % (version, ", ".join(sorted(found, key=_key)) or "none"))
        if _add_migrations(path, migrations(version, store)) == 0:
            raise NoRelease("extra migrations for Harbor %s: %s holds no *.up.sql file" % (version, path))
    for version in sorted(found, key=_key):
        n = len([f for f in os.listdir(migrations(version, store)) if f.endswith(".up.sql")])
        print("%s\t%d migrations" % (version, n))
    return found


def main(argv):
    """collect STORE [--extra vX.Y.Z=PATH ...] FOLDER...   (lab.sh up)
    fingerprint FOLDER                                   (a bundle folder's fingerprint)"""
    if argv[:1] == ["fingerprint"] and len(argv) == 2:
        print(bundle_dir_fingerprint(argv[1]) or "")
        return 0
    if argv[:1] != ["collect"] or len(argv) < 3:
        sys.stderr.write(main.__doc__ + "\n")
        return 2
    store, rest, extra, folders = argv[1], argv[2:], [], []
    while rest:
        a = rest.pop(0)
        if a == "--extra" and rest:
            version, sep, path = rest.pop(0).partition("=")
            m = VERSION.match(version)
            if not sep or not m or not os.path.exists(path):
                sys.stderr.write("--extra-migrations wants vX.Y.Z=PATH (a folder, .tgz or .up.sql file), got %s=%s\n"
                                 % (version, path))
                return 2
            extra.append((m.group(1), os.path.abspath(path)))
        else:
            folders.append(a)
    try:
        collect(store, folders, extra)
    except (NoRelease, OSError, tarfile.TarError) as e:
        sys.stderr.write("%s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
