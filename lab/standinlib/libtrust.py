"""The token signing key as Harbor 1.x's ui loads and uses it: docker/libtrust (vendored in
goharbor/harbor v1.4.0/v1.5.4 under src/vendor/github.com/docker/libtrust).

- LoadKeyFile (key_files.go): a missing file is "key file does not exist"; a name ending in
  .json/.jwk would be JWK (not supported here); otherwise UnmarshalPrivateKeyPEM (key.go):
  the FIRST PEM block must be "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (SEC1); any other
  type, PKCS#8 "PRIVATE KEY" included, fails with "unable to get PrivateKey from PEM type: T".
  Every error is wrapped as "unable to decode private key PEM: ...".
- KeyID (util.go keyIDFromCryptoKey): SHA-256 of the DER public key, first 240 bits, base32,
  in 12 groups of 4 joined by ':'.
- Sign: RSA PKCS#1 v1.5 with the asked hash; EC with the curve's hash, signature r||s.
"""
import base64
import hashlib
import re

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

_PEM = re.compile(rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----", re.S)


class LibtrustError(Exception):
    pass


def _der_children_tags(der):
    """Tags of the elements inside the outer SEQUENCE (enough to tell PKCS#1/SEC1 from PKCS#8)."""
    if not der or der[0] != 0x30:
        raise LibtrustError("asn1: structure error: tags don't match (16 vs tag %d)" % (der[0] if der else -1))
    i = 1
    n = der[i]
    i += 1 + (n & 0x7F if n & 0x80 else 0)
    tags = []
    while i < len(der) and len(tags) < 2:
        tags.append(der[i])
        n = der[i + 1]
        if n & 0x80:
            k = n & 0x7F
            size = int.from_bytes(der[i + 2:i + 2 + k], "big")
            i += 2 + k + size
        else:
            i += 2 + n
    return tags


def _pem_block(data):
    m = _PEM.search(data)
    if not m:
        raise LibtrustError("unable to find PEM encoded data")
    body = m.group(2)
    if b"\n\n" in body.replace(b"\r", b""):  # RFC 1421 headers before the blank line
        body = body.replace(b"\r", b"").split(b"\n\n", 1)[1]
    try:
        return m.group(1).decode(), base64.b64decode(b"".join(body.split()), validate=True)
    except ValueError:
        raise LibtrustError("unable to find PEM encoded data")


def _parse(pem_type, der):
    if pem_type == "RSA PRIVATE KEY":
        tags = _der_children_tags(der)
        if tags[:2] != [0x02, 0x02]:  # version INTEGER, modulus INTEGER
            raise LibtrustError("unable to decode RSA Private Key PEM data: asn1: structure error: "
                                "tags don't match (2 vs tag %d)" % (tags[1] if len(tags) > 1 else -1))
        try:
            key = serialization.load_der_private_key(der, None)
        except ValueError as e:
            raise LibtrustError("unable to decode RSA Private Key PEM data: %s" % e)
        return key
    if pem_type == "EC PRIVATE KEY":
        tags = _der_children_tags(der)
        if tags[:2] != [0x02, 0x04]:  # version INTEGER, privateKey OCTET STRING
            raise LibtrustError("unable to decode EC Private Key PEM data: asn1: structure error")
        try:
            return serialization.load_der_private_key(der, None)
        except ValueError as e:
            raise LibtrustError("unable to decode EC Private Key PEM data: %s" % e)
    raise LibtrustError("unable to get PrivateKey from PEM type: %s" % pem_type)


class PrivateKey:
    def __init__(self, key):
        self.key = key

    def key_id(self):
        der = self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
        s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
        return ":".join(s[i:i + 4] for i in range(0, len(s), 4))

    def sign(self, payload):
        """(signature bytes, alg) as libtrust's Sign with crypto.SHA256."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(payload, padding.PKCS1v15(), hashes.SHA256()), "RS256"
        curve = self.key.curve
        bits = curve.key_size
        algo = {256: (hashes.SHA256(), "ES256"), 384: (hashes.SHA384(), "ES384")}.get(bits, (hashes.SHA512(), "ES512"))
        r, s = decode_dss_signature(self.key.sign(payload, ec.ECDSA(algo[0])))
        size = (bits + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big"), algo[1]


# Parsed keys by the exact bytes read. OpenSSL's RSA key check costs about 0.2 s of CPU for a
# 4096-bit key (Go's libtrust does not check), and the ui loads the key for every token: every
# health check's /api/repositories/top. Uncached, the health checks of a 3-node lab kept a core
# busy and pushed that request past check.sh's budget on a loaded machine. The file is still read
# each time, so a changed or broken key is noticed on the next token, as in Harbor.
_PARSED = {}


def load_key_file(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise LibtrustError("key file does not exist")
    except OSError as e:
        raise LibtrustError("unable to read key file %s: %s" % (path, e.strerror))
    if path.endswith((".json", ".jwk")):
        raise LibtrustError("unable to decode private key JWK: not supported by the lab's stand-in")
    try:
        key = _PARSED.get(data)
        if key is None:
            pem_type, der = _pem_block(data)
            key = PrivateKey(_parse(pem_type, der))
            _PARSED.clear()  # one key at a time: a rotation replaces it
            _PARSED[data] = key
        return key
    except LibtrustError as e:
        raise LibtrustError("unable to decode private key PEM: %s" % e)
