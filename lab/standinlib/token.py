"""Registry tokens as Harbor 1.x's ui makes them: src/ui/service/token/authutils.go (v1.4.0,
unchanged in v1.5.4).

- The key is loaded from /etc/ui/private_key.pem with libtrust on EVERY token (MakeToken), not
  at start: a key libtrust refuses makes each token request fail (500), the ui keeps running.
- JOSE header {"typ":"JWT","alg":"RS256","kid":<libtrust key id>} (alg is RS256 whatever the key).
- Claims: iss "harbor-token-issuer", sub = user, aud = service, exp = now + token_expiration
  minutes, nbf = iat = now, jti = 16 random alphanumerics, access = the filtered scopes.
- Answer {"token", "expires_in" (seconds), "issued_at" (RFC 3339)}.
"""
import base64
import json
import os
import time

from . import libtrust

ISSUER = "harbor-token-issuer"
PRIVATE_KEY = "/etc/ui/private_key.pem"
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _compact(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def resource_actions(scopes):
    """GetResourceActions: "type:name:act1,act2" (the name may hold ':') -> dicts."""
    out = []
    for s in scopes:
        if not s:
            continue
        items = s.split(":")
        actions = []
        if len(items) == 1:
            typ, name = items[0], ""
        elif len(items) == 2:
            typ, name = items
        else:
            typ, name = items[0], ":".join(items[1:-1])
            if items[-1]:
                actions = items[-1].split(",")
        out.append({"type": typ, "name": name, "actions": actions})
    return out


def perm_to_actions(perm):
    res = []
    if "W" in perm:
        res.append("push")
    if "M" in perm:
        res.append("*")
    if "R" in perm:
        res.append("pull")
    return res


def make_token(username, service, access, expiration_minutes, key_path=PRIVATE_KEY):
    """Raises libtrust.LibtrustError when the key cannot be loaded, as Harbor's MakeToken."""
    key = libtrust.load_key_file(key_path)
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "kid": key.key_id()}
    claims = {
        "iss": ISSUER, "sub": username, "aud": service,
        "exp": now + expiration_minutes * 60, "nbf": now, "iat": now,
        "jti": "".join(_ALNUM[b % len(_ALNUM)] for b in os.urandom(16)),
        "access": access,
    }
    payload = "%s.%s" % (_b64url(_compact(header)), _b64url(_compact(claims)))
    signature, _alg = key.sign(payload.encode())
    return {
        "token": "%s.%s" % (payload, _b64url(signature)),
        "expires_in": expiration_minutes * 60,
        "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    }
