"""The supervisor passcode, kept in the store only as a salted scrypt hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Protocol

from empathy_training.errors import InputError

#: Setting under which the hashed passcode is stored.
PASSCODE_SETTING = "supervisor_passcode"
#: Shortest passcode accepted.
MIN_PASSCODE_LENGTH = 4
#: Longest passcode accepted (hashing a huge string would tie up the server).
MAX_PASSCODE_LENGTH = 1024
#: The hashing scheme written by `set_passcode`.
SCHEME = "scrypt"
#: scrypt cost parameters: CPU/memory cost, block size, parallelism (16 MiB, tens of ms).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
#: Bytes of random salt and of derived key.
SALT_BYTES = 16
KEY_BYTES = 32
# Refuse stored parameters that would make one check take minutes or gigabytes.
_MAX_N = 2**20
_MAX_MEMORY = 2**30


class SettingStore(Protocol):
    """The part of `storage.Store` this module uses."""

    def get_setting(self, key: str) -> str | None:
        """The value stored under `key`, or None."""

    def set_setting(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any earlier value."""


def set_passcode(store: SettingStore, passcode: str) -> None:
    """Store a new salted hash of `passcode`, replacing any earlier one; never the passcode."""
    if len(passcode) < MIN_PASSCODE_LENGTH:
        raise InputError(
            f"A supervisor passcode must be at least {MIN_PASSCODE_LENGTH} characters."
        )
    if len(passcode) > MAX_PASSCODE_LENGTH:
        raise InputError(f"A supervisor passcode must be at most {MAX_PASSCODE_LENGTH} characters.")
    store.set_setting(PASSCODE_SETTING, hash_secret(passcode))


def hash_secret(secret: str, n: int = SCRYPT_N) -> str:
    """A salted scrypt hash of `secret` in the stored form scheme$params$salt$hash."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(secret, salt, n, SCRYPT_R, SCRYPT_P)
    return f"{SCHEME}$n={n},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(key)}"


def secret_matches(stored: str, attempt: str) -> bool:
    """Whether `attempt` is the secret `stored` hashes, in time that does not leak where."""
    if len(attempt) > MAX_PASSCODE_LENGTH:
        return False
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    actual = _derive(attempt, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def has_passcode(store: SettingStore) -> bool:
    """Whether a supervisor passcode has been set."""
    return bool(store.get_setting(PASSCODE_SETTING))


def check_passcode(store: SettingStore, attempt: str) -> bool:
    """Whether `attempt` is the supervisor passcode; False when none is set.

    The comparison takes the same time wherever the hashes differ.
    """
    stored = store.get_setting(PASSCODE_SETTING)
    return bool(stored) and secret_matches(stored or "", attempt)


def _derive(passcode: str, salt: bytes, n: int, r: int, p: int, length: int = KEY_BYTES) -> bytes:
    memory = 128 * n * r * p + 2**20
    return hashlib.scrypt(
        passcode.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=length
    )


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    """scheme$n=..,r=..,p=..$salt$hash -> (n, r, p, salt, hash), or None if not understood."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != SCHEME:
        return None
    try:
        params = dict(item.split("=", 1) for item in parts[1].split(","))
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        salt = base64.b64decode(parts[2], validate=True)
        key = base64.b64decode(parts[3], validate=True)
    except (ValueError, KeyError):
        return None
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and r > 0 and p > 0 and salt and key):
        return None
    if 128 * n * r * p > _MAX_MEMORY:
        return None
    return n, r, p, salt, key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
