"""The external services Harbor's containers need at start: MariaDB with the registry
schema loaded, and Redis. Wrong credentials fail here for real, with a clear message.

    python3 checks.py common/config/standin/config.json   # exit 1 and a message per failure
"""
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harborcfg  # noqa: E402


def check_mariadb(cfg):
    """(ok, message): the registry schema's version marker, read as db_user."""
    where = "MariaDB at %s:%s as %r" % (cfg["db_host"], cfg["db_port"], cfg["db_user"])
    env = dict(os.environ, MYSQL_PWD=cfg["db_password"])  # not on the command line
    try:
        r = subprocess.run(["mariadb", "--connect-timeout=5", "-h", cfg["db_host"], "-P", cfg["db_port"],
                            "-u", cfg["db_user"], "-N", "-s", "-e", "select version_num from alembic_version",
                            "registry"], env=env, capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "%s: cannot run the check: %s" % (where, e)
    err = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    if r.returncode != 0:
        if "1045" in err:
            return False, "%s: access denied; check db_user/db_password in harbor.cfg (%s)" % (where, err)
        if "1049" in err:
            return False, "%s: no registry database; load Harbor's registry.sql first (%s)" % (where, err)
        if "1146" in err:
            return False, "%s: the registry database has no alembic_version table; registry.sql was not loaded completely (%s)" % (where, err)
        if "2002" in err or "2003" in err or "2005" in err:
            return False, "%s: cannot connect; check db_host/db_port and that MariaDB listens there (%s)" % (where, err)
        return False, "%s: %s" % (where, err or "exit %d" % r.returncode)
    version = r.stdout.strip()
    if not version:
        return False, "%s: registry.alembic_version is empty; registry.sql was not loaded completely" % where
    return True, "%s: registry schema version %s" % (where, version)


def redis_command(sock, *args):
    payload = "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a) for a in args)
    sock.sendall(payload.encode())
    return sock.makefile("rb").readline().decode(errors="replace").strip()


def check_redis(cfg):
    """(ok, message): AUTH (when redis_url has a password), SELECT, PING."""
    try:
        r = harborcfg.parse_redis_url(cfg.get("redis_url", ""))
    except ValueError as e:
        return False, "redis_url: %s" % e
    where = "Redis at %s:%d" % (r["host"], r["port"])
    try:
        with socket.create_connection((r["host"], r["port"]), timeout=5) as sock:
            if r["password"]:
                reply = redis_command(sock, "AUTH", r["password"])
                if not reply.startswith("+OK"):
                    return False, "%s: AUTH failed; check the password in redis_url (%s)" % (where, reply.lstrip("-"))
            reply = redis_command(sock, "SELECT", str(r["db_index"]))
            if not reply.startswith("+OK"):
                hint = "redis_url has no password but the server wants one" if "NOAUTH" in reply else "check redis_url"
                return False, "%s: %s (%s)" % (where, hint, reply.lstrip("-"))
            reply = redis_command(sock, "PING")
            if reply != "+PONG":
                return False, "%s: PING answered %r" % (where, reply)
    except OSError as e:
        return False, "%s: cannot connect; check redis_url and that Redis listens there (%s)" % (where, e)
    return True, "%s: PONG (db %d)" % (where, r["db_index"])


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)["cfg"]
    failed = False
    for check in (check_mariadb, check_redis):
        ok, message = check(cfg)
        print(("ok: " if ok else "Error: ") + message, file=sys.stdout if ok else sys.stderr)
        failed = failed or not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
