"""Harbor 2.x's user settings in its database, and the read-only mode (v2.15.2:
src/lib/config/metadata/metadatalist.go, src/pkg/config/db/db.go + dao, src/server/v2.0/handler/
config.go, src/controller/config/controller.go, src/server/middleware/readonly/readonly.go,
src/core/middlewares/middlewares.go, src/lib/http/error.go).

- Stored as Harbor stores them: one row per key in `properties (k, v)` (0001_initial_schema),
  the value as text (utils.GetStrValueOfAnyType: true/false, 30, a string). A key without a
  row has metadatalist.go's default.
- GET/PUT /api/v2.0/configurations need a system admin (basic auth here): anonymous 401
  UNAUTHORIZED "unauthorized", another user 403 FORBIDDEN. GET answers each user setting as
  {"editable": true, "value": V}; PUT stores the keys of the Configurations model it knows
  (unknown keys are dropped by go-swagger's binding), a value of the wrong JSON type is 400.
- Read-only: while `read_only` is true, every request but GET/HEAD/OPTIONS and the skipped
  ones (PUT /api/v2.0/configurations, so it can be turned off; POST /service/token; ...) is
  answered 403 {"errors":[{"code":"DENIED","message":"The system is in read only mode. Any
  modification is prohibited."}]} before it reaches the registry: pushes fail, pulls go on.
  Harbor's core keeps the settings in memory and reloads them (through a Redis cache that a
  save invalidates) whenever a request authenticates (config.AuthMode -> Load), i.e. at once
  for a registry client, which logs in for its token first; the stand-in reads the row on
  every request that the middleware checks.
"""
import json
import re

READ_ONLY_MESSAGE = "The system is in read only mode. Any modification is prohibited."
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# middlewares.go readonlySkippers (method, path regexp)
SKIPPED = [("PUT", r"^/api/v2.0/configurations"), ("PUT", r"^/api/internal/configurations"),
           ("POST", r"^/c/login"), ("POST", r"^/c/userExists"), ("POST", r"^/c/oidc/onboard"),
           ("POST", r"^/service/notifications/jobs/adminjob/[0-9]+"),
           ("POST", r"^/service/notifications/jobs/replication/[0-9]+"),
           ("POST", r"^/service/notifications/jobs/replication/task/[0-9]+"),
           ("POST", r"^/service/notifications/jobs/retention/task/[0-9]+"),
           ("POST", r"^/service/notifications/jobs/schedules/[0-9]+"),
           ("POST", r"^/service/token"), ("GET", r"^/api/v2.0/ping")]

# The user settings the stand-in knows, with metadatalist.go's defaults (a subset of Harbor's:
# the ones an operator's tool touches; the rest of Harbor's are not served).
DEFAULTS = {
    "auth_mode": "db_auth", "banner_message": "", "notification_enable": True, "primary_auth_mode": False,
    "project_creation_restriction": "everyone", "quota_per_project_enable": True, "read_only": False,
    "robot_name_prefix": "robot$", "robot_token_duration": 30, "self_registration": False,
    "session_timeout": 60, "storage_per_project": -1, "token_expiration": 30,
}


def _to_text(value):
    """utils.GetStrValueOfAnyType."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _from_text(key, text):
    default = DEFAULTS[key]
    try:
        if isinstance(default, bool):
            return text.strip().lower() in ("1", "t", "true")  # strconv.ParseBool's true spellings
        if isinstance(default, int):
            return int(text)
    except ValueError:
        return default
    return text


def load(conn):
    """{key: value} of every known user setting: the table's row, else the default."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT k, v FROM properties WHERE k = ANY(%s)", (list(DEFAULTS),))
        rows = dict(cur.fetchall())
    return {k: _from_text(k, rows[k]) if k in rows else d for k, d in DEFAULTS.items()}


def read_only(conn):
    with conn, conn.cursor() as cur:
        cur.execute("SELECT v FROM properties WHERE k = 'read_only'")
        row = cur.fetchone()
    return bool(row) and _from_text("read_only", row[0])


class BadRequest(Exception):
    pass


def parse_update(body):
    """The settings a PUT body sets: known keys with the right JSON type; BadRequest otherwise."""
    try:
        doc = json.loads(body or b"null")
    except ValueError as e:
        raise BadRequest("parsing body body from \"\" failed, because %s" % e)
    if doc is None:
        raise BadRequest("Missing configure item")
    if not isinstance(doc, dict):
        raise BadRequest("parsing body body from \"\" failed, because json: cannot unmarshal %s into Go value of "
                         "type models.Configurations" % type(doc).__name__)
    out = {}
    for key, value in doc.items():
        if key not in DEFAULTS:
            continue
        want = type(DEFAULTS[key])
        ok = isinstance(value, bool) if want is bool else (
            isinstance(value, int) and not isinstance(value, bool) if want is int else isinstance(value, str))
        if not ok:
            raise BadRequest("parsing body body from \"\" failed, because json: cannot unmarshal %s into Go struct "
                             "field Configurations.%s of type %s" % (
                                 {bool: "bool", int: "number", str: "string"}.get(type(value), "object"), key,
                                 {bool: "bool", int: "int64", str: "string"}[want]))
        out[key] = value
    return out


def save(conn, settings):
    """dao.SaveConfigEntries: each key's row updated, or inserted."""
    with conn, conn.cursor() as cur:
        for key, value in settings.items():
            cur.execute("INSERT INTO properties (k, v) VALUES (%s, %s) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                        (key, _to_text(value)))


def response(settings):
    """handler/config.go toResponseModel: each setting as {editable, value}."""
    return {k: {"editable": True, "value": v} for k, v in settings.items()}


def checked(method, path):
    """Whether the read-only middleware looks at this request (not a safe method, not skipped)."""
    if method in SAFE_METHODS:
        return False
    return not any(m == method and re.match(p, path) for m, p in SKIPPED)


def errors_body(code, message):
    """lib/errors Errors.Error() as lib/http SendError writes it (Fprintln: a newline at the end)."""
    return (json.dumps({"errors": [{"code": code, "message": message}]}, separators=(",", ":")) + "\n").encode()
