"""Shared pieces of the lab's stand-ins for Harbor 2.x's Go services (v2/core.py, jobservice.py,
registryctl.py, portal.py). Each module follows goharbor/harbor at tag v2.15.1 and names the Go
file it follows; what 1.x and 2.x share (log format, HTTP server, libtrust, Redis) comes from
standinlib/. Lab only: never ship it.

    release.py     the Harbor release the stand-ins play, and the env files they read
    pgschema.py    the database: connection from the env prepare wrote, the schema migration
                   as golang-migrate records it (schema_migrations), the admin user
    v2auth.py      registry bearer tokens on /v2/: verification, scopes, the 401 challenge
"""
