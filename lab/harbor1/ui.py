#!/usr/bin/python3
"""Stands in for Harbor's ui (vmware/harbor-ui:v1.4.0 / v1.5.4; "core" in later Harbor).

Start-up follows goharbor/harbor src/ui/main.go (v1.4.0 and v1.5.4), each failure as Harbor words it:
 1. app.conf from CONFIG_PATH (controllers/base.go init) -- fatal "Failed to load config file: ...";
 2. config.Init: TestTCPConn to the adminserver (60 s), then its settings -- fatal
    "failed to initialize configurations: ...";
 3. dao.InitDatabase with the database settings the adminserver holds: TestTCPConn, login, and
    the schema check -- fatal "failed to initialize database: unexpected database schema
    version, expected 1.4.0, got ...";
 4. with_clair: TestTCPConn to the Clair PostgreSQL -- fatal "failed to initialize clair database";
 5. updateInitPassword: while the admin (user 1) has no salt, its password becomes
    admin_initial_password (HARBOR_ADMIN_PASSWORD at first boot), hashed with PBKDF2;
 6. SyncRegistry (errors are only logged), proxy.Init;
 7. beego.Run: the Redis session provider from _REDIS_URL ("host:port[,pool,password,db]")
    dials, AUTHs and SELECTs once -- on failure Go panics ("panic: dial tcp ...", exit 2);
 8. listen on httpport (8080) -- here on $LAB_SERVICE_ADDR.
Routes: see UIHandler.routes; each handler names the Harbor file it follows. The token key is
read with libtrust's rules on every token (standinlib/token.py), as Harbor does: a key libtrust
refuses does not stop the ui, it makes every /service/token answer 500.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib import appconf, log, redis, release as rel  # noqa: E402
from standinlib.adminclient import Client, Manager  # noqa: E402
from standinlib.httpserver import Server  # noqa: E402
from standinlib.mysql import database_from_cfg  # noqa: E402
from standinlib.net import test_tcp_conn  # noqa: E402
from standinlib.settings import Settings  # noqa: E402
from standinlib.uidao import Dao  # noqa: E402
from standinlib.uihandler import UIHandler, State  # noqa: E402
from standinlib.uiregistry import RegistryClient, sync_registry  # noqa: E402

ADMIN_USER_ID = 1


def update_init_password(dao, password):
    """main.go updateInitPassword (L48-72)."""
    user = dao.get_user(user_id=ADMIN_USER_ID)
    if user is None:
        raise RuntimeError("user id: %d does not exist" % ADMIN_USER_ID)
    if not user["salt"]:
        dao.change_password(ADMIN_USER_ID, password)
        log.info("User id: %d updated its encypted password successfully." % ADMIN_USER_ID, at="main.go:67")
    else:
        log.info("User id: %d already has its encrypted password." % ADMIN_USER_ID, at="main.go:69")


def check_redis_session(conf):
    """beego session/redis SessionInit: one pooled connection, AUTH if a password, SELECT db."""
    addr, password, db = redis.parse_beego(conf)
    try:
        redis.Client(addr, password, db, timeout=10).close()
    except Exception as e:
        log.panic(str(e), "github.com/vmware/harbor/vendor/github.com/astaxie/beego.initBeforeHTTPRun()\n"
                          "\t/go/src/github.com/vmware/harbor/src/vendor/github.com/astaxie/beego/beego.go:80\n"
                          "main.main()\n\t/go/src/github.com/vmware/harbor/src/ui/main.go:155")


def main():
    release = rel.current()
    settings = Settings(release)
    conf = appconf.load("base.go:248")
    redis_url = os.environ.get("_REDIS_URL", "")

    log.info("initializing configurations...", at="main.go:84")
    log.info("key path: %s" % (os.environ.get("KEY_PATH") or "/etc/ui/key"), at="config.go:111")
    admin_url = os.environ.get("ADMINSERVER_URL") or ("http://adminserver:8080" if release.is_15 else "http://adminserver")
    log.info("initializing client for adminserver %s ..." % admin_url, at="config.go:77")
    client = Client(admin_url, os.environ.get("UI_SECRET", ""), release)
    try:
        try:
            client.ping()
        except Exception as e:
            raise RuntimeError("failed to ping adminserver: %s" % e)
        manager = Manager(client)
        cfg = manager.load()
    except Exception as e:
        log.fatal("failed to initialize configurations: %s" % e, at="main.go:86")
    log.info("configurations initialization completed", at="main.go:88")

    try:
        db = database_from_cfg(cfg, release)
    except Exception as e:
        log.fatal("failed to initialize database: %s" % e, at="main.go:95")
    if cfg.get("with_clair"):
        try:
            test_tcp_conn("%s:%d" % (cfg.get("clair_db_host", ""), int(cfg.get("clair_db_port") or 0)))
            log.info("initialized clair database", at="base.go:58")
        except Exception as e:
            log.fatal("failed to initialize clair database: %s" % e, at="main.go:103")
    dao = Dao(db, release)
    try:
        update_init_password(dao, cfg.get("admin_initial_password", ""))
    except Exception as e:
        log.error(str(e), at="main.go:112")

    registry_url = cfg.get("registry_url") or "http://registry:5000"
    registry = RegistryClient(registry_url, int(cfg.get("token_expiration") or 30))
    try:
        sync_registry(dao, registry, registry_url)
    except Exception as e:
        log.error(str(e), at="main.go:150")
    log.info("Init proxy", at="main.go:152")

    if redis_url:
        check_redis_session(redis_url)
    port = int(conf.get("httpport") or 8080)
    addr = os.environ.get("LAB_SERVICE_ADDR", "0.0.0.0")
    UIHandler.state = State(release, settings, manager, dao, registry_url)
    server = Server((addr, port), UIHandler)
    log.info("http server Running on http://%s:%d" % (addr, port), at="app.go:181")
    server.serve_forever()


if __name__ == "__main__":
    main()
