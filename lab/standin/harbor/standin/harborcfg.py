"""harbor.cfg as Harbor 1.4's prepare reads it: an INI file without a section, every
key read with rcp.get (so a missing key is fatal), then validate()'s checks.

Unlike Harbor's prepare, which stops at the first problem, this reports them all.
"""
import configparser
import hashlib
import os

# Every key Harbor 1.4's prepare reads unconditionally (a missing one is a NoOptionError there).
REQUIRED = [
    "hostname", "ui_url_protocol", "max_job_workers", "customize_crt", "secretkey_path",
    "log_rotate_count", "log_rotate_size",
    "email_identity", "email_server", "email_server_port", "email_username", "email_password",
    "email_from", "email_ssl", "email_insecure",
    "harbor_admin_password", "auth_mode", "ldap_url", "ldap_basedn", "ldap_uid", "ldap_scope",
    "ldap_timeout", "self_registration", "token_expiration", "project_creation_restriction",
    "verify_remote_cert",
    "db_host", "db_password", "db_port", "db_user",
    "clair_db_host", "clair_db_password", "clair_db_port", "clair_db_username", "clair_db",
    "uaa_endpoint", "uaa_clientid", "uaa_clientsecret", "uaa_verify_cert", "uaa_ca_cert",
    "registry_storage_provider_name", "registry_storage_provider_config",
]
REQUIRED_WITH_CLAIR = ["http_proxy", "https_proxy", "no_proxy"]
# Shown only as sha256 in /standin/state.
SECRET_KEYS = {
    "harbor_admin_password", "db_password", "email_password", "ldap_search_pwd",
    "clair_db_password", "uaa_clientsecret", "registry_storage_provider_config",
}
ENUMS = {
    "ui_url_protocol": ("http", "https"),
    "customize_crt": ("on", "off"),
    "auth_mode": ("db_auth", "ldap_auth", "uaa_auth"),
    "self_registration": ("on", "off"),
    "project_creation_restriction": ("everyone", "adminonly"),
    "verify_remote_cert": ("on", "off"),
}
INTEGERS = ("max_job_workers", "db_port", "token_expiration", "email_server_port",
            "ldap_scope", "ldap_timeout", "log_rotate_count", "clair_db_port")


def read_cfg(path):
    """harbor.cfg → dict (last value wins for a repeated key, as in Harbor's Python 2 parser)."""
    rcp = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",),
                                       comment_prefixes=("#",), inline_comment_prefixes=None)
    with open(path) as f:
        rcp.read_string("[configuration]\n" + f.read(), source=path)
    return {k: v.strip() for k, v in rcp.items("configuration")}


def parse_redis_url(value):
    """Harbor 1.4's redis_url (beego's save path): host:port[,pool_size[,password[,db_index]]]."""
    parts = value.split(",")
    host, _, port = parts[0].strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("must be host:port[,pool_size,password,db_index], e.g. 10.0.0.5:6379,100,secret,0")
    password = parts[2] if len(parts) > 2 else ""
    db = parts[3].strip() if len(parts) > 3 and parts[3].strip() else "0"
    if not db.isdigit():
        raise ValueError("its db_index (4th field) must be a number")
    return {"host": host, "port": int(port), "password": password, "db_index": int(db)}


def validate(cfg, ha, clair):
    """Every problem with the configuration, as 'key: message' lines (empty when fine)."""
    problems = []
    required = REQUIRED + (REQUIRED_WITH_CLAIR if clair else [])
    for key in required:
        if key not in cfg:
            problems.append("%s: missing (Harbor's prepare reads it: NoOptionError)" % key)
    for key, allowed in ENUMS.items():
        if key in cfg and cfg[key] not in allowed:
            problems.append("%s: invalid value %r; must be one of %s" % (key, cfg[key], ", ".join(allowed)))
    for key in INTEGERS:
        if cfg.get(key, "0") and not cfg.get(key, "0").isdigit():
            problems.append("%s: invalid value %r; must be a whole number" % (key, cfg[key]))
    host = cfg.get("hostname", "")
    if "hostname" in cfg and (not host or host in ("localhost", "127.0.0.1")):
        problems.append("hostname: %r cannot be used; set the name clients reach Harbor by" % host)
    if cfg.get("ui_url_protocol") == "https":
        for key, what in (("ssl_cert", "certificate"), ("ssl_cert_key", "certificate key")):
            if key not in cfg:
                problems.append("%s: the protocol is https but %s is not set" % (key, key))
            elif not os.path.isfile(cfg[key]):
                problems.append("%s: the path for %s: %s is invalid (no such file)" % (key, what, cfg[key]))
    if ha:
        problems += validate_ha(cfg, clair)
    return problems


def validate_ha(cfg, clair):
    problems = []
    if cfg.get("db_host") == "mysql":
        problems.append("db_host: in HA mode it needs to point to an external DB address")
    if "redis_url" not in cfg or not cfg["redis_url"]:
        problems.append("redis_url: in HA mode it needs to point to a Redis server")
    else:
        try:
            parse_redis_url(cfg["redis_url"])
        except ValueError as e:
            problems.append("redis_url: %s" % e)
    if clair and cfg.get("clair_db_host") == "postgres":
        problems.append("clair_db_host: in HA mode it needs to point to an external Postgres DB address")
    return problems


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def redact(cfg):
    """The config with every secret value replaced by sha256:<hex of the value>."""
    out = {}
    for key, value in cfg.items():
        if key in SECRET_KEYS:
            out[key] = "sha256:" + sha256(value)
        elif key == "redis_url" and value.count(",") >= 2:
            parts = value.split(",")
            parts[2] = "sha256:" + sha256(parts[2])
            out[key] = ",".join(parts)
        else:
            out[key] = value
    return out
