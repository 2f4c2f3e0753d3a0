"""golang-migrate v4.19.1 as Harbor 2.x's core runs it (src/common/dao/pgsql.go: migrate.New with
the `file://migrations/postgresql/` source and the pgx/v5 database driver, then m.Up()), over
psycopg2 instead of pgx. Followed: migrate.go (Up, readUp, versionExists, runMigrations, lock),
database/pgx/v5/pgx.go (WithInstance, ensureVersionTable, Lock, SetVersion, Version, Run),
database/util.go (GenerateAdvisoryLockId), database/error.go, source/parse.go, source/iofs.

- The version table `schema_migrations (version bigint not null primary key, dirty boolean not
  null)` in the current schema, created when missing, under the advisory lock.
- The advisory lock: pg_advisory_lock(id) with id = crc32(schema NUL table NUL database) *
  1486364155 (uint32), the database being the URL's path ("/registry", with its slash, as
  pgx.go's Open passes purl.Path). Up waits at most 15 s for it (DefaultLockTimeout), then
  "timeout: can't acquire database lock".
- Up: a dirty version -> ErrDirty "Dirty database version N. Fix and force version."; a version
  no file has -> "no migration found for version N: read down for version N .: file does not
  exist"; nothing newer -> ErrNoChange. Else every NNNN_name.up.sql newer than the version, in
  order: version set to NNNN dirty (TRUNCATE + INSERT in one transaction), the file's whole
  text executed in one go outside any transaction (pgx: one simple-protocol Exec, so a file
  without BEGIN/COMMIT is one implicit transaction), then NNNN clean. A file that fails leaves
  NNNN dirty: "migration failed: MSG (column C) in line L: FILE TEXT (details: ERROR: MSG (SQLSTATE X))".
"""
import os
import re
import time
import zlib

import psycopg2
import psycopg2.errors

TABLE = "schema_migrations"
ADVISORY_SALT = 1486364155  # database/util.go advisoryLockIDSalt
LOCK_TIMEOUT_S = 15  # migrate.go DefaultLockTimeout
# source/parse.go DefaultRegex
FILE_NAME = re.compile(r"^([0-9]+)_(.*)\.(down|up)\.(.*)$")


class MigrateError(Exception):
    pass


class ErrNoChange(MigrateError):
    def __init__(self):
        super().__init__("no change")


class ErrDirty(MigrateError):
    def __init__(self, version):
        self.version = version
        super().__init__("Dirty database version %d. Fix and force version." % version)


def advisory_lock_id(database_name, schema, table=TABLE):
    """database/util.go GenerateAdvisoryLockId(databaseName, schema, table)."""
    key = "\x00".join([schema, table, database_name])
    return (zlib.crc32(key.encode()) * ADVISORY_SALT) & 0xFFFFFFFF


def read_source(path):
    """{version: (identifier, file path)} of the *.up.sql files in PATH (source/iofs Init: files
    that do not parse are skipped; two up files of one version are an error)."""
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        raise MigrateError("open .: %s" % (e.strerror or e).lower())
    out = {}
    for name in names:
        m = FILE_NAME.match(name)
        if not m or os.path.isdir(os.path.join(path, name)) or m.group(3) != "up":
            continue
        version = int(m.group(1))
        if version in out:
            raise MigrateError("duplicate migration file: %s" % name)
        out[version] = (m.group(2), os.path.join(path, name))
    return out


def _pg_error(e):
    """pgconn.PgError.Error(): "SEVERITY: message (SQLSTATE code)"."""
    d = e.diag
    return "%s: %s (SQLSTATE %s)" % (d.severity or "ERROR", d.message_primary or str(e).strip(), e.pgcode)


def _line_col(text, pos):
    """pgx.go computeLineFromPos: PostgreSQL's 1-based character position -> (line, column)."""
    text = text.replace("\r\n", "\n")
    if pos > len(text):
        return None
    sel = text[:pos]
    return sel.count("\n") + 1, pos - 1 - sel.rfind("\n")


class Migrator:
    """migrate.New(file://PATH, pgx5://.../DBNAME): one connection, as the driver's instance.Conn."""

    def __init__(self, connect, path, log=None):
        self.path, self.log = path, log or (lambda msg: None)
        self.conn = connect()
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")
            dbname, self.schema = cur.fetchone()
        self.lock_id = advisory_lock_id("/" + dbname, self.schema)
        self.source = read_source(path)
        self._ensure_version_table()

    def close(self):
        self.conn.close()

    def _exec(self, sql, args=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else None

    def _qualified(self):
        q = lambda n: '"%s"' % n.replace('"', '""')  # noqa: E731 - pgx.go quoteIdentifier
        return "%s.%s" % (q(self.schema), q(TABLE))

    def _ensure_version_table(self):
        self._exec("SELECT pg_advisory_lock(%s)", (self.lock_id,))
        try:
            count = self._exec("SELECT COUNT(1) FROM information_schema.tables WHERE table_schema = %s "
                               "AND table_name = %s LIMIT 1", (self.schema, TABLE))[0][0]
            if count != 1:
                self._exec("CREATE TABLE IF NOT EXISTS %s (version bigint not null primary key, dirty boolean not null)"
                           % self._qualified())
        finally:
            self._exec("SELECT pg_advisory_unlock(%s)", (self.lock_id,))

    def version(self):
        """(version, dirty); version -1 (NilVersion) when the table has no row."""
        rows = self._exec("SELECT version, dirty FROM %s LIMIT 1" % self._qualified())
        return (rows[0][0], rows[0][1]) if rows else (-1, False)

    def set_version(self, version, dirty):
        with self.conn.cursor() as cur:
            cur.execute("BEGIN")
            try:
                cur.execute("TRUNCATE %s" % self._qualified())
                if version >= 0 or dirty:
                    cur.execute("INSERT INTO %s (version, dirty) VALUES (%%s, %%s)" % self._qualified(), (version, dirty))
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise

    def _lock(self):
        """migrate.go lock(): the driver's pg_advisory_lock, given up after 15 s."""
        try:
            self._exec("SET statement_timeout = %d" % (LOCK_TIMEOUT_S * 1000))
            self._exec("SELECT pg_advisory_lock(%s)", (self.lock_id,))
        except psycopg2.errors.QueryCanceled:
            raise MigrateError("timeout: can't acquire database lock")
        finally:
            self._exec("SET statement_timeout = 0")

    def _run(self, text):
        """pgx.go Run/runStatement: the file's text in one Exec; its error as database.Error."""
        if not text.strip():
            return
        try:
            self._exec(text)
        except psycopg2.Error as e:
            if e.pgcode is None:
                raise MigrateError("migration failed in line 0: %s (details: %s)" % (text, str(e).strip()))
            d = e.diag
            message = "migration failed: %s" % d.message_primary
            line = 0
            pos = _line_col(text, int(d.statement_position)) if d.statement_position else None
            if pos:
                line = pos[0]
                message = "%s (column %d)" % (message, pos[1])
            if d.message_detail:
                message = "%s, %s" % (message, d.message_detail)
            raise MigrateError("%s in line %d: %s (details: %s)" % (message, line, text, _pg_error(e)))

    def _pending(self, current):
        """migrate.go readUp(current, -1): the versions to apply, in order."""
        versions = sorted(self.source)
        if current >= 0 and current not in self.source:
            raise MigrateError("no migration found for version %d: read down for version %d .: file does not exist"
                               % (current, current))
        todo = [v for v in versions if v > current]
        if not todo:
            if not versions:
                raise MigrateError("first .: file does not exist")
            raise ErrNoChange()
        return todo

    def up(self):
        """m.Up(); raises ErrNoChange, ErrDirty or MigrateError (golang-migrate's errors)."""
        self._lock()
        try:
            current, dirty = self.version()
            if dirty:
                raise ErrDirty(current)
            for v in self._pending(current):
                identifier, path = self.source[v]
                started = time.monotonic()
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                self.set_version(v, True)
                self._run(text)
                self.set_version(v, False)
                self.log("%d/u %s (%s)" % (v, identifier, go_duration(time.monotonic() - started)))
        finally:
            self._exec("SELECT pg_advisory_unlock(%s)", (self.lock_id,))


def go_duration(seconds):
    """Go's time.Duration String() for the common cases (1.234567s, 12.345ms)."""
    if seconds >= 1:
        return ("%.6f" % seconds).rstrip("0").rstrip(".") + "s"
    return ("%.6f" % (seconds * 1000)).rstrip("0").rstrip(".") + "ms"
