#!/usr/bin/python3
"""Stands in for Harbor's adminserver (vmware/harbor-adminserver:v1.4.0 / v1.5.4).

Follows goharbor/harbor src/adminserver/ at v1.4.0 and v1.5.4:
- main.go: systemcfg.Init() (fatal "failed to initialize the system: ..."), then serve on PORT.
- systemcfg/systemcfg.go Init (standinlib/cfgstore.py): the store is the `properties` table of
  the registry database (CFG_DRIVER unset = "db"), reached with the MYSQL_* env values and the
  schema version checked (dao.InitDatabase); an empty table is first filled from the JSON file
  if there is one (migration), then
    1.4: table empty, or RESET=true -> every setting from env; else repeatLoadEnvs + missing keys;
    1.5: table empty, or RESET=true and RELOAD_KEY != stored reload_key -> every setting from env
         but those matching SKIP_RELOAD_ENV_PATTERN; else repeatLoadEnvs + missing keys;
         then AddMissedKey;
  and everything is written back. Password-like keys are encrypted with /etc/adminserver/key.
- handlers/handler.go, auth/auth.go: every request needs the UI_SECRET or JOBSERVICE_SECRET
  (1.4: cookie `secret`; 1.5: `Authorization: Harbor-Secret S`, /api/ping excepted), else 401.
- api/cfg.go, api/systeminfo.go, api/monitor.go (1.5): the routes below. The store is read on
  every GET, so a change written by any node's adminserver is seen by all at once.
"""
import json
import os
import sys
from http.cookies import CookieError, SimpleCookie

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib import cfgstore, log, release as rel  # noqa: E402
from standinlib.httpserver import Handler, Server  # noqa: E402
from standinlib.mysql import DBError, init_database  # noqa: E402
from standinlib.secrets import printable  # noqa: E402
from standinlib.settings import Settings  # noqa: E402

RELEASE = rel.current()
SETTINGS = Settings(RELEASE)
STORE = None


def init_store():
    """initCfgStore + Init of systemcfg.go. Raises with Harbor's error text."""
    driver = os.environ.get("CFG_DRIVER") or "db"
    path = os.environ.get("JSON_CFG_STORE_PATH") or cfgstore.JSON_PATH
    log.info("the path of json configuration storage: %s" % path, at="systemcfg.go:245")
    if driver == "db":
        env = {}
        cfgstore.load_from_env(env, True, SETTINGS, RELEASE)
        if env.get("database_type") not in ("", "mysql"):
            raise DBError("invalid database: %s" % env.get("database_type"))
        db = init_database(env.get("mysql_host", ""), env.get("mysql_port", 0), env.get("mysql_username", ""),
                           env.get("mysql_password", ""), env.get("mysql_database", ""), RELEASE)
        inner = cfgstore.DBStore(db, SETTINGS)
        if not inner.read() and os.path.exists(path):
            old = cfgstore.JSONStore(path).read() or {}
            cfgstore.valid_ldap_scope(old, migrate=True)
            inner.write(old)
    else:
        inner = cfgstore.JSONStore(path)
    key_path = os.environ.get("KEY_PATH") or cfgstore.KEY_PATH
    log.info("the path of key used by key provider: %s" % key_path, at="systemcfg.go:300")
    store = cfgstore.EncryptStore(inner, key_path)

    if RELEASE.is_15:
        cfg = store.read()
        load_all = cfg is None or (os.environ.get("RESET", "").lower() == "true"
                                   and os.environ.get("RELOAD_KEY", "") != cfg.get("reload_key"))
        cfg = cfg or {}
        cfgstore.load_from_env(cfg, load_all, SETTINGS, RELEASE)
        cfgstore.add_missed_keys(cfg)
    else:
        load_all, cfg = False, None
        if os.environ.get("RESET") == "true":
            log.info("RESET is set, will load all configurations from environment variables", at="systemcfg.go:215")
            load_all = True
        else:
            try:
                cfg = store.read()
            except Exception:
                cfg = None  # 1.4 ignores the read error here and reloads everything from env
            if cfg is None:
                log.info("configurations read from storage driver are null, will load them from "
                         "environment variables", at="systemcfg.go:222")
                load_all = True
        cfg = cfg or {}
        cfgstore.load_from_env(cfg, load_all, SETTINGS, RELEASE)
    store.write(cfg)
    return store


class AdminHandler(Handler):
    method_mismatch = 404
    routes = [
        ("GET", r"/api/configurations", "list_cfgs"),
        ("PUT", r"/api/configurations", "update_cfgs"),
        ("POST", r"/api/configurations/reset", "reset_cfgs"),
        ("GET", r"/api/systeminfo/capacity", "capacity"),
    ] + ([("GET", r"/api/ping", "ping")] if RELEASE.is_15 else [])

    def _request_secret(self):
        if RELEASE.is_15:  # common/secret/request.go FromRequest
            auth = self.headers.get("Authorization", "")
            return auth[len("Harbor-Secret "):] if auth.startswith("Harbor-Secret ") else ""
        try:
            c = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            return None
        return c["secret"].value if "secret" in c else None

    def _dispatch(self):
        if RELEASE.is_15 and self.path.partition("?")[0] == "/api/ping":
            return super()._dispatch()
        secret = self._request_secret()
        if secret is None or secret not in (os.environ.get("UI_SECRET", ""), os.environ.get("JOBSERVICE_SECRET", "")):
            self._body_read = False
            self._drain()
            return self.http_error(401)
        super()._dispatch()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def list_cfgs(self):
        try:
            cfg = STORE.read() or {}
        except Exception as e:
            log.error("failed to get system configurations: %s" % e, at="cfg.go:29")
            return self.http_error(500)
        if RELEASE.is_15:
            cfgstore.add_missed_keys(cfg)
        self.reply_json({k: printable(v) for k, v in cfg.items()})

    def update_cfgs(self):
        try:
            m = json.loads(self.body() or b"null")
            if not isinstance(m, dict):
                raise ValueError("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                                 % type(m).__name__)
        except ValueError as e:
            return self.http_error(400, str(e))
        try:
            STORE.write(m)
        except Exception as e:
            log.error("failed to update system configurations: %s" % e, at="cfg.go:53")
            return self.http_error(500)
        self.reply(200)

    def reset_cfgs(self):
        cfg = {}
        try:
            cfgstore.load_from_env(cfg, True, SETTINGS, RELEASE)
            STORE.write(cfg)
        except Exception as e:
            log.error("failed to reset system configurations: %s" % e, at="cfg.go:63")
            return self.http_error(500)
        self.reply(200)

    def capacity(self):
        path = os.environ.get("IMAGE_STORE_PATH") or "/data"  # systeminfo/systeminfo.go
        try:
            st = os.statvfs(path)
        except OSError as e:
            log.error("failed to get capacity: %s" % e, at="systeminfo.go:27")
            return self.http_error(500)
        self.reply_json({"total": st.f_blocks * st.f_frsize, "free": st.f_bavail * st.f_frsize})

    def ping(self):
        self.reply_json("Pong")

    def not_found(self):
        self.http_error(404, "404 page not found")


def main():
    global STORE
    log.info("initializing system configurations...", at="main.go:45")
    try:
        STORE = init_store()
    except Exception as e:
        log.fatal("failed to initialize the system: %s" % e, at="main.go:47")
    log.info("system initialization completed", at="main.go:49")
    port = int(os.environ.get("PORT") or 80)
    server = Server((os.environ.get("LAB_SERVICE_ADDR", "0.0.0.0"), port), AdminHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
