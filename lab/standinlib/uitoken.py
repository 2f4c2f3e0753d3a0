"""GET /service/token, Docker's token authentication, as Harbor 1.x's ui serves it:
src/ui/service/token/token.go, creator.go, authutils.go (v1.4.0, unchanged in v1.5.4).

- service must be harbor-registry or harbor-notary, else 400 "Unable to handle service: S";
- no credentials and no scope (docker login) -> 401; bad credentials fall back to anonymous;
- scopes "type:name:actions" (several `scope` parameters, or space-separated) are filtered:
  repository -> the project must exist, then the caller's permission decides the actions
  (all: push,*,pull; write: push,pull; read: pull) -- the requested actions do not matter;
  registry:catalog -> kept for system admins only; other names -> 500; other types -> none;
- the token itself: standinlib/token.py (the key is loaded with libtrust on each call; a key it
  refuses -> 500 and "Unexpected error when creating the token, error: ..." in the log).
"""
from urllib.parse import parse_qs

from . import log
from .token import make_token, perm_to_actions, resource_actions


def serve(h):
    params = parse_qs(h.query, keep_blank_values=True)
    service = (params.get("service") or [""])[0]
    if service not in ("harbor-registry", "harbor-notary"):
        msg = "Unable to handle service: %s" % service
        log.error(msg, at="token.go:38")
        return h.http_error(400, msg)
    scopes = [s for v in params.get("scope", []) for s in v.split(" ")]
    if not h.ctx.authenticated and not scopes:
        return h.http_error(401, "")
    try:
        if h.cfg is None:
            raise RuntimeError("the adminserver's settings are not available")
        access = resource_actions(scopes)
        for a in access:
            _filter(h, a, service)
        tok = make_token(h.ctx.username, service, access, int(h.cfg.get("token_expiration") or 30))
    except Exception as e:
        log.error("Unexpected error when creating the token, error: %s" % e, at="token.go:46")
        return h.http_error(500, "")
    h.reply_json(tok)


def _filter(h, a, service):
    if a["type"] == "registry" and service == "harbor-registry":  # registryFilter
        if a["name"] != "catalog":
            raise ValueError("Unable to handle, type: %s, name: %s" % (a["type"], a["name"]))
        if not h.ctx.sysadmin:
            a["actions"] = []
        return
    if a["type"] != "repository":
        log.warning("No filter found for access type: %s, skip filter, the access of resource '%s' will "
                    "be set empty." % (a["type"], a["name"]), at="authutils.go:91")
        a["actions"] = []
        return
    name = a["name"]
    if service == "harbor-notary":  # endpointParser: "<ext host>/<project>/<repo>"
        ext = h.cfg.get("ext_endpoint", "").split("://")[-1]
        first, _, name = name.partition("/")
        if first != ext:
            raise ValueError("Mismatch endpoint from string: %s, expected endpoint: %s" % (a["name"], ext))
    if "/" not in name:
        raise ValueError("Unable to parse image from string: %s" % name)
    project = h.state.dao.get_project(name.split("/", 1)[0])
    if project is None:
        log.debug("project %s does not exist, set empty permission" % name.split("/", 1)[0], at="creator.go:193")
        a["actions"] = []
        return
    perm = "RWM" if h.ctx.has_all(project) else "RW" if h.ctx.has_write(project) else \
        "R" if h.ctx.has_read(project) else ""
    a["actions"] = perm_to_actions(perm)
