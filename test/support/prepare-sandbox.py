# -*- coding: utf-8 -*-
# Runs Harbor 1.x's own `prepare` (Python 2) unchanged, with its fixed /data paths
# (secretkey_path, ssl_cert, /data/ca_download/ca.crt) redirected into a test folder, so that
# a unit test can run the real script without touching this machine's /data.
#
#   PREPARE_SANDBOX_DATA=/tmp/x/data python prepare-sandbox.py /tmp/x/harbor/prepare --ha --yes
#
# Only the file system calls prepare and shutil make are redirected; everything else is
# Harbor's code as shipped.
import __builtin__
import io
import os
import sys

DATA = os.environ["PREPARE_SANDBOX_DATA"]


def remap(path):
    if isinstance(path, basestring) and (path == "/data" or path.startswith("/data/")):
        return DATA + path[len("/data"):]
    return path


def redirected(fn):
    def call(path, *args, **kwargs):
        return fn(remap(path), *args, **kwargs)
    return call


for name in ("stat", "lstat", "chmod", "utime", "mkdir", "remove", "unlink", "listdir", "access"):
    setattr(os, name, redirected(getattr(os, name)))
__builtin__.open = redirected(__builtin__.open)
io.open = redirected(io.open)

prepare = os.path.abspath(sys.argv[1])
sys.argv = [prepare] + sys.argv[2:]
execfile(prepare, {"__file__": prepare, "__name__": "__main__"})
