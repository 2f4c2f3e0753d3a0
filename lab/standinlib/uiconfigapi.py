"""GET/PUT /api/configurations of Harbor 1.x's ui: src/ui/api/config.go (v1.4.0 L101-346,
v1.5.4 L29-274) with the key lists of standinlib/settings.py.

PUT keeps only the valid keys (unknown keys are dropped without a word), checks their JSON types
and values (400 with Harbor's message), forwards them to the adminserver, which upserts exactly
those keys, and reloads the ui's cache. GET shows the valid keys without the passwords, as
{"key": {"value": V, "editable": true}}, auth_mode editable only while the user table holds
just admin and anonymous.
"""
from .settings import DEFAULT_SCAN_ALL_POLICY, PASSWORD_KEYS


class BadRequest(Exception):
    pass


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _gotype(v):
    return {str: "string", bool: "bool", int: "float64", float: "float64", dict: "map[string]interface {}",
            list: "[]interface {}", type(None): "<nil>"}.get(type(v), type(v).__name__)


def _goval(v):
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def pick_valid(body, settings):
    return {k: body[k] for k in settings.valid_keys if k in body}


def validate(c, settings, current_cfg, auth_mode_can_change):
    """validateCfg: raises BadRequest(message)."""
    str_map, num_map = {}, {}
    for k in settings.str_keys:
        if k in c:
            if not isinstance(c[k], str):
                raise BadRequest("Invalid value type, expected string, key: %s, value: %s, type: %s"
                                 % (k, _goval(c[k]), _gotype(c[k])))
            str_map[k] = c[k]
    for k in settings.num_keys:
        if k in c:
            if not _is_num(c[k]):
                raise BadRequest("Invalid value type, expected float64, key: %s, value: %s, type: %s"
                                 % (k, _goval(c[k]), _gotype(c[k])))
            num_map[k] = int(c[k])
    for k in settings.bool_keys:
        if k in c and not isinstance(c[k], bool):
            raise BadRequest("Invalid value type, expected bool, key: %s, value: %s, type: %s"
                             % (k, _goval(c[k]), _gotype(c[k])))
    mode = current_cfg.get("auth_mode", "")
    if "auth_mode" in str_map:
        value = str_map["auth_mode"]
        if value not in ("db_auth", "ldap_auth", "uaa_auth"):
            raise BadRequest("invalid auth_mode, shoud be one of db_auth, ldap_auth, uaa_auth")
        if mode != value and not auth_mode_can_change():
            raise BadRequest("auth_mode can not be modified as new users have been inserted into database")
        mode = value
    if mode == "ldap_auth":
        for k in ("ldap_url", "ldap_base_dn", "ldap_uid"):
            if not current_cfg.get(k) and k not in str_map:
                raise BadRequest("%s is missing" % k)
        if int(current_cfg.get("ldap_scope") or 0) == 0 and "ldap_scope" not in num_map:
            raise BadRequest("ldap_scope is missing")
    for k in ("ldap_url", "ldap_base_dn", "ldap_uid"):
        if k in str_map and str_map[k] == "":
            raise BadRequest("%s is empty" % k)
    if "ldap_scope" in num_map and num_map["ldap_scope"] not in (0, 1, 2):
        raise BadRequest("invalid ldap_scope, should be 0, 1 or 2")
    for k, n in num_map.items():
        if n < 0 or (k in ("email_port", "mysql_port") and n > 65535):
            raise BadRequest("invalid %s: %d" % (k, n))
    crt = str_map.get("project_creation_restriction")
    if crt is not None and crt not in ("everyone", "adminonly"):
        raise BadRequest("invalid project_creation_restriction, should be adminonly or everyone")


def convert_for_get(cfg, settings, auth_mode_editable):
    shown = {k: cfg[k] for k in settings.valid_keys if k in cfg and k not in PASSWORD_KEYS}
    shown.setdefault("scan_all_policy", DEFAULT_SCAN_ALL_POLICY)
    out = {k: {"value": v, "editable": True} for k, v in shown.items()}
    if "auth_mode" in out:
        out["auth_mode"]["editable"] = auth_mode_editable
    return out
