#!/usr/bin/env bash
# Builds a tiny OCI image layout for skopeo to push into the lab's Harbor:
#
#   lab/clients/make-image.sh [--no-history] DIR [TAG] [TEXT]   (defaults: latest, a unique line)
#   skopeo copy --format v2s2 oci:DIR:TAG docker://registry.lab.test/library/NAME:TAG
#
# --no-history: a config without `history` (as some image builders write it). A registry can
# serve such an image as schema 2 only: its schema 1 conversion fails ("empty history"), so a
# pull asking for schema 2 in only one of several Accept lines shows whether they all arrived.
#
# One layer holding /hello.txt with TEXT (so two calls make two different images), its
# config and manifest, made with tar, gzip and python3 (hashlib, json) only. Calling it
# again with another TAG adds to the same layout. Push with `--format v2s2`: Harbor 1.4/1.5
# ship Docker distribution 2.6.2, which predates OCI manifests (the lab's Debian registry
# would take them, Harbor's would not). Prints `oci:DIR:TAG sha256:<manifest digest>`.
set -euo pipefail

history=1
[[ "${1:-}" == --no-history ]] && { history=0; shift; }
dir="${1:?usage: $0 [--no-history] DIR [TAG] [TEXT]}"
tag="${2:-latest}"
text="${3:-harbor-ha lab image $(date -u +%Y-%m-%dT%H:%M:%SZ) $RANDOM$RANDOM}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$dir/blobs/sha256" "$work/rootfs"
printf '%s\n' "$text" >"$work/rootfs/hello.txt"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2018-02-01 00:00Z' \
  -C "$work/rootfs" -cf "$work/layer.tar" hello.txt
gzip -n -c "$work/layer.tar" >"$work/layer.tar.gz"

python3 - "$dir" "$tag" "$work/layer.tar" "$work/layer.tar.gz" "$history" <<'PY'
import hashlib, json, os, sys
out, tag, layer_tar, layer_gz, history = sys.argv[1:6]


def store(data):
    """Writes DATA to blobs/sha256/<digest>; returns its descriptor's digest and size."""
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs/sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def dumps(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


with open(layer_tar, "rb") as f:
    diff_id = "sha256:" + hashlib.sha256(f.read()).hexdigest()
with open(layer_gz, "rb") as f:
    layer = store(f.read())
config_doc = {
    "architecture": "amd64", "os": "linux", "created": "2018-02-01T00:00:00Z", "config": {"Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
if history == "1":
    config_doc["history"] = [{"created": "2018-02-01T00:00:00Z", "created_by": "lab/clients/make-image.sh"}]
config = store(dumps(config_doc))
manifest = store(dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config),
    "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **layer)]}))

index_path = os.path.join(out, "index.json")
index = {"schemaVersion": 2, "manifests": []}
if os.path.exists(index_path):
    with open(index_path) as f:
        index = json.load(f)
ref = "org.opencontainers.image.ref.name"
index["manifests"] = [m for m in index["manifests"] if m.get("annotations", {}).get(ref) != tag]
index["manifests"].append(dict(mediaType="application/vnd.oci.image.manifest.v1+json", annotations={ref: tag}, **manifest))
with open(index_path, "w") as f:
    json.dump(index, f, indent=1)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
print("oci:%s:%s %s" % (out, tag, manifest["digest"]))
PY
