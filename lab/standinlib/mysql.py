"""The registry database (MariaDB), as Harbor 1.x's src/common/dao opens it.

init_database follows dao.InitDatabase + mysql.Register (base.go, mysql.go at v1.4.0/v1.5.4):
TestTCPConn to host:port (60 s), register (beego pings: "register db Ping `default`, Error N:
..."), then the schema check of version.go: `select version_num from alembic_version` must be
the release's SchemaVersion, else "unexpected database schema version, expected X, got Y".
"""
import threading

import pymysql

POOL_MAX = 8  # idle connections kept (Harbor's beego orm keeps a database/sql pool too)

from . import log
from .net import test_tcp_conn


class DBError(Exception):
    pass


def _go_error(e):
    # go-sql-driver/mysql words server errors as "Error 1045: Access denied ...".
    if isinstance(e, pymysql.err.MySQLError) and len(e.args) == 2 and isinstance(e.args[0], int):
        return "Error %d: %s" % e.args
    return str(e)


class Database:
    def __init__(self, host, port, user, password, database):
        self.params = dict(host=host, port=int(port), user=user, password=password,
                           database=database, charset="utf8", autocommit=True, connect_timeout=10)
        self.idle, self.lock = [], threading.Lock()

    def describe(self):
        p = self.params
        return "type-MySQL host-%s port-%s user-%s database-%s" % (p["host"], p["port"], p["user"], p["database"])

    def _conn(self):
        with self.lock:
            c = self.idle.pop() if self.idle else None
        if c is None:
            return pymysql.connect(**self.params)
        c.ping(reconnect=True)
        return c

    def _release(self, c):
        with self.lock:
            if len(self.idle) < POOL_MAX:
                self.idle.append(c)
                return
        c.close()

    def _run(self, fn):
        c = None
        try:
            c = self._conn()
            out = fn(c)
        except pymysql.err.MySQLError as e:
            if c is not None:
                try:
                    c.close()
                except Exception:
                    pass
            raise DBError(_go_error(e))
        self._release(c)
        return out

    def query(self, sql, args=()):
        """Rows as dicts."""
        def fn(c):
            with c.cursor(pymysql.cursors.DictCursor) as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        return self._run(fn)

    def execute(self, sql, args=()):
        """The number of rows changed, and the last insert id."""
        def fn(c):
            with c.cursor() as cur:
                n = cur.execute(sql, args)
                return n, cur.lastrowid
        return self._run(fn)


def init_database(host, port, user, password, database, release):
    """Harbor's dao.InitDatabase for DATABASE_TYPE mysql. Raises DBError with Harbor's message."""
    db = Database(host, port, user, password, database)
    log.info("initializing database: %s" % db.describe(), at="base.go:61")
    try:
        test_tcp_conn("%s:%s" % (host, port))
    except Exception as e:
        raise DBError(str(e))
    try:
        db._release(db._conn())
    except pymysql.err.MySQLError as e:
        raise DBError("register db Ping `default`, %s" % _go_error(e))
    rows = db.query("select version_num from alembic_version")
    if not rows:
        raise DBError("<QuerySeter> no row found")
    got = rows[0]["version_num"]
    if got != release.schema_version:
        raise DBError("unexpected database schema version, expected %s, got %s" % (release.schema_version, got))
    log.info("initialize database completed", at="base.go:75")
    return db


def database_from_cfg(cfg, release):
    """models.Database from the adminserver's settings (ui/config/config.go Database())."""
    if cfg.get("database_type") not in ("", "mysql", None):
        raise DBError("invalid database: %s" % cfg.get("database_type"))
    return init_database(cfg.get("mysql_host", ""), int(cfg.get("mysql_port") or 0),
                         cfg.get("mysql_username", ""), cfg.get("mysql_password", ""),
                         cfg.get("mysql_database", ""), release)
