"""Personal data at rest: Fernet encryption for values, HMAC blind indexes for exact lookup.

Values are encrypted with a MultiFernet built from FIELD_ENCRYPTION_KEYS (the first key
encrypts, every key decrypts, so keys rotate without downtime; `rotate_encryption_keys`
re-encrypts old rows). Exact-match lookup of an encrypted value goes through a blind index:
an HMAC-SHA256 of the normalised value under BLIND_INDEX_KEY, which does not change when the
Fernet keys rotate.
"""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


@functools.lru_cache(maxsize=1)
def _multifernet():
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _keys_changed(setting, **kwargs):
    if setting in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        _multifernet.cache_clear()


def encrypt_text(value: str) -> str:
    return _multifernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _multifernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        # A key that encrypted this row was removed from FIELD_ENCRYPTION_KEYS: say so plainly.
        raise InvalidToken(
            "cannot decrypt: the key that encrypted this value is not in FIELD_ENCRYPTION_KEYS"
        ) from None


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the newest key (a no-op in meaning, a new ciphertext)."""
    return _multifernet().rotate(token.encode("ascii")).decode("ascii")


def token_uses_primary_key(token: str) -> bool:
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(token.encode("ascii"))
        return True
    except InvalidToken:
        return False


def blind_index(kind: str, normalised_value: str) -> str:
    """Keyed hash of an already-normalised value; `kind` keeps phone and email indexes apart."""
    message = f"{kind}:{normalised_value}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode("utf-8"), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as Fernet ciphertext; plaintext exists only in memory.

    It cannot be filtered or sorted on: look values up through their blind index instead.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
