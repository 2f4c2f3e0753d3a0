"""Harbor 1.x's secretkey encryption, password hashing and random strings, as in
goharbor/harbor src/common/utils/encrypt.go and utils.go (v1.4.0, unchanged in v1.5.4):

- ReversibleEncrypt: "<enc-v1>" + base64(IV(16) || AES-CFB(plaintext)), the AES key being the
  secretkey file's bytes as they are (16 bytes from prepare -> AES-128). There is no MAC: a
  wrong key of the right length decrypts to garbage without any error, as in Harbor.
- ReversibleDecrypt: without the header the value is plain base64 (the pre-1.3 format).
- Encrypt (user passwords): hex(PBKDF2-HMAC-SHA1(password, salt, 4096 rounds, 16 bytes)).
- GenerateRandomString: 32 characters of [a-z0-9] (each random byte modulo 36).
"""
import base64
import binascii
import hashlib
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ENC_HEADER = "<enc-v1>"


class KeyError_(Exception):
    pass


def _aes(key):
    if len(key) not in (16, 24, 32):
        raise KeyError_("crypto/aes: invalid key size %d" % len(key))  # Go's aes.KeySizeError
    return algorithms.AES(key)


def encrypt(plaintext, key):
    """plaintext: str (may hold undecodable bytes as surrogates, from a wrong-key decryption)."""
    iv = os.urandom(16)
    enc = Cipher(_aes(key), modes.CFB(iv)).encryptor()
    data = plaintext.encode("utf-8", "surrogateescape")
    return ENC_HEADER + base64.b64encode(iv + enc.update(data) + enc.finalize()).decode()


def decrypt(value, key):
    try:
        if not value.startswith(ENC_HEADER):
            return base64.b64decode(value, validate=True).decode("utf-8", "surrogateescape")
        raw = base64.b64decode(value[len(ENC_HEADER):], validate=True)
    except (binascii.Error, ValueError) as e:
        raise KeyError_("illegal base64 data: %s" % e)
    if len(raw) < 16:
        raise KeyError_("cipherText too short")
    dec = Cipher(_aes(key), modes.CFB(raw[:16])).decryptor()
    return (dec.update(raw[16:]) + dec.finalize()).decode("utf-8", "surrogateescape")


def read_key(path):
    """FileKeyProvider.Get: the whole file, no trimming."""
    with open(path, "rb") as f:
        return f.read()


def hash_password(password, salt):
    return hashlib.pbkdf2_hmac("sha1", password.encode(), salt.encode(), 4096, 16).hex()


def random_string(length=32):
    chars = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(chars[b % len(chars)] for b in os.urandom(length))


def printable(value):
    """What Go's JSON encoder makes of a string holding invalid UTF-8: U+FFFD for each bad byte."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value
