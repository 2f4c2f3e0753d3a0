#!/usr/bin/python3
"""Stands in for Harbor 2.x's core (goharbor/harbor-core, v2.15.1: src/core/main.go,
src/core/service/token/, src/server/middleware/security/, src/server/registry/proxy.go,
src/controller/systeminfo, src/controller/health). It reads exactly what prepare wrote: the env
file (EXT_ENDPOINT, POSTGRESQL_*, _REDIS_URL_CORE, REGISTRY_URL, REGISTRY_CREDENTIAL_*,
HARBOR_ADMIN_PASSWORD, ...), /etc/core/app.conf (httpport), the token key
/etc/core/private_key.pem (= data_volume/secret/core/private_key.pem).

Start-up in Harbor's order, with its messages: the Redis cache (PING; fatal "failed to
initialize cache: ..."), configurations, the database (TestTCPConn 60 s; fatal "failed to
initialize database: ...") and its migration (standinlib/harbor2/pgschema.py, gomigrate.py: the
release's own schema scripts by golang-migrate's rules; a dirty or too new version is fatal), the admin's initial password, then HTTP on
app.conf's httpport at the service's address.

Serves: GET/PUT /api/v2.0/configurations (system admin; the user settings in the properties
table, standinlib/harbor2/userconfig.py) and Harbor's read-only mode (non-safe requests, pushes
through /v2/ included, answered 403 DENIED while read_only is true), GET /api/v2.0/ping ("Pong"), /api/v2.0/systeminfo (the protected fields only for a user
who authenticates with basic auth), /api/v2.0/health (Harbor's periodic checkers,
standinlib/harbor2/health.py), /service/token (basic auth against harbor_user, scopes filtered: the
admin gets what it asks for in an existing project, anonymous gets pull on public ones; JWT
RS256 with the libtrust key id, 30 minutes), and /v2/* (token checked with this core's key,
standinlib/harbor2/v2auth.py; then passed to the registry with the htpasswd credentials prepare made,
REGISTRY_CREDENTIAL_USERNAME/PASSWORD, streaming both ways).
Not done: security contexts other than basic auth (sessions, secrets, robots, OIDC) for the
API, settings an admin changes in the database (systeminfo shows Harbor's defaults), the web UI's API (users, projects, artifacts, ...), sessions, OIDC/LDAP, quotas,
replication, scanning, audit logs, the events that fill Harbor's artifact tables.
"""
import base64
import datetime
import json
import os
import sys
from contextlib import closing
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from standinlib.harbor2 import health, pgschema, userconfig, v2auth  # noqa: E402
from standinlib.harbor2.release import GIT_COMMIT, RELEASE_VERSION, env, listen_address, require_env  # noqa: E402
from standinlib import appconf, log, redis, token as tokens  # noqa: E402
from standinlib.httpserver import Handler, Server, openapi_json  # noqa: E402
from standinlib.libtrust import LibtrustError  # noqa: E402
from standinlib.uiproxy import forward  # noqa: E402

TOKEN_EXPIRATION_MIN = 30  # the default token_expiration Harbor keeps in its database
CA_DOWNLOAD = "/etc/core/ca/ca.crt"  # systeminfo/controller.go defaultRootCert (prepare's ca_download)
CHECKERS = {}  # health.RegisterHealthCheckers' registry, filled by main() at Harbor's moment


def cache_url():
    """main.go: the cache (and redis health checker) uses _REDIS_URL_HARBOR, else _REDIS_URL_CORE."""
    return os.environ.get("_REDIS_URL_HARBOR") or os.environ["_REDIS_URL_CORE"]


def go_bool(value):
    """strconv.ParseBool, as Harbor's config BoolType reads an env value (prepare writes True/False)."""
    return value in ("1", "t", "T", "TRUE", "true", "True")


def redis_ping(url):
    addr, password, db = redis.parse_url(url)
    client = redis.Client(addr, password, db, timeout=5)
    try:
        return client.command("PING")
    finally:
        client.close()


class CoreHandler(Handler):
    routes = [("GET", r"/api/v2.0/ping", "ping"), ("GET", r"/api/v2.0/systeminfo", "systeminfo"),
              ("GET", r"/api/v2.0/health", "health"), ("GET", r"/service/token", "token"),
              ("GET", r"/api/v2.0/configurations", "get_configurations"),
              ("PUT", r"/api/v2.0/configurations", "put_configurations")]

    def _dispatch(self):
        path = self.path.partition("?")[0]
        if userconfig.checked(self.command, path) and self._read_only():
            # readonly.go, the last global middleware: before the API handlers and the registry
            # proxy's own auth, so a push in read-only mode gets 403 DENIED, token or not.
            self.path_only, self.query, self._body_read, self._started = path, "", False, False
            self.reply(403, userconfig.errors_body("DENIED", userconfig.READ_ONLY_MESSAGE),
                       "application/json; charset=utf-8")
            self._drain()
            return
        if path == "/v2" or path.startswith("/v2/"):
            self.path_only, _, self.query = self.path.partition("?")
            self._body_read, self._started = False, False
            try:
                self.registry(path)
            except (BrokenPipeError, ConnectionResetError):
                return
            self._drain()
            return
        super()._dispatch()

    # the base class binds do_GET... to its own _dispatch: bind them to this one
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def _read_only(self):
        with closing(pgschema.connect()) as conn:
            return userconfig.read_only(conn)

    # -- /v2/: Harbor's security + v2auth middlewares, then the registry proxy
    def registry(self, path):
        auth = self.headers.get("Authorization", "")
        claims = None
        if auth.startswith("Bearer "):
            try:
                claims = v2auth.verify(auth[len("Bearer "):].strip())
            except (v2auth.TokenError, LibtrustError) as e:
                log.warning("failed to decode bearer token: %s" % e, at="v2_token.go:58")
        repo, action = v2auth.needed(self.command, path)
        if claims is None or not v2auth.allows(claims, repo, action):
            value, body = v2auth.challenge(os.environ["EXT_ENDPOINT"], repo, action)
            return self.reply(401, body, "application/json; charset=utf-8",
                              [("Www-Authenticate", value), ("Docker-Distribution-Api-Version", "registry/2.0")])
        del self.headers["Authorization"]
        creds = "%s:%s" % (os.environ["REGISTRY_CREDENTIAL_USERNAME"], os.environ["REGISTRY_CREDENTIAL_PASSWORD"])
        self.headers["Authorization"] = "Basic " + base64.b64encode(creds.encode()).decode()
        forward(self, path, os.environ["REGISTRY_URL"])

    # -- /service/token
    def user(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None, True
        try:
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None, False
        with closing(pgschema.connect()) as conn:
            return pgschema.check_user(conn, name, password), True

    def token(self):
        q = parse_qs(self.query)
        user, ok = self.user()
        if not ok or (user is None and self.headers.get("Authorization")):
            body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})
            return self.reply(401, body.encode(), "application/json; charset=utf-8")
        access = []
        with closing(pgschema.connect()) as conn:
            for ra in tokens.resource_actions(q.get("scope", [])):
                if ra["type"] != "repository" or "/" not in ra["name"]:
                    continue
                project = pgschema.project(conn, ra["name"].split("/", 1)[0])
                if project is None:
                    continue
                if user and user["sysadmin"]:
                    ra["actions"] = [a for a in ra["actions"] if a in ("pull", "push", "delete", "*")]
                else:
                    ra["actions"] = ["pull"] if "pull" in ra["actions"] and project["public"] else []
                access.append(ra)
        try:
            t = tokens.make_token(user["username"] if user else "", (q.get("service") or [""])[0], access,
                                  TOKEN_EXPIRATION_MIN, key_path=v2auth.KEY_PATH)
        except LibtrustError as e:
            log.error("Unexpected error when creating the token, error: %s" % e, at="token.go:95")
            return self.http_error(500)
        self.reply_json(t)

    # -- /api/v2.0: go-swagger's server picks the first of the operation's `produces` when the
    # client accepts anything (ping: text/plain; the rest: application/json, no charset).
    def ping(self):
        self.reply(200, b"Pong", "text/plain")  # handler/ping.go; swagger /ping produces text/plain

    def authenticated(self):
        """Whether basic auth names a user with the right password (middleware/security/
        basic_auth.go); wrong or unreadable credentials leave the request anonymous, not refused."""
        try:
            user, _ = self.user()
        except Exception as e:  # auth.Login's error: logged, the request goes on as anonymous
            log.error("failed to authenticate user, error:%s" % e, at="basic_auth.go:72")
            return False
        return user is not None

    def systeminfo(self):
        # handler/systeminfo.go GetSystemInfo: WithProtectedInfo only for an authenticated
        # security context; controller/systeminfo/controller.go GetInfo fills the rest. The
        # database-held settings are Harbor's defaults (config/metadata/metadatalist.go).
        info = {"auth_mode": "db_auth", "primary_auth_mode": False, "self_registration": False,
                "banner_message": "", "oidc_provider_name": ""}
        if self.authenticated():
            ext = os.environ["EXT_ENDPOINT"]
            now = datetime.datetime.now(datetime.timezone.utc)  # strfmt.DateTime: RFC 3339, milliseconds
            info.update({
                "current_time": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "external_url": ext,
                "registry_url": ext.split("://", 1)[-1],  # GetInfo: what follows "://"
                "harbor_version": "%s-%s" % (RELEASE_VERSION, GIT_COMMIT),
                "has_ca_root": os.path.exists(CA_DOWNLOAD) and ext.startswith("https://"),
                "project_creation_restriction": "everyone", "read_only": self._read_only(),
                "registry_storage_provider_name": env("REGISTRY_STORAGE_PROVIDER_NAME") or "filesystem",
                "notification_enable": True,
            })
        self.reply(200, openapi_json(info), "application/json")

    def health(self):
        self.reply(200, openapi_json(health.overall(CHECKERS)), "application/json")

    # -- /api/v2.0/configurations (handler/config.go): system admins only
    def _admin_or_error(self):
        try:
            user, _ = self.user()
        except Exception as e:
            log.error("failed to authenticate user, error:%s" % e, at="basic_auth.go:72")
            user = None
        if user is None:
            self.reply(401, userconfig.errors_body("UNAUTHORIZED", "unauthorized"), "application/json; charset=utf-8")
            return None
        if not user["sysadmin"]:
            self.reply(403, userconfig.errors_body("FORBIDDEN", user["username"]), "application/json; charset=utf-8")
            return None
        return user

    def get_configurations(self):
        if self._admin_or_error() is None:
            return
        with closing(pgschema.connect()) as conn:
            settings = userconfig.load(conn)
        self.reply(200, openapi_json(userconfig.response(settings)), "application/json")

    def put_configurations(self):
        if self._admin_or_error() is None:
            return
        try:
            settings = userconfig.parse_update(self.body())
        except userconfig.BadRequest as e:
            return self.reply(400, userconfig.errors_body("BAD_REQUEST", str(e)), "application/json; charset=utf-8")
        with closing(pgschema.connect()) as conn:
            userconfig.save(conn, settings)
        if "read_only" in settings:
            log.info("read-only mode %s" % ("on" if settings["read_only"] else "off"), at="config.go:93")
        self.reply(200, b"", None)


def register_health_checkers():
    """checker.go RegisterHealthCheckers, with the URLs Harbor's config reads from core's env
    (lib/config/systemconfig.go, common/const.go defaults); trivy only when WITH_TRIVY."""
    registry_url = (env("REGISTRY_URL") or "http://registry:5000").strip(" ").rstrip("/")
    if "://" not in registry_url:  # utils.ParseEndpoint
        registry_url = "http://" + registry_url
    CHECKERS["core"] = health.Always()
    for name, check in (
        ("portal", health.http_check(env("PORTAL_URL") or "http://portal:8080")),
        ("jobservice", health.http_check(env("JOBSERVICE_URL", "") + "/api/v1/stats")),
        ("registry", health.http_check(registry_url + "/")),
        ("registryctl", health.http_check((env("REGISTRY_CONTROLLER_URL") or "http://registryctl:8080") + "/api/health")),
        ("database", health.sql_check(pgschema.connect)),
        ("redis", lambda: redis_ping(cache_url())),
    ):
        CHECKERS[name] = health.Periodic(check)
    if go_bool(env("WITH_TRIVY", "false")):
        trivy = (env("TRIVY_ADAPTER_URL") or "http://trivy-adapter:8080").removesuffix("/")
        CHECKERS["trivy"] = health.Periodic(health.http_check(trivy + "/probe/healthy"))


def main():
    require_env(["EXT_ENDPOINT", "POSTGRESQL_HOST", "POSTGRESQL_USERNAME", "REGISTRY_URL",
                 "REGISTRY_CREDENTIAL_USERNAME", "REGISTRY_CREDENTIAL_PASSWORD", "_REDIS_URL_CORE"])
    log.info("initializing cache ...", at="main.go:159")
    try:
        redis_ping(cache_url())
    except Exception as e:
        log.fatal("failed to initialize cache: %s" % e, at="main.go:170")
    log.info("initializing configurations...", at="main.go:178")
    log.info("configurations initialization completed", at="main.go:180")
    try:
        conn = pgschema.connect(wait=True)
    except Exception as e:
        log.fatal("failed to initialize database: %s" % e, at="main.go:201")
    try:
        pgschema.migrate()
    except pgschema.MigrationFailed as e:
        log.fatal("failed to migrate the database, error: %s" % e, at="main.go:215")
    log.info("The database has been migrated successfully", at="main.go:218")
    pgschema.update_init_password(conn, os.environ.get("HARBOR_ADMIN_PASSWORD", ""))
    conn.close()
    register_health_checkers()  # main.go:245, after the database, before the server
    log.info("Version: %s, Git commit: %s" % (RELEASE_VERSION, GIT_COMMIT), at="main.go:279")
    conf = appconf.load(at="main.go:222")
    addr = listen_address(conf.get("httpport") or 8080)
    server = Server(addr, CoreHandler)
    log.info("http server Running on http://%s:%d" % addr, at="server.go:281")
    server.serve_forever()


if __name__ == "__main__":
    main()
