"""Who a ui request is, as Harbor 1.x's src/ui/filter/security.go decides it (standalone mode,
v1.4.0/v1.5.4), and what it may do with a project (src/common/security/local/context.go,
src/common/security/secret/context.go).

Order: the secret (1.4 cookie `secret`, 1.5 `Authorization: Harbor-Secret S`; only the
JOBSERVICE_SECRET is known, as user "harbor-jobservice") -> HTTP basic auth (auth.Login) ->
session (the stand-in keeps no sessions) -> anonymous.
auth.Login (src/ui/auth/authenticator.go): the admin (user id 1) always logs in against the
database; a failed login sleeps 1.5 s and locks that name for 1.5 s (UserLock).
"""
import base64
import os
import threading
import time
from http.cookies import CookieError, SimpleCookie

from . import log

FROZEN_S = 1.5
_locks, _locks_mu = {}, threading.Lock()
ROLE_ADMIN, ROLE_DEV, ROLE_GUEST = 1, 2, 3
_ROLE_CODES = {"MDRWS": ROLE_ADMIN, "RWS": ROLE_DEV, "RS": ROLE_GUEST}


class Context:
    """kind: local (a user row), secret, or anonymous."""

    def __init__(self, dao, kind, user=None, secret_ok=False):
        self.dao, self.kind, self.user, self.secret_ok = dao, kind, user, secret_ok

    @property
    def authenticated(self):
        return self.user is not None if self.kind == "local" else self.secret_ok

    @property
    def username(self):
        if self.kind == "secret":
            return "harbor-jobservice" if self.secret_ok else ""
        return self.user["username"] if self.user else ""

    @property
    def sysadmin(self):
        return self.kind == "local" and self.user is not None and self.user.get("sysadmin_flag") == 1

    def _roles(self, project):
        if not self.authenticated or self.kind != "local":
            return []
        u = self.dao.get_user(username=self.username)
        return [_ROLE_CODES[c] for c in self.dao.role_codes(u["user_id"], project["project_id"])
                if c in _ROLE_CODES] if u else []

    def has_read(self, project):
        if self.kind == "secret":
            return self.secret_ok
        if self.dao.project_metadata(project["project_id"]).get("public") == "true":
            return True
        return self.authenticated and (self.sysadmin or bool(self._roles(project)))

    def has_write(self, project):
        if self.kind == "secret" or not self.authenticated:
            return False
        return self.sysadmin or any(r in (ROLE_ADMIN, ROLE_DEV) for r in self._roles(project))

    def has_all(self, project):
        if self.kind == "secret" or not self.authenticated:
            return False
        return self.sysadmin or ROLE_ADMIN in self._roles(project)


def _locked(name):
    with _locks_mu:
        t = _locks.get(name)
        return t is not None and time.monotonic() - t <= FROZEN_S


def login(dao, cfg, principal, password):
    """A user row, or None; raises on errors other than bad credentials."""
    if cfg is None:
        raise RuntimeError("the adminserver's settings are not available")
    mode = cfg.get("auth_mode") or ""
    if mode == "" or dao.is_super_user(principal):
        mode = "db_auth"
    if mode not in ("db_auth", "ldap_auth", "uaa_auth"):
        raise RuntimeError("Unrecognized auth_mode: %s" % mode)
    if _locked(principal):
        log.debug("%s is locked due to login failure, login failed" % principal, at="authenticator.go:103")
        return None
    if mode != "db_auth":
        raise RuntimeError("%s: the lab's ui stand-in has no LDAP/UAA authenticator" % mode)
    user = dao.login_by_db(principal, password)
    if user is None:
        log.debug("Login failed, locking %s, and sleep for %s" % (principal, FROZEN_S), at="authenticator.go:109")
        with _locks_mu:
            _locks[principal] = time.monotonic()
        time.sleep(FROZEN_S)
    return user


def request_context(handler, dao, cfg, release):
    """The security context of a request (SecurityFilter)."""
    if release.is_15:
        auth = handler.headers.get("Authorization", "")
        scrt = auth[len("Harbor-Secret "):] if auth.startswith("Harbor-Secret ") else ""
    else:
        try:
            c = SimpleCookie(handler.headers.get("Cookie", ""))
            scrt = c["secret"].value if "secret" in c else ""
        except CookieError:
            scrt = ""
    if scrt:
        return Context(dao, "secret", secret_ok=scrt == os.environ.get("JOBSERVICE_SECRET", ""))
    auth = handler.headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            user, _, pw = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user = None
        if user is not None:
            try:
                row = login(dao, cfg, user, pw)
            except Exception as e:
                log.error("failed to authenticate %s: %s" % (user, e), at="security.go:178")
                row = None
            if row is not None:
                return Context(dao, "local", user=row)
    return Context(dao, "anonymous")
