"""Harbor 2.x core's database at start: src/common/dao/pgsql.go, src/migration/migration.go,
src/core/main.go (v2.15.1).

- Register: TestTCPConn(host:port, 60 s, every 2 s), then connect with the POSTGRESQL_* env
  values (host, port, user, password, dbname, sslmode) -- psycopg2 instead of pgx.
- Migrate (golang-migrate with the pgx driver): an advisory lock, the table
  `schema_migrations (version bigint not null primary key, dirty boolean not null)`, then
  every script up to SCHEMA_VERSION, each marked dirty while it runs. A dirty version stops
  core: "Dirty database version N. Fix and force version." The stand-in has no Harbor scripts
  to run: its one "migration" creates the two tables it needs (harbor_user, project, with the
  admin and the public `library` project that Harbor's initial schema inserts), marked the
  same way, so a tool sees exactly the version and dirty flag Harbor would leave.
- The admin's password: set from HARBOR_ADMIN_PASSWORD only while the admin has no salt
  (main.go updateInitPassword): later changes to harbor.yml do not reach it, as in Harbor.
  Hash: PBKDF2-SHA256, 4096 rounds, 16 bytes, hex (utils.Encrypt, password_version sha256).
"""
import hashlib
import os
import zlib

import psycopg2

from standinlib import log
from standinlib.net import test_tcp_conn

from .release import SCHEMA_VERSION

MIGRATION_TABLE = "schema_migrations"
# golang-migrate database/postgres: GenerateAdvisoryLockId(dbname) = crc32(dbname) * 1486364155 (uint32 math).
_ADVISORY_SALT = 1486364155


class DirtyError(Exception):
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


def advisory_lock_id(dbname):
    return (zlib.crc32(dbname.encode()) * _ADVISORY_SALT) & 0xFFFFFFFF


def _set_version(cur, version, dirty):
    cur.execute('TRUNCATE "%s"' % MIGRATION_TABLE)
    cur.execute('INSERT INTO "%s" (version, dirty) VALUES (%%s, %%s)' % MIGRATION_TABLE, (version, dirty))


def _stand_in_schema(cur):
    cur.execute("""CREATE TABLE IF NOT EXISTS harbor_user (
        user_id SERIAL PRIMARY KEY, username varchar(255) UNIQUE, password varchar(40) NOT NULL DEFAULT '',
        salt varchar(40) DEFAULT NULL, password_version varchar(16) DEFAULT 'sha256',
        sysadmin_flag boolean DEFAULT false, creation_time timestamp DEFAULT CURRENT_TIMESTAMP)""")
    cur.execute("""INSERT INTO harbor_user (user_id, username, sysadmin_flag) VALUES (1, 'admin', true)
        ON CONFLICT DO NOTHING""")
    cur.execute("""CREATE TABLE IF NOT EXISTS project (
        project_id SERIAL PRIMARY KEY, owner_id int NOT NULL, name varchar(255) UNIQUE NOT NULL,
        public boolean DEFAULT false, creation_time timestamp DEFAULT CURRENT_TIMESTAMP)""")
    cur.execute("""INSERT INTO project (project_id, owner_id, name, public) VALUES (1, 1, 'library', true)
        ON CONFLICT DO NOTHING""")
    # make/migrations/postgresql/0001_initial_schema.up.sql: the settings store of lib/config.
    cur.execute("""CREATE TABLE IF NOT EXISTS properties (
        id SERIAL NOT NULL, k varchar(64) NOT NULL, v text NOT NULL, PRIMARY KEY(id), UNIQUE (k))""")


def save_config_entries(conn, entries):
    """pkg/config/db/dao SaveConfigEntries: each k updated when present, else inserted."""
    with conn, conn.cursor() as cur:
        for k, v in entries.items():
            cur.execute("UPDATE properties SET v = %s WHERE k = %s", (v, k))
            if cur.rowcount == 0:
                cur.execute("INSERT INTO properties (k, v) VALUES (%s, %s)", (k, v))


def migrate(conn):
    """Brings the schema to SCHEMA_VERSION; raises DirtyError as golang-migrate's ErrDirty."""
    dbname = conn.get_dsn_parameters().get("dbname", "")
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (advisory_lock_id(dbname),))
        try:
            cur.execute('CREATE TABLE IF NOT EXISTS "%s" (version bigint not null primary key, dirty boolean not null)'
                        % MIGRATION_TABLE)
            cur.execute('SELECT version, dirty FROM "%s" LIMIT 1' % MIGRATION_TABLE)
            row = cur.fetchone()
            log.debug("current database schema version: %s" % (row[0] if row else "nil"), at="migration.go:37")
            if row and row[1]:
                raise DirtyError("Dirty database version %d. Fix and force version." % row[0])
            if row and row[0] >= SCHEMA_VERSION:
                log.info("No change in schema, skip.", at="pgsql.go:138")
                return
            log.info("Upgrading schema for pgsql ...", at="pgsql.go:135")
            _set_version(cur, SCHEMA_VERSION, True)
            conn.commit()
            _stand_in_schema(cur)
            _set_version(cur, SCHEMA_VERSION, False)
            conn.commit()
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", (advisory_lock_id(dbname),))
            conn.commit()


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
    with conn, conn.cursor() as cur:
        cur.execute("SELECT project_id, name, public FROM project WHERE name = %s", (name,))
        row = cur.fetchone()
    return {"project_id": row[0], "name": row[1], "public": bool(row[2])} if row else None
