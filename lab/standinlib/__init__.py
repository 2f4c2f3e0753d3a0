"""Shared pieces of the lab's stand-ins for Harbor 1.4/1.5's Go services (adminserver, ui,
jobservice). Each module follows one part of goharbor/harbor at tags v1.4.0 / v1.5.4 and names
the Go file it follows. Lab only: never ship it.

    release.py      which Harbor release this container is (from LAB_IMAGE)
    log.py          Harbor's log line format (src/common/utils/log)
    settings.py     Harbor's setting keys, env names and types (adminserver/systemcfg, common/const.go)
    secrets.py      secretkey encryption, password hashing, random strings (common/utils)
    net.py          TestTCPConn and Go-like dial errors (common/utils/utils.go)
    mysql.py        the registry database and its schema check (common/dao)
    redis.py        a tiny RESP client and Harbor's two Redis address formats
    libtrust.py     token key loading and key ids as docker/libtrust does
    token.py        registry tokens (ui/service/token/authutils.go)
    appconf.py      beego's app.conf (CONFIG_PATH)
    httpserver.py   the HTTP server the three services share
    adminclient.py  the adminserver client with the ui's config cache (adminserver/client, common/config)
    cfgstore.py     the adminserver's store and start-up rule (adminserver/systemcfg)
    jobconfig.py    the 1.5 jobservice's config.yml (jobservice/config)
    ui*.py          the ui: routes (uihandler), who is asking (uisecurity), database (uidao),
                    /api/configurations (uiconfigapi), /service/token (uitoken), the registry
                    (uiregistry) and /registryproxy (uiproxy)
"""
