"""Harbor 1.4/1.5's system settings: their keys, the env variables the adminserver reads them
from, their types, and which ones each API accepts.

Follows goharbor/harbor:
- src/adminserver/systemcfg/systemcfg.go  allEnvs, repeatLoadEnvs, attrs (v1.4.0 L47-181, v1.5.4 L49-217)
- src/adminserver/systemcfg/store/database/driver_db.go  numKeys, boolKeys, mapKeys
- src/common/const.go (v1.5.4 L113-195) and src/ui/api/config.go (v1.4.0 L29-99):
  the keys PUT /api/configurations accepts, their types, the password keys.
"""
STR, INT, BOOL = "str", "int", "bool"

# key -> (env, parse) read by the adminserver from its env file (allEnvs), v1.4.0.
_ALL_14 = {
    "ext_endpoint": ("EXT_ENDPOINT", STR), "auth_mode": ("AUTH_MODE", STR),
    "self_registration": ("SELF_REGISTRATION", BOOL), "database_type": ("DATABASE_TYPE", STR),
    "mysql_host": ("MYSQL_HOST", STR), "mysql_port": ("MYSQL_PORT", INT),
    "mysql_username": ("MYSQL_USR", STR), "mysql_password": ("MYSQL_PWD", STR),
    "mysql_database": ("MYSQL_DATABASE", STR), "sqlite_file": ("SQLITE_FILE", STR),
    "ldap_url": ("LDAP_URL", STR), "ldap_search_dn": ("LDAP_SEARCH_DN", STR),
    "ldap_search_password": ("LDAP_SEARCH_PWD", STR), "ldap_base_dn": ("LDAP_BASE_DN", STR),
    "ldap_filter": ("LDAP_FILTER", STR), "ldap_uid": ("LDAP_UID", STR),
    "ldap_scope": ("LDAP_SCOPE", INT), "ldap_timeout": ("LDAP_TIMEOUT", INT),
    "ldap_verify_cert": ("LDAP_VERIFY_CERT", BOOL),
    "email_host": ("EMAIL_HOST", STR), "email_port": ("EMAIL_PORT", INT),
    "email_username": ("EMAIL_USR", STR), "email_password": ("EMAIL_PWD", STR),
    "email_ssl": ("EMAIL_SSL", BOOL), "email_insecure": ("EMAIL_INSECURE", BOOL),
    "email_from": ("EMAIL_FROM", STR), "email_identity": ("EMAIL_IDENTITY", STR),
    "registry_url": ("REGISTRY_URL", STR), "token_expiration": ("TOKEN_EXPIRATION", INT),
    "cfg_expiration": ("CFG_EXPIRATION", INT), "max_job_workers": ("MAX_JOB_WORKERS", INT),
    "project_creation_restriction": ("PROJECT_CREATION_RESTRICTION", STR),
    "admin_initial_password": ("HARBOR_ADMIN_PASSWORD", STR), "admiral_url": ("ADMIRAL_URL", STR),
    "with_notary": ("WITH_NOTARY", BOOL), "with_clair": ("WITH_CLAIR", BOOL),
    "clair_db_password": ("CLAIR_DB_PASSWORD", STR), "clair_db": ("CLAIR_DB", STR),
    "clair_db_username": ("CLAIR_DB_USERNAME", STR), "clair_db_host": ("CLAIR_DB_HOST", STR),
    "clair_db_port": ("CLAIR_DB_PORT", STR),  # a plain string in 1.4 (no parser)
    "uaa_endpoint": ("UAA_ENDPOINT", STR), "uaa_client_id": ("UAA_CLIENTID", STR),
    "uaa_client_secret": ("UAA_CLIENTSECRET", STR), "uaa_verify_cert": ("UAA_VERIFY_CERT", BOOL),
    "ui_url": ("UI_URL", STR), "jobservice_url": ("JOBSERVICE_URL", STR),
    "registry_storage_provider_name": ("REGISTRY_STORAGE_PROVIDER_NAME", STR),
}
_ALL_15 = dict(_ALL_14, **{
    "ldap_group_base_dn": ("LDAP_GROUP_BASEDN", STR), "ldap_group_search_filter": ("LDAP_GROUP_FILTER", STR),
    "ldap_group_attribute_name": ("LDAP_GROUP_GID", STR), "ldap_group_search_scope": ("LDAP_GROUP_SCOPE", INT),
    "token_service_url": ("TOKEN_SERVICE_URL", STR), "clair_url": ("CLAIR_URL", STR),
    "notary_url": ("NOTARY_URL", STR), "read_only": ("READ_ONLY", BOOL), "reload_key": ("RELOAD_KEY", STR),
})

# repeatLoadEnvs: re-read from env on every adminserver start.
_REPEAT_14 = ["ext_endpoint", "mysql_password", "max_job_workers", "cfg_expiration", "admiral_url",
              "with_notary", "with_clair", "clair_db_password", "uaa_endpoint", "uaa_client_id",
              "uaa_client_secret", "uaa_verify_cert", "registry_storage_provider_name"]
_REPEAT_15 = _REPEAT_14 + ["mysql_host", "mysql_username", "mysql_database", "mysql_port",
                           "clair_db_host", "clair_db_username", "clair_db_port", "ui_url",
                           "jobservice_url", "registry_url", "token_service_url", "clair_url", "notary_url"]

# attrs: encrypted with the secretkey in the store.
ENCRYPTED = ["email_password", "ldap_search_password", "mysql_password", "admin_initial_password",
             "clair_db_password", "uaa_client_secret"]

# driver_db.go: how values read back from the properties table are typed.
DB_NUM_KEYS = {"email_port", "ldap_scope", "ldap_timeout", "token_expiration", "mysql_port",
               "max_job_workers", "cfg_expiration", "clair_db_port"}
_DB_BOOL_14 = {"with_clair", "with_notary", "self_registration", "email_ssl", "email_insecure",
               "ldap_verify_cert", "uaa_verify_cert"}
DB_MAP_KEYS = {"scan_all_policy"}

# ui/api/config.go: keys PUT /api/configurations keeps (GET shows), by type.
_PUT_STR_14 = ["auth_mode", "ldap_url", "ldap_search_dn", "ldap_search_password", "ldap_base_dn",
               "ldap_uid", "ldap_filter", "email_host", "email_username", "email_password",
               "email_from", "email_identity", "project_creation_restriction", "uaa_client_id",
               "uaa_endpoint"]
_PUT_NUM_14 = ["email_port", "ldap_scope", "ldap_timeout", "token_expiration"]
_PUT_BOOL_14 = ["email_ssl", "email_insecure", "self_registration", "ldap_verify_cert", "uaa_verify_cert"]
_VALID_14 = ["auth_mode", "self_registration", "ldap_url", "ldap_search_dn", "ldap_search_password",
             "ldap_base_dn", "ldap_uid", "ldap_filter", "ldap_scope", "ldap_timeout", "ldap_verify_cert",
             "email_host", "email_port", "email_username", "email_password", "email_from", "email_ssl",
             "email_identity", "email_insecure", "project_creation_restriction", "token_expiration",
             "scan_all_policy", "uaa_client_id", "uaa_client_secret", "uaa_endpoint", "uaa_verify_cert"]
_GROUP_KEYS = ["ldap_group_attribute_name", "ldap_group_base_dn", "ldap_group_search_filter",
               "ldap_group_search_scope"]
PASSWORD_KEYS = ["email_password", "ldap_search_password", "uaa_client_secret"]

# v1.5.4 common/const.go HarborStringKeysMap / NumKeysMap / BoolKeysMap: types and the defaults
# AddMissedKey fills in. 1.5's string keys drop uaa_client_secret (not type-checked there).
DEFAULTS_15 = {
    "auth_mode": "db_auth", "ldap_url": "", "ldap_search_dn": "", "ldap_search_password": "",
    "ldap_base_dn": "", "ldap_uid": "", "ldap_filter": "", "ldap_group_attribute_name": "",
    "ldap_group_base_dn": "", "ldap_group_search_filter": "", "email_host": "smtp.mydomain.com",
    "email_username": "sample_admin@mydomain.com", "email_password": "abc",
    "email_from": "admin <sample_admin@mydomain.com>", "email_identity": "",
    "project_creation_restriction": "everyone", "uaa_client_id": "", "uaa_endpoint": "",
    "email_port": 25, "ldap_scope": 2, "ldap_timeout": 5, "ldap_group_search_scope": 2,
    "token_expiration": 30,
    "email_ssl": False, "email_insecure": False, "self_registration": True,
    "ldap_verify_cert": True, "uaa_verify_cert": True, "read_only": False,
}

# models.DefaultScanAllPolicy (src/common/models/scan_job.go).
DEFAULT_SCAN_ALL_POLICY = {"type": "daily", "parameter": {"daily_time": 0}}


class Settings:
    """The key lists of one release."""

    def __init__(self, release):
        is15 = release.is_15
        self.all_envs = _ALL_15 if is15 else _ALL_14
        self.repeat_envs = _REPEAT_15 if is15 else _REPEAT_14
        self.db_bool_keys = _DB_BOOL_14 | ({"read_only"} if is15 else set())
        if is15:
            self.valid_keys = _VALID_14[:11] + _GROUP_KEYS + _VALID_14[11:] + ["read_only"]
            self.str_keys = [k for k, v in DEFAULTS_15.items() if isinstance(v, str)]
            self.num_keys = [k for k, v in DEFAULTS_15.items() if type(v) is int]
            self.bool_keys = [k for k, v in DEFAULTS_15.items() if isinstance(v, bool)]
        else:
            self.valid_keys = list(_VALID_14)
            self.str_keys, self.num_keys, self.bool_keys = _PUT_STR_14, _PUT_NUM_14, _PUT_BOOL_14
