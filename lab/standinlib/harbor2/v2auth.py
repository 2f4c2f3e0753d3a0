"""Who may do what on /v2/, as Harbor 2.x's core decides it before passing a request to the
registry (v2.15.1: src/server/middleware/security/v2_token.go, src/server/middleware/v2auth/auth.go,
src/pkg/token/token.go, src/core/service/token/authutils.go).

- The bearer token is parsed with core's own key (token.DefaultTokenOptions: RS256, the public
  half of /etc/core/private_key.pem): a token signed by another node's key, expired, or for
  another audience than "harbor-registry" gives no security context.
- Access: the token's `access` must list the repository with the action the method needs (GET/
  HEAD pull, DELETE delete, otherwise push); /v2/ itself needs any valid token.
- Without it: 401 with Harbor's challenge
  `Bearer realm="<EXT_ENDPOINT>/service/token",service="harbor-registry"[,scope="repository:R:A"]`
  and a JSON error {"errors":[{"code":"UNAUTHORIZED",...}]}.
"""
import base64
import json
import re
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from standinlib import libtrust

KEY_PATH = "/etc/core/private_key.pem"
SERVICE = "harbor-registry"
LEEWAY_S = 60  # common.JwtLeeway
REPO_PATH = re.compile(r"^/v2/(.+?)/(manifests|blobs|tags|referrers)(/.*)?$")


class TokenError(Exception):
    pass


def _b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify(token, key_path=KEY_PATH, now=None):
    """The claims of a token this core's key signed; raises TokenError otherwise."""
    try:
        head, body, sig = token.split(".")
        header, claims = json.loads(_b64(head)), json.loads(_b64(body))
    except ValueError as e:
        raise TokenError("token is malformed: %s" % e)
    if header.get("alg") != "RS256":
        raise TokenError("token is unverifiable: signing method %s is invalid" % header.get("alg"))
    public = libtrust.load_key_file(key_path).key.public_key()
    try:
        public.verify(_b64(sig), ("%s.%s" % (head, body)).encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise TokenError("token signature is invalid: crypto/rsa: verification error")
    now = time.time() if now is None else now
    if claims.get("exp") is not None and now > claims["exp"] + LEEWAY_S:
        raise TokenError("token has invalid claims: token is expired")
    if claims.get("nbf") is not None and now + LEEWAY_S < claims["nbf"]:
        raise TokenError("token has invalid claims: token is not valid yet")
    aud = claims.get("aud")
    if SERVICE not in (aud if isinstance(aud, list) else [aud]):
        raise TokenError("token has invalid claims: token has invalid audience")
    return claims


def needed(method, path):
    """(repository, action) a /v2/ request needs; (None, None) for /v2/ itself."""
    m = REPO_PATH.match(path)
    if not m:
        return None, None
    action = {"GET": "pull", "HEAD": "pull", "DELETE": "delete"}.get(method, "push")
    return m.group(1), action


def allows(claims, repository, action):
    if repository is None:
        return True
    for a in claims.get("access") or []:
        if a.get("type") == "repository" and a.get("name") == repository:
            acts = a.get("actions") or []
            if action in acts or "*" in acts:
                return True
    return False


def challenge(ext_endpoint, repository=None, action=None):
    """(WWW-Authenticate value, JSON body) of Harbor's 401."""
    value = 'Bearer realm="%s/service/token",service="%s"' % (ext_endpoint.rstrip("/"), SERVICE)
    if repository:
        scope_actions = "pull" if action == "pull" else "pull,push" if action == "push" else action
        value += ',scope="repository:%s:%s"' % (repository, scope_actions)
        msg = "unauthorized to access repository: %s, action: %s: unauthorized to access repository: %s, action: %s" % (
            repository, action, repository, action)
    else:
        msg = "unauthorized"
    return value, json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": msg}]}).encode()
