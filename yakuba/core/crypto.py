"""Encryption at rest for 個人番号 and other secrets, with a key kept outside the database.

``encrypt``/``decrypt`` use Fernet (AES-128-CBC with HMAC-SHA256) with the key in ``YAKUBA_FIELD_KEY``.
``blind_index`` gives a keyed hash so that equality (is this 個人番号 already registered?) can be
checked without decrypting every row; it is derived from the same key, so it is useless without it.
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


@functools.cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def _key() -> str:
    return str(settings.YAKUBA_FIELD_KEY)


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _fernet(_key()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    return _fernet(_key()).decrypt(token.encode()).decode()


def blind_index(plaintext: str, *, purpose: str) -> str:
    if not plaintext:
        return ""
    secret = hashlib.sha256(base64.urlsafe_b64decode(_key()) + purpose.encode()).digest()
    return hmac.new(secret, plaintext.encode(), hashlib.sha256).hexdigest()
