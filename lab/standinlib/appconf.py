"""beego's app.conf (ini) as Harbor 1.x's ui and 1.4 jobservice read it.

Both load CONFIG_PATH at start (src/ui/controllers/base.go init(), src/jobservice/main.go
init(), v1.4.0) and die with "Failed to load config file: PATH, error: ..." when they cannot.
beego resolves a key in the section named by `runmode` first, then at the top level; keys are
case-insensitive. Harbor's templates set runmode = dev and [dev] httpport = 8080.
"""
import os

from . import log


def load(at, default_port=8080):
    """The settings of CONFIG_PATH (or {} when it is unset), exiting as Harbor does on errors."""
    path = os.environ.get("CONFIG_PATH", "")
    if not path:
        return {"httpport": str(default_port)}
    log.info("Config path: %s" % path, at=at)
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        log.fatal("Failed to load config file: %s, error: open %s: %s" % (path, path, (e.strerror or "").lower()),
                  at=at)
    top, sections, current = {}, {}, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip().lower(), {})
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        (current if current is not None else top)[key.strip().lower()] = value.strip().strip('"')
    merged = dict(top)
    merged.update(sections.get(top.get("runmode", "dev").lower(), {}))
    merged.setdefault("httpport", str(default_port))
    return merged
