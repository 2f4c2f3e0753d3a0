"""/registryproxy/*: Harbor 1.x's nginx sends /v2/ to http://ui/registryproxy/v2/, and the ui
passes it to the registry (src/ui/proxy/proxy.go, interceptors.go at v1.4.0 / v1.5.4):

- urlHandler: strips /registryproxy; for GET .../manifests/REF it first asks the registry for the
  digest with its own "harbor-ui" token (ManifestExist): an error there -> 500 with
  PROJECT_POLICY_VIOLATION "Failed due to internal Error: ..." (so a token key libtrust refuses
  breaks pulls here too);
- listReposHandler: GET /v2/_catalog answers only repositories the `repository` table knows;
- contentTrustHandler (with_notary, project enable_content_trust): the lab has no Notary, so it
  answers as Harbor does when Notary cannot be reached (500);
- vulnerableHandler (with_clair, project prevent_vul): 412 unless img_scan_overview says the
  image is below the project's severity;
- then httputil.ReverseProxy: same method, path, status and headers, every line of them (Host
  kept, X-Forwarded-For appended, hop-by-hop headers dropped), the body streamed both ways.
  Every line matters: docker and skopeo send one Accept line per manifest type, and a
  registry that saw only one of them would down-convert the manifest to schema 1.
"""
import http.client
import json
import re

from . import log

MANIFEST_URL = re.compile(r"^/v2/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)+)manifests/([\w][\w.:-]{0,127})")
# reverseproxy.go's hopHeaders; the headers a Connection line names go too (RFC 7230 6.1).
HOP = {"connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
       "trailer", "transfer-encoding", "upgrade"}
SEVERITY = {"negligible": 1, "unknown": 2, "low": 3, "medium": 4, "high": 5}


def policy_error(msg):
    return json.dumps({"errors": [{"code": "PROJECT_POLICY_VIOLATION", "message": msg, "detail": msg}]})


def handle(h, path, registry_url, client, dao, cfg):
    """h: the request handler; path: the URL path without /registryproxy (query in h.query)."""
    if h.command == "GET":
        m = MANIFEST_URL.match(path)
        if m:
            repo, ref = m.group(1).rstrip("/"), m.group(2)
            if "/" not in repo:
                return h.http_error(400, policy_error("Bad repository name: %s" % repo))
            try:
                digest = client.manifest_digest(repo, ref)
            except Exception as e:  # libtrust refusing the key lands here too
                log.error("Failed to get digest for reference: %s, error: %s" % (ref, e), at="interceptors.go:150")
                return h.http_error(500, policy_error("Failed due to internal Error: %s" % e))
            project = dao.get_project(repo.split("/", 1)[0])
            if digest and project is not None:
                meta = dao.project_metadata(project["project_id"])
                if cfg.get("with_notary") and meta.get("enable_content_trust") == "true":
                    return h.http_error(500, policy_error("Failed in communication with Notary please check the log"))
                if cfg.get("with_clair") and meta.get("prevent_vul") == "true":
                    sev = dao.scan_overview_sev(digest)
                    if not sev:
                        return h.http_error(412, policy_error("Cannot get the image severity."))
                    if sev >= SEVERITY.get(meta.get("severity", ""), 2):
                        return h.http_error(412, policy_error("The severity of vulnerability of the image is "
                                                              "equal or higher than the threshold in project setting."))
    _forward(h, path, registry_url, filter_catalog=(h.command == "GET" and path == "/v2/_catalog"), dao=dao)


def forward(h, path, registry_url):
    """The reverse proxy alone (Harbor 2.x's core passes /v2/ on after its own checks)."""
    _forward(h, path, registry_url, filter_catalog=False, dao=None)


def end_to_end(lines):
    """The header lines (name, value), every one and in order, without the hop-by-hop ones."""
    named = {token.strip().lower() for k, v in lines if k.lower() == "connection" for token in v.split(",")}
    return [(k, v) for k, v in lines if k.lower() not in HOP and k.lower() not in named]


def request_headers(lines, client_ip):
    """What ReverseProxy sends upstream: the end-to-end lines, X-Forwarded-For last, holding the
    earlier X-Forwarded-For values joined with ", " and then the client's address."""
    kept = end_to_end(lines)
    prior = [v for k, v in kept if k.lower() == "x-forwarded-for"]
    return [(k, v) for k, v in kept if k.lower() != "x-forwarded-for"] + [
        ("X-Forwarded-For", ", ".join(prior + [client_ip]))]


def _forward(h, path, registry_url, filter_catalog, dao):
    target = registry_url.split("://", 1)[-1].rstrip("/")
    host, _, port = target.partition(":")
    headers = request_headers(h.headers.items(), h.client_address[0])
    chunked = h.headers.get("Transfer-Encoding", "").lower() == "chunked"
    has_body = chunked or int(h.headers.get("Content-Length") or 0) > 0
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=600)
    try:
        conn.putrequest(h.command, path + ("?" + h.query if h.query else ""), skip_host=True,
                        skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        if has_body:
            for chunk in h.body_chunks():
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
    except (OSError, http.client.HTTPException) as e:
        log.error("http: proxy error: %s" % e, at="reverseproxy.go:194")
        h.close_connection = True  # the request body may be half read
        return h.http_error(502, "")
    try:
        out_headers = end_to_end(resp.getheaders())
        if filter_catalog and resp.status == 200:
            data = json.loads(resp.read() or b"{}")
            repos = [r for r in data.get("repositories") or [] if dao.repository_exists(r)]
            body = json.dumps({"repositories": repos or None}).encode()
            out_headers = [(k, v) for k, v in out_headers if k.lower() != "content-length"]
            return h.reply(resp.status, body, None, out_headers)
        h.send_status(resp.status, own_date=not any(k.lower() == "date" for k, _ in out_headers))
        for k, v in out_headers:
            h.send_header(k, v)
        length = resp.getheader("Content-Length")
        no_body = h.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
        if length is None and not no_body:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if no_body:
            return
        while True:
            chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
            if not chunk:
                break
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if length is None else chunk)
        if length is None:
            h.wfile.write(b"0\r\n\r\n")
    finally:
        conn.close()
