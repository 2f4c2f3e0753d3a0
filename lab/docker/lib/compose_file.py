"""Reads docker-compose files as docker-compose 1.x does (the version Harbor 1.4/1.5 use).

Only what Harbor's compose files need, done the way compose does it:
- several `-f` files: services merged by name (scalars replaced; environment, labels
  and depends_on merged as mappings; volumes merged by container path; ports union;
  env_file and dns lists concatenated; networks merged by name with their aliases);
  top-level networks merged by name;
- `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$` interpolated from the
  caller's environment;
- relative host paths are relative to the first file's folder (the project directory);
- env_file lines are `KEY=VALUE` (no quote handling, as in compose 1.x), `#` comments.
Nothing here starts anything: see containers.py.
"""
import os
import re

import yaml


class ComposeError(Exception):
    """A problem in the compose files; docker-compose prints it as `ERROR: ...`."""


_VAR = re.compile(r"\$(?:(?P<esc>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, env, where):
    if isinstance(value, dict):
        return {k: interpolate(v, env, "%s.%s" % (where, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, where) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m):
        if m.group("esc"):
            return "$"
        if m.group("named"):
            return env.get(m.group("named"), "")
        expr = m.group("braced")
        for sep in (":-", "-", ":?", "?"):
            if sep in expr:
                name, alt = expr.split(sep, 1)
                got = env.get(name)
                empty = got is None or (sep.startswith(":") and got == "")
                if "?" in sep and empty:
                    raise ComposeError("%s: %s is required: %s" % (where, name, alt))
                return alt if empty else got
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expr):
            raise ComposeError("%s: invalid interpolation format '${%s}'" % (where, expr))
        return env.get(expr, "")

    return _VAR.sub(sub, value)


def _as_list(v):
    if v is None:
        return []
    return list(v) if isinstance(v, list) else [v]


def parse_environment(v):
    """`environment` as a dict; list items `K=V` or `K` (None: taken from the caller)."""
    if isinstance(v, dict):
        return {str(k): (None if val is None else str(val)) for k, val in v.items()}
    out = {}
    for item in _as_list(v):
        k, sep, val = str(item).partition("=")
        out[k] = val if sep else None
    return out


def parse_networks(v):
    """`networks` as {name: {"aliases": [...]}}."""
    if isinstance(v, dict):
        return {k: {"aliases": list((c or {}).get("aliases") or [])} for k, c in v.items()}
    return {name: {"aliases": []} for name in _as_list(v)}


def parse_depends_on(v):
    return list(v.keys()) if isinstance(v, dict) else _as_list(v)


def split_volume(spec):
    """'HOST:CONTAINER[:MODE]' -> (host, container, mode); a bare path is an anonymous volume."""
    if isinstance(spec, dict):  # long syntax (file format 3.2+)
        return spec.get("source"), spec["target"], "ro" if spec.get("read_only") else ""
    parts = str(spec).split(":")
    if len(parts) == 1:
        return None, parts[0], ""
    return parts[0], parts[1], ":".join(parts[2:])


def _unique(items):
    out = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def merge_service(base, over):
    out = dict(base)
    for key, val in over.items():
        if key == "environment":
            out[key] = {**parse_environment(base.get(key)), **parse_environment(val)}
        elif key == "labels":
            out[key] = {**parse_environment(base.get(key)), **parse_environment(val)}
        elif key == "depends_on":
            out[key] = _unique(parse_depends_on(base.get(key)) + parse_depends_on(val))
        elif key == "volumes":
            merged = {split_volume(v)[1]: v for v in _as_list(base.get(key))}
            merged.update({split_volume(v)[1]: v for v in _as_list(val)})
            out[key] = list(merged.values())
        elif key in ("ports", "expose", "cap_add", "cap_drop", "external_links"):
            out[key] = _unique(_as_list(base.get(key)) + _as_list(val))
        elif key in ("env_file", "dns", "dns_search", "tmpfs"):
            out[key] = _as_list(base.get(key)) + _as_list(val)
        elif key == "networks":
            nets = parse_networks(base.get(key))
            for name, cfg in parse_networks(val).items():
                prev = nets.get(name, {"aliases": []})
                nets[name] = {"aliases": _unique(prev["aliases"] + cfg["aliases"])}
            out[key] = nets
        elif key == "logging":
            prev = base.get(key) or {}
            if val.get("driver") in (None, prev.get("driver")):
                out[key] = {**prev, **val, "options": {**(prev.get("options") or {}), **(val.get("options") or {})}}
            else:
                out[key] = val
        else:
            out[key] = val
    return out


def load_file(path, env):
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except FileNotFoundError:
        raise ComposeError(".FileNotFoundError: [Errno 2] No such file or directory: '%s'" % path)
    except yaml.YAMLError as e:
        raise ComposeError("yaml.parser.ParserError in %s: %s" % (path, e))
    if not isinstance(doc, dict):
        raise ComposeError("Top level object in '%s' needs to be an object not '%s'." % (path, type(doc).__name__))
    # No `version` at all: the Compose Specification (what Harbor 2.x's prepare writes). A file
    # with only `version: "1"`-style top-level services is not read.
    version = str(doc.get("version", "spec" if "services" in doc else "1"))
    if not re.match(r"^([23](\.\d+)?|spec)$", version):
        raise ComposeError("Version in \"%s\" is unsupported by this lab shim (it reads file formats 2.x and 3.x, and the Compose Specification)." % path)
    return interpolate(doc, env, os.path.basename(path))


class Project:
    """The merged configuration: name, directory, services (in file order) and networks."""

    def __init__(self, files, name=None, env=None):
        env = dict(os.environ if env is None else env)
        self.files = [os.path.abspath(f) for f in files]
        self.directory = os.path.dirname(self.files[0])
        raw = name or env.get("COMPOSE_PROJECT_NAME") or os.path.basename(self.directory)
        self.name = re.sub(r"[^-_a-z0-9]", "", raw.lower())
        self.services = {}
        self.networks = {}
        for path in self.files:
            doc = load_file(path, env)
            for sname, sdef in (doc.get("services") or {}).items():
                sdef = sdef or {}
                self.services[sname] = merge_service(self.services.get(sname, {}), sdef)
            for nname, ndef in (doc.get("networks") or {}).items():
                self.networks[nname] = {**self.networks.get(nname, {}), **(ndef or {})}
        for sname, sdef in self.services.items():
            for dep in parse_depends_on(sdef.get("depends_on")):
                if dep not in self.services:
                    raise ComposeError("Service '%s' depends on service '%s' which is undefined." % (sname, dep))
        self.env = env

    def start_order(self):
        """Services sorted so every service comes after what it depends on (file order otherwise)."""
        done, order, visiting = set(), [], set()

        def visit(name):
            if name in done:
                return
            if name in visiting:
                raise ComposeError("Circular dependency between %s" % " and ".join(sorted(visiting)))
            visiting.add(name)
            for dep in parse_depends_on(self.services[name].get("depends_on")):
                visit(dep)
            visiting.discard(name)
            done.add(name)
            order.append(name)

        for name in self.services:
            visit(name)
        return order

    def host_path(self, path):
        """A volume's host side: ~ expanded, relative paths against the project directory."""
        path = os.path.expanduser(path)
        return os.path.normpath(os.path.join(self.directory, path))

    def container_name(self, service):
        return self.services[service].get("container_name") or "%s_%s_1" % (self.name, service)

    def names_of(self, service):
        """Every name the service answers to: service name, container name, network aliases."""
        sdef = self.services[service]
        names = [service, self.container_name(service)]
        for cfg in parse_networks(sdef.get("networks")).values():
            names += cfg["aliases"]
        return _unique(names)

    def env_of(self, service):
        """The container's environment from env_file then environment, as compose builds it."""
        sdef = self.services[service]
        out = {}
        for f in _as_list(sdef.get("env_file")):
            out.update(read_env_file(self.host_path(f), self.env))
        for k, v in parse_environment(sdef.get("environment")).items():
            if v is None:
                if k in self.env:
                    out[k] = self.env[k]
            else:
                out[k] = v
        return out


def read_env_file(path, caller_env):
    out = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise ComposeError("Couldn't find env file: %s (%s)" % (path, e.strerror))
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        k, sep, v = line.partition("=")
        if sep:
            out[k] = v
        elif k in caller_env:
            out[k] = caller_env[k]
    return out
