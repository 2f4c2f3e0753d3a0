"""Harbor 2.x core's database at start: src/common/dao/pgsql.go, src/migration/migration.go,
src/core/main.go (v2.15.2).

- Register: TestTCPConn(host:port, 60 s, every 2 s), then connect with the POSTGRESQL_* env
  values (host, port, user, password, dbname, sslmode) -- psycopg2 instead of pgx.
- Migrate: Harbor's own schema scripts, make/migrations/postgresql/*.up.sql of the release this
  core plays (the image's /harbor/migrations/postgresql, which the lab's docker shim binds from
  that release's harbor-db-migrations tgz), applied by golang-migrate's rules (gomigrate.py):
  schema_migrations' version and dirty flag, the advisory lock, one file after another. A
  dirty version, a version newer than the release's last file, or a file that fails stops core
  with Harbor's messages (main.go: "failed to migrate the database, error: ...", exit 1).
- The admin's password: set from HARBOR_ADMIN_PASSWORD only while the admin has no salt
  (main.go updateInitPassword): later changes to harbor.yml do not reach it, as in Harbor.
  Hash: PBKDF2-SHA256, 4096 rounds, 16 bytes, hex (utils.Encrypt, password_version sha256).
"""
import hashlib
import os

import psycopg2

from standinlib import log
from standinlib.net import test_tcp_conn

from . import gomigrate

# pgsql.go defaultMigrationPath, relative to the core image's WORKDIR (/harbor); the env
# variable is Harbor's own ("For UT").
MIGRATION_PATH = os.path.join("/harbor", os.environ.get("POSTGRES_MIGRATION_SCRIPTS_PATH") or "migrations/postgresql/")


class MigrationFailed(Exception):
    pass


def connect(wait=False):
    """A connection from the POSTGRESQL_* env values; wait: TestTCPConn first, as at start."""
    host, port = os.environ["POSTGRESQL_HOST"], os.environ.get("POSTGRESQL_PORT", "5432")
    if wait:
        test_tcp_conn("%s:%s" % (host, port))
    return psycopg2.connect(host=host, port=port, user=os.environ["POSTGRESQL_USERNAME"],
                            password=os.environ.get("POSTGRESQL_PASSWORD", ""),
                            dbname=os.environ.get("POSTGRESQL_DATABASE", "registry"),
                            sslmode=os.environ.get("POSTGRESQL_SSLMODE", "disable"), connect_timeout=10)


def _migrator():
    return gomigrate.Migrator(connect, MIGRATION_PATH, log=lambda msg: log.info(msg, at="base.go:154"))


def migrate():
    """migration.go Migrate + pgsql.go UpgradeSchema; raises MigrationFailed(golang-migrate's error)."""
    try:
        m = _migrator()
        try:
            version, _ = m.version()
            log.debug("current database schema version: %d" % max(version, 0), at="migration.go:37")
        finally:
            m.close()
        m = _migrator()
    except (gomigrate.MigrateError, psycopg2.Error) as e:
        raise MigrationFailed(str(e).strip())
    try:
        log.info("Upgrading schema for pgsql ...", at="pgsql.go:239")
        m.up()
    except gomigrate.ErrNoChange:
        log.info("No change in schema, skip.", at="pgsql.go:242")
    except (gomigrate.MigrateError, psycopg2.Error) as e:
        # migrate.ErrLockTimeout too: another core is migrating and did not finish within 15 s.
        log.error("Failed to upgrade schema, error: %s" % go_quote(str(e).strip()), at="pgsql.go:244")
        raise MigrationFailed(str(e).strip())
    finally:
        m.close()


def go_quote(s):
    """Go's %q of a string (strconv.Quote), for the printable text migrations' errors hold."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def hash_password(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 4096, 16).hex()


def update_init_password(conn, password):
    with conn, conn.cursor() as cur:
        cur.execute("SELECT salt FROM harbor_user WHERE user_id = 1")
        row = cur.fetchone()
        if row and row[0]:
            log.info("User id: 1 already has its encrypted password.", at="main.go:106")
            return
        salt = os.urandom(16).hex()
        cur.execute("UPDATE harbor_user SET password = %s, salt = %s, password_version = 'sha256' WHERE user_id = 1",
                    (hash_password(password, salt), salt))
        log.info("User id: 1 updated its encrypted password successfully.", at="main.go:104")


def check_user(conn, username, password):
    """(user row as dict) when the password is right, else None."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT user_id, username, password, salt, sysadmin_flag FROM harbor_user WHERE username = %s",
                    (username,))
        row = cur.fetchone()
    if not row or not row[3] or hash_password(password, row[3]) != row[2]:
        return None
    return {"user_id": row[0], "username": row[1], "sysadmin": bool(row[4])}


def project(conn, name):
    """A project of Harbor's schema: `public` is its project_metadata entry (0001_initial_schema)."""
    with conn, conn.cursor() as cur:
        cur.execute("""SELECT p.project_id, p.name, COALESCE(m.value = 'true', false) FROM project p
            LEFT JOIN project_metadata m ON m.project_id = p.project_id AND m.name = 'public'
            WHERE p.name = %s AND NOT p.deleted""", (name,))
        row = cur.fetchone()
    return {"project_id": row[0], "name": row[1], "public": bool(row[2])} if row else None
