"""The ui stand-in's routes (goharbor/harbor src/ui/router.go, v1.4.0 / v1.5.4). Each request
first gets its security context (filter/security.go); POSTs under /api/ need Content-Type
application/json (filter/mediatype.go, else 415).
"""
import json
import os
import re
import threading
from urllib.parse import parse_qs

from . import log, uiconfigapi, uiproxy, uiregistry, uitoken
from .httpserver import Handler
from .secrets import printable
from .uidao import go_time
from .uisecurity import request_context

CA_CERT = "/etc/ui/ca/ca.crt"


class State:
    def __init__(self, release, settings, manager, dao, registry_url):
        self.release, self.settings, self.manager, self.dao = release, settings, manager, dao
        self.registry_url = registry_url
        self.registry = uiregistry.RegistryClient(registry_url, 30)
        self.events_lock = threading.Lock()


class UIHandler(Handler):
    state = None
    json_indent = 2  # beego ServeJSON in runmode dev
    routes = [
        ("GET", r"/api/systeminfo", "systeminfo"),
        ("GET", r"/api/systeminfo/getcert", "getcert"),
        ("GET", r"/api/systeminfo/volumes", "volumes"),
        ("GET", r"/api/ping", "ping"),
        ("GET", r"/api/configurations", "get_configurations"),
        ("PUT", r"/api/configurations", "put_configurations"),
        ("POST", r"/api/configurations/reset", "reset_configurations"),
        ("GET", r"/api/users/(current|\d+)", "get_user"),
        ("GET", r"/api/repositories/top", "top_repos"),
        ("POST", r"/api/internal/syncregistry", "internal_sync"),
        ("GET", r"/service/token", "token"),
        ("POST", r"/service/notifications", "notifications"),
    ]

    def _dispatch(self):
        st = self.state
        path = self.path.partition("?")[0]
        if path == "/api/ping" and not st.release.is_15:
            path = "/"  # 1.4 has no /api/ping
        self._body_read = False
        try:
            self.cfg = st.manager.get()  # cached for cfg_expiration s (common/config/config.go)
        except Exception as e:
            log.error("failed to get configurations: %s" % e)
            self.cfg = None  # what needs a setting then fails, as Harbor's config.X() calls do
        self.ctx = request_context(self, st.dao, self.cfg, st.release)
        if path.startswith("/registryproxy/"):
            self.path_only, _, self.query = self.path.partition("?")
            self._started = False
            try:
                return uiproxy.handle(self, self.path_only[len("/registryproxy"):], st.registry_url,
                                      st.registry, st.dao, self.cfg or {})
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception as e:
                log.error("registry proxy: %r" % e)
                if self._started:
                    self.close_connection = True
                else:
                    self.http_error(502, "")
            return
        if path.startswith("/api/") and self.command == "POST" and \
                self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._drain()
            return self.reply(415)
        super()._dispatch()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    # -- helpers (common/api/base.go)
    def _need_admin(self):
        if not self.ctx.authenticated:
            log.info("unauthorized", at="base.go:59")
            self.http_error(401, "")
            return False
        if not self.ctx.sysadmin:
            log.info("forbidden: %s" % self.ctx.username, at="base.go:65")
            self.http_error(403, "")
            return False
        return True

    def _params(self):
        return parse_qs(self.query, keep_blank_values=True)

    # -- /api/systeminfo* (api/systeminfo.go)
    def systeminfo(self):
        try:
            cfg = self.state.manager.load()  # GetGeneralInfo reads them afresh (config.GetSystemCfg)
        except Exception as e:
            log.error("Error occured getting config: %s" % e, at="systeminfo.go:160")
            return self.http_error(500, "Unexpected error")
        ext = cfg.get("ext_endpoint", "")
        parts = ext.split("://")
        admiral = cfg.get("admiral_url", "")
        info = {
            "with_notary": bool(cfg.get("with_notary")), "with_clair": bool(cfg.get("with_clair")),
            "with_admiral": bool(admiral) and admiral != "NA", "admiral_endpoint": admiral,
            "auth_mode": cfg.get("auth_mode", ""), "registry_url": parts[1] if len(parts) > 1 else parts[0],
            "project_creation_restriction": cfg.get("project_creation_restriction", ""),
            "self_registration": bool(cfg.get("self_registration")),
            "has_ca_root": os.path.exists(CA_CERT), "harbor_version": self.state.release.tag,
            "next_scan_all": 0,
        }
        if info["with_clair"]:
            info["clair_vulnerability_status"] = {}  # the lab's Clair has no vulnerability data
        info["registry_storage_provider_name"] = cfg.get("registry_storage_provider_name", "")
        if self.state.release.is_15:
            info["read_only"] = bool(cfg.get("read_only"))
        self.reply_json(info)

    def getcert(self):
        if not self._need_admin():
            return
        try:
            with open(CA_CERT, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            log.error("No certificate found.", at="systeminfo.go:147")
            return self.http_error(404, "No certificate found.")
        self.reply(200, data, "application/octet-stream", [("Content-Disposition", "attachment; filename=ca.crt")])

    def volumes(self):
        if not self._need_admin():
            return
        try:
            cap = self.state.manager.client.capacity()
        except Exception as e:
            log.error("failed to get capacity: %s" % e, at="systeminfo.go:121")
            return self.http_error(500)
        self.reply_json({"storage": {"total": cap["total"], "free": cap["free"]}})

    def ping(self):
        self.reply_json("Pong")

    # -- /api/configurations (api/config.go)
    def get_configurations(self):
        if not self._need_admin():
            return
        try:
            cfg = self.state.manager.load()
            out = uiconfigapi.convert_for_get(cfg, self.state.settings, self.state.dao.user_count() == 2)
        except Exception as e:
            log.error("failed to get configurations: %s" % e, at="config.go:128")
            return self.http_error(500)
        self.reply_json({k: {"value": printable(v["value"]), "editable": v["editable"]} for k, v in out.items()})

    def put_configurations(self):
        if not self._need_admin():
            return
        try:
            body = json.loads(self.body() or b"null")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError as e:
            log.error("Error while decoding the json request, error: %s" % e, at="base.go:121")
            return self.http_error(400, "Invalid json request")
        st = self.state
        cfg = uiconfigapi.pick_valid(body, st.settings)
        try:
            uiconfigapi.validate(cfg, st.settings, st.manager.get(), lambda: st.dao.user_count() == 2)
        except uiconfigapi.BadRequest as e:
            return self.http_error(400, str(e))
        except Exception as e:
            log.error("failed to validate configurations: %s" % e, at="config.go:165")
            return self.http_error(500)
        try:
            st.manager.client.update_cfgs(cfg)
        except Exception as e:
            log.error("failed to upload configurations: %s" % e, at="config.go:173")
            return self.http_error(500)
        try:
            st.manager.load()
        except Exception as e:
            log.error("failed to load configurations: %s" % e, at="config.go:178")
            return self.http_error(500)
        self.reply(200)

    def reset_configurations(self):
        if not self._need_admin():
            return
        try:
            self.state.manager.client.reset_cfgs()
        except Exception as e:
            log.error("failed to reset configurations: %s" % e, at="config.go:191")
            return self.http_error(500)
        self.reply(200)

    # -- /api/users/:id (api/user.go)
    def get_user(self, which):
        if not self.ctx.authenticated:
            return self.http_error(401, "")
        dao = self.state.dao
        me = dao.get_user(username=self.ctx.username)
        if me is None:
            return self.http_error(500)
        uid = me["user_id"] if which == "current" else int(which)
        if uid != me["user_id"] and not self.ctx.sysadmin:
            log.error("Current user, id: %d does not have admin role, can not view other user's detail"
                      % me["user_id"], at="user.go:160")
            return self.http_error(403, "User does not have admin role")
        u = dao.get_user(user_id=uid)
        if u is None:
            return self.http_error(404, "")
        self.reply_json({
            "user_id": u["user_id"], "username": u["username"], "email": u["email"] or "", "password": "",
            "realname": u["realname"] or "", "comment": u["comment"] or "", "deleted": 0, "role_name": "",
            "role_id": 0, "has_admin_role": u["sysadmin_flag"] or 0, "reset_uuid": u["reset_uuid"] or "",
            "creation_time": go_time(u["creation_time"]), "update_time": go_time(u["update_time"]),
        })

    # -- /api/repositories/top (api/repository.go GetTopRepos)
    def top_repos(self):
        raw = self._params().get("count", ["10"])[0]
        if not re.fullmatch(r"[+-]?\d+", raw) or int(raw) <= 0:
            return self.http_error(400, "invalid count")
        dao = self.state.dao
        try:
            ids = dao.public_project_ids()
            if self.ctx.authenticated and self.ctx.kind == "local":
                ids += dao.member_project_ids(self.ctx.user["user_id"])
            repos = dao.top_repos(sorted(set(ids)), int(raw))
            out = []
            for r in repos:
                out.append({"id": r["repository_id"], "name": r["name"], "project_id": r["project_id"],
                            "description": r["description"] or "", "pull_count": r["pull_count"],
                            "star_count": r["star_count"], "tags_count": len(self.state.registry.tags(r["name"])),
                            "creation_time": go_time(r["creation_time"]), "update_time": go_time(r["update_time"])})
        except Exception as e:
            log.error("failed to get top repos: %s" % e, at="repository.go:1010")
            return self.http_error(500, "internal server error")
        self.reply_json(out)

    def internal_sync(self):
        if not self._need_admin():
            return
        try:
            uiregistry.sync_registry(self.state.dao, self.state.registry, self.state.registry_url)
        except Exception as e:
            log.error(str(e))
            return self.http_error(500)
        self.reply(200)

    # -- /service/token (standinlib/uitoken.py)
    def token(self):
        uitoken.serve(self)

    # -- /service/notifications (service/notifications/registry/handler.go)
    def notifications(self):
        try:
            notification = json.loads(self.body() or b"{}")
        except ValueError as e:
            log.error("failed to decode notification: %s" % e, at="handler.go:48")
            return self.reply(200)
        try:
            with self.state.events_lock:
                uiregistry.handle_events(self.state.dao, notification)
        except Exception as e:
            log.error("failed to handle notification: %s" % e, at="handler.go:70")
        self.reply(200)
