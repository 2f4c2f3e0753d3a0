"""The adminserver's configuration store and its start-up rule, as goharbor/harbor
src/adminserver/systemcfg/ (v1.4.0 and v1.5.4) has them:

- store/database/driver_db.go: one row per key in the `properties` table (k, v): Read types
  the values back (numKeys -> numbers, boolKeys -> strconv.ParseBool, scan_all_policy -> JSON),
  Write upserts exactly the keys it is given (TranslateConfig: bool "true"/"false", numbers as
  integers, maps as JSON; anything else "unknown type").
- store/json/driver_json.go: one JSON file, Write merges (used when CFG_DRIVER=json).
- store/encrypt/driver.go: the `attrs` keys are encrypted with the key file on Write and
  decrypted on Read (secrets.py), the key being read from KEY_PATH on every use.
- systemcfg.go Init/LoadFromEnv/validLdapScope/AddMissedKey: which settings come from env at
  start (see settings.py and /tmp/harbor-settings-1x.md for the lists).
"""
import json
import os
import re
import threading

from . import log, secrets
from .settings import BOOL, DB_MAP_KEYS, DB_NUM_KEYS, DEFAULTS_15, ENCRYPTED, INT

JSON_PATH = "/etc/adminserver/config/config.json"
KEY_PATH = "/etc/adminserver/key"


class StoreError(Exception):
    pass


def _parse_bool_go(s):
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if s in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise StoreError('strconv.ParseBool: parsing "%s": invalid syntax' % s)


def _atoi_go(s):
    if not re.fullmatch(r"[+-]?\d+", s):
        raise StoreError('strconv.Atoi: parsing "%s": invalid syntax' % s)
    return int(s)


def to_db_value(v):
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v))
    if isinstance(v, dict):
        return json.dumps(v, separators=(",", ":"), sort_keys=True)
    raise StoreError("unknown type %s" % ("<nil>" if v is None else v))


class DBStore:
    def __init__(self, db, settings):
        self.db, self.bool_keys = db, settings.db_bool_keys

    def read(self):
        rows = self.db.query("select k, v from properties")
        if not rows:
            return None
        cfg = {}
        for r in rows:
            k, v = r["k"], r["v"]
            if k in DB_NUM_KEYS:
                cfg[k] = _atoi_go(v)
            elif k in self.bool_keys:
                cfg[k] = _parse_bool_go(v)
            elif k in DB_MAP_KEYS:
                try:
                    cfg[k] = json.loads(v)
                except ValueError as e:
                    raise StoreError(str(e))
            else:
                cfg[k] = v
        return cfg

    def write(self, cfg):
        # dao.SaveConfigEntries: ReadOrCreate on k, then update v, key by key.
        for k, v in cfg.items():
            self.db.execute("insert into properties (k, v) values (%s, %s) on duplicate key update v = values(v)",
                            (k, to_db_value(v)))


class JSONStore:
    def __init__(self, path):
        self.path, self.lock = path, threading.Lock()
        if not os.path.exists(path):
            log.info("the configuration file %s does not exist, creating it..." % path, at="driver_json.go:47")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()

    def _read(self):
        with open(self.path) as f:
            data = f.read()
        return json.loads(data) if data else None

    def read(self):
        with self.lock:
            return self._read()

    def write(self, cfg):
        with self.lock:
            cur = self._read() or {}
            cur.update(cfg)
            with open(self.path, "w") as f:
                f.write(json.dumps(cur, indent=2))


class EncryptStore:
    def __init__(self, inner, key_path):
        self.inner, self.key_path = inner, key_path

    def _key(self):
        try:
            return secrets.read_key(self.key_path)
        except OSError as e:
            raise StoreError("open %s: %s" % (self.key_path, (e.strerror or str(e)).lower()))

    def read(self):
        cfg = self.inner.read()
        if cfg is None:
            return None
        for k in ENCRYPTED:
            if isinstance(cfg.get(k), str):
                try:
                    cfg[k] = secrets.decrypt(cfg[k], self._key())
                except secrets.KeyError_ as e:
                    raise StoreError(str(e))
            elif k in cfg:
                log.warning("the value of %s is not string, skip decrypt" % k, at="driver.go:63")
        return cfg

    def write(self, cfg):
        cfg = dict(cfg)
        for k in ENCRYPTED:
            if isinstance(cfg.get(k), str):
                try:
                    cfg[k] = secrets.encrypt(cfg[k], self._key())
                except secrets.KeyError_ as e:
                    raise StoreError(str(e))
        self.inner.write(cfg)


def _parse_env(name, kind):
    raw = os.environ.get(name, "")
    if kind == INT:
        return 0 if raw == "" else _atoi_go(raw)
    if kind == BOOL:
        return raw.lower() in ("true", "on")
    return raw


def valid_ldap_scope(cfg, migrate=False):
    scope = cfg.get("ldap_scope")
    scope = int(scope) if isinstance(scope, (int, float)) and not isinstance(scope, bool) else 0
    if migrate and 0 < scope < 3:
        scope -= 1
    cfg["ldap_scope"] = min(max(scope, 0), 2)


def load_from_env(cfg, load_all, settings, release):
    """LoadFromEnv: all keys, or repeatLoadEnvs + the keys missing from cfg."""
    if load_all:
        keys = list(settings.all_envs)
    else:
        keys = list(settings.repeat_envs) + [k for k in settings.all_envs if k not in cfg]
    skip = None
    if release.is_15:  # SKIP_RELOAD_ENV_PATTERN applies to full reloads only (v1.5.4 L361-376)
        pattern = os.environ.get("SKIP_RELOAD_ENV_PATTERN", "").strip() or "$^"
        try:
            skip = re.compile(pattern)
        except re.error:
            log.error("Regular express parse error, skipPattern:%s" % pattern, at="systemcfg.go:368")
            skip = re.compile("$^")
    for k in keys:
        env, kind = settings.all_envs[k]
        if load_all and skip is not None and skip.search(env):
            continue
        cfg[k] = _parse_env(env, kind)
    valid_ldap_scope(cfg)


def add_missed_keys(cfg):
    """AddMissedKey (1.5): defaults for the API keys absent from the store."""
    for k, v in DEFAULTS_15.items():
        cfg.setdefault(k, v)
