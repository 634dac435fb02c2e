"""Slow salted hashes (scrypt) of approval secrets, and checking a typed secret against one.

A stored hash reads ``scrypt$n$r$p$salt_hex$hash_hex``: the scrypt cost parameters, the
random salt and the derived key, so the parameters can be raised later without breaking
the hashes already stored. The plain secret is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata

SCHEME = "scrypt"
"""The first field of every stored hash."""

SCRYPT_N = 2**14
"""CPU/memory cost of new hashes (about 16 MiB and a few tens of milliseconds)."""

SCRYPT_R = 8
"""Block size of new hashes."""

SCRYPT_P = 1
"""Parallelism of new hashes."""

SALT_BYTES = 16
"""Length of the random salt of new hashes."""

KEY_BYTES = 32
"""Length of the derived key of new hashes."""

_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16
_MAXMEM = 256 * 1024 * 1024


def _key(plain: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    data = unicodedata.normalize("NFC", plain).encode("utf-8")
    return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_MAXMEM)


def hash_secret(plain: str, *, salt: bytes | None = None) -> str:
    """Return the scrypt hash of ``plain`` as ``scrypt$n$r$p$salt_hex$hash_hex``.

    The salt is random unless given (the demo book passes one drawn from its seed so that
    the same seed gives the same rows). The secret is NFC-normalised first, so the same
    word typed on different keyboards gives the same hash.
    """
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    key = _key(plain, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_secret(plain: str, hashed: str) -> bool:
    """True when ``plain`` is the secret ``hashed`` was made from.

    A malformed hash, or one whose cost parameters are out of the accepted range, never
    matches; the comparison of the derived keys takes constant time.
    """
    parts = hashed.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = bytes.fromhex(parts[4])
        expected = bytes.fromhex(parts[5])
    except ValueError:
        return False
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        return False
    if not salt or not 16 <= len(expected) <= 64:
        return False
    try:
        actual = _key(plain, salt, n, r, p, len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)
