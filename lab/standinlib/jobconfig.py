"""Harbor 1.5's jobservice configuration: src/jobservice/config/config.go (v1.5.4).

Load: the YAML file, then env overrides (JOB_SERVICE_PROTOCOL, _PORT, _HTTPS_CERT/_KEY,
_POOL_BACKEND, _POOL_WORKERS, _POOL_REDIS_URL, _POOL_REDIS_NAMESPACE, _LOGGER_BASE_PATH,
_LOGGER_LEVEL, _LOGGER_ARCHIVE_PERIOD, ADMINSERVER_URL), then redis_url translation: a value
Go's url.Parse rejects goes through TranslateRedisAddress ("host:port,weight,password,db"),
one it accepts without "redis://" gets the prefix; then validate() with Harbor's messages.
"""
import os
import re

import yaml

from .redis import translate_comma_form


class ConfigError(Exception):
    pass


def go_url_parse_error(raw):
    """The error Go's url.Parse gives for `raw` (the cases a redis_url can meet), or None."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", raw)
    if raw.startswith(":"):
        return "missing protocol scheme"
    if not m:
        first = raw.split("/", 1)[0]
        return "first path segment in URL cannot contain colon" if ":" in first else None
    rest = raw[m.end():]
    if rest.startswith("//"):
        authority = rest[2:].split("/", 1)[0].rpartition("@")[2]
        host, sep, port = authority.rpartition(":") if not authority.endswith("]") else (authority, "", "")
        if sep and port and not port.isdigit():
            return 'invalid port ":%s" after host' % port
    return None


def _env(name):
    return os.environ.get(name, "").strip()


def load(path):
    try:
        with open(path) as f:
            c = yaml.safe_load(f) or {}
    except OSError as e:
        raise ConfigError("open %s: %s" % (path, (e.strerror or "").lower()))
    except yaml.YAMLError as e:
        raise ConfigError("yaml: %s" % e)
    pool = c.get("worker_pool")
    logger = c.get("logger")
    if _env("JOB_SERVICE_PROTOCOL"):
        c["protocol"] = _env("JOB_SERVICE_PROTOCOL")
    if _env("JOB_SERVICE_PORT").isdigit():
        c["port"] = int(_env("JOB_SERVICE_PORT"))
    if c.get("protocol") == "https":
        https = c.setdefault("https_config", {}) or {}
        for env, key in (("JOB_SERVICE_HTTPS_CERT", "cert"), ("JOB_SERVICE_HTTPS_KEY", "key")):
            if _env(env):
                https[key] = _env(env)
        c["https_config"] = https
    if _env("JOB_SERVICE_POOL_BACKEND"):
        pool = c["worker_pool"] = pool or {}
        pool["backend"] = _env("JOB_SERVICE_POOL_BACKEND")
    if _env("JOB_SERVICE_POOL_WORKERS").isdigit():
        pool = c["worker_pool"] = pool or {}
        pool["workers"] = int(_env("JOB_SERVICE_POOL_WORKERS"))
    if pool and pool.get("backend") == "redis":
        for env, key in (("JOB_SERVICE_POOL_REDIS_URL", "redis_url"), ("JOB_SERVICE_POOL_REDIS_NAMESPACE", "namespace")):
            if _env(env):
                pool.setdefault("redis_pool", {})[key] = _env(env)
    for env, key in (("JOB_SERVICE_LOGGER_BASE_PATH", "path"), ("JOB_SERVICE_LOGGER_LEVEL", "level"),
                     ("JOB_SERVICE_LOGGER_ARCHIVE_PERIOD", "archive_period")):
        if _env(env):
            logger = c["logger"] = logger or {}
            logger[key] = int(_env(env)) if key == "archive_period" and _env(env).isdigit() else _env(env)
    if _env("ADMINSERVER_URL"):
        c["admin_server"] = _env("ADMINSERVER_URL")

    rp = (pool or {}).get("redis_pool") or {}
    addr = str(rp.get("redis_url") or "")
    if addr:
        if go_url_parse_error(addr):
            translated = translate_comma_form(addr)
            if translated:
                rp["redis_url"] = translated
        elif not addr.startswith("redis://"):
            rp["redis_url"] = "redis://" + addr
    validate(c)
    return c


def validate(c):
    proto = c.get("protocol")
    if proto not in ("http", "https"):
        raise ConfigError("protocol should be http or https, but current setting is %s" % (proto or ""))
    port = c.get("port") or 0
    if not isinstance(port, int) or not 0 < port <= 65535:
        raise ConfigError("port number should be a none zero integer and less or equal 65535, but current is %s" % port)
    if proto == "https":
        h = c.get("https_config") or {}
        if not h:
            raise ConfigError("certificate must be configured if serve with protocol https")
        if not (h.get("cert") and os.path.isfile(h["cert"]) and h.get("key") and os.path.isfile(h["key"])):
            raise ConfigError("certificate for protocol https is not correctly configured")
    pool = c.get("worker_pool")
    if not pool:
        raise ConfigError("no worker pool is configured")
    if pool.get("backend") != "redis":
        raise ConfigError("worker pool backend %s does not support" % (pool.get("backend") or ""))
    rp = pool.get("redis_pool")
    if not rp:
        raise ConfigError("redis pool must be configured when backend is set to 'redis'")
    url = str(rp.get("redis_url") or "")
    if not url:
        raise ConfigError("URL of redis pool is empty")
    if not url.startswith("redis://"):
        raise ConfigError("Invalid redis URL")
    err = go_url_parse_error(url)
    if err:
        raise ConfigError("Invalid redis URL: parse %s: %s" % (url, err))
    if not rp.get("namespace"):
        raise ConfigError("namespace of redis pool is required")
    logger = c.get("logger")
    if not logger:
        raise ConfigError("missing logger config")
    if not os.path.isdir(str(logger.get("path") or "")):
        raise ConfigError("logger path should be an existing dir")
    if str(logger.get("level") or "") not in "DEBUG,INFO,WARNING,ERROR,FATAL":
        raise ConfigError("logger level can only be one of: DEBUG,INFO,WARNING,ERROR,FATAL")
    if not logger.get("archive_period"):
        raise ConfigError("logger archive period should be greater than 0")
