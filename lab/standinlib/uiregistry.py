"""The ui's own traffic with the registry, and the registry's events, as Harbor 1.x does them
(goharbor/harbor v1.4.0 / v1.5.4):

- RawTokenAuthorizer (src/common/utils/registry/auth): the ui signs its own token for
  "harbor-ui" with its key (MakeToken) for each call; a key libtrust refuses fails the call.
- SyncRegistry (src/ui/api/utils.go), run once at start: TestTCPConn to the registry (60 s),
  the catalog, then repositories the registry has (with tags, in an existing project) are added
  to the `repository` table and those it lacks are removed.
- NotificationHandler (src/ui/service/notifications/registry/handler.go): manifest push/pull
  events whose user agent starts with "docker" or "vic/" (push also "harbor-registry-client")
  add an access_log row, a repository row on push, a pull count on pull. Other clients' events
  (skopeo's, for instance) are ignored, as in Harbor; SyncRegistry picks their repositories up.
"""
import http.client
import json
import re
from urllib.parse import urlsplit

from . import log
from .net import test_tcp_conn
from .token import make_token

MANIFEST_MEDIA = re.compile(r"^application/vnd.docker.distribution.manifest.v\d\+(json|prettyjws)")
MANIFEST_ACCEPT = ", ".join(["application/vnd.docker.distribution.manifest.v2+json",
                             "application/vnd.docker.distribution.manifest.v1+prettyjws",
                             "application/vnd.docker.distribution.manifest.list.v2+json"])


class RegistryError(Exception):
    pass


class RegistryClient:
    def __init__(self, registry_url, expiration_minutes):
        u = urlsplit(registry_url if "://" in registry_url else "http://" + registry_url)
        self.host, self.port = u.hostname, u.port or 80
        self.expiration = expiration_minutes

    def _request(self, method, path, access, headers=None):
        tok = make_token("harbor-ui", "harbor-registry", access, self.expiration)["token"]
        h = {"Authorization": "Bearer " + tok}
        h.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, headers=h)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        except OSError as e:
            raise RegistryError("%s %s: %s" % (method, path, e))
        finally:
            conn.close()

    def catalog(self):
        repos, path = [], "/v2/_catalog?n=1000"
        while path:
            status, headers, body = self._request("GET", path, [{"type": "registry", "name": "catalog",
                                                                 "actions": ["*"]}])
            if status != 200:
                raise RegistryError("http error: code %d, message %s" % (status, body.decode(errors="replace")))
            repos += json.loads(body).get("repositories") or []
            link = dict((k.lower(), v) for k, v in headers).get("link", "")
            m = re.match(r"<([^>]+)>", link)
            path = m.group(1) if m else None
        return repos

    def tags(self, repo):
        status, _, body = self._request("GET", "/v2/%s/tags/list" % repo,
                                        [{"type": "repository", "name": repo, "actions": ["pull"]}])
        if status == 404:
            return []
        if status != 200:
            raise RegistryError("http error: code %d, message %s" % (status, body.decode(errors="replace")))
        return json.loads(body).get("tags") or []

    def manifest_digest(self, repo, reference):
        """ManifestExist: the digest, or "" when there is no such manifest."""
        status, headers, body = self._request("HEAD", "/v2/%s/manifests/%s" % (repo, reference),
                                              [{"type": "repository", "name": repo, "actions": ["pull"]}],
                                              {"Accept": MANIFEST_ACCEPT})
        if status == 404:
            return ""
        if status != 200:
            raise RegistryError("http error: code %d, message %s" % (status, body.decode(errors="replace")))
        return dict((k.lower(), v) for k, v in headers).get("docker-content-digest", "")


def sync_registry(dao, client, registry_url):
    log.info("Start syncing repositories from registry to DB... ", at="utils.go:163")
    addr = registry_url.split("://", 1)[-1].rstrip("/")
    test_tcp_conn(addr, 60, 2)
    in_registry = sorted(client.catalog())
    in_db = set(dao.repository_names())
    for repo in in_registry:
        if repo in in_db:
            if not client.tags(repo):
                dao.delete_repository(repo)
            continue
        project = dao.get_project(repo.split("/", 1)[0]) if "/" in repo else None
        if project is not None and client.tags(repo):
            dao.add_repository(repo, project["project_id"], dao.count_pull(repo))
    for repo in sorted(in_db - set(in_registry)):
        dao.delete_repository(repo)
    log.info("Sync repositories from registry to DB is done.", at="utils.go:236")


def handle_events(dao, notification):
    for event in notification.get("events") or []:
        target, request = event.get("target") or {}, event.get("request") or {}
        if not MANIFEST_MEDIA.match(target.get("mediaType", "")):
            continue
        agent, action = request.get("useragent", ""), event.get("action")
        wanted = (agent.startswith(("docker", "vic/")) and action in ("pull", "push")) or \
                 (agent.strip().lower() == "harbor-registry-client" and action == "push")
        if not wanted:
            continue
        repo = target.get("repository", "")
        project = dao.get_project(repo.split("/", 1)[0])
        if project is None:
            log.warning("project %s not found" % repo.split("/", 1)[0], at="handler.go:73")
            continue
        user = (event.get("actor") or {}).get("name") or "anonymous"
        dao.add_access_log(user, project["project_id"], repo, target.get("tag", ""), action)
        if action == "push" and not dao.repository_exists(repo):
            log.debug("Add repository %s into DB." % repo, at="handler.go:95")
            dao.add_repository(repo, project["project_id"])
        if action == "pull":
            dao.increase_pull_count(repo)
