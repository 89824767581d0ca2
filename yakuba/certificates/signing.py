"""The city's signature on certificates: Ed25519 over a canonical digest, carried in the QR code.

The private key comes from ``YAKUBA_SIGNING_KEY`` (urlsafe base64 of 32 bytes); development derives a
fixed key. Anyone holding the public key (published on the verification page) can check a QR offline.
"""

import base64
import functools
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


@functools.cache
def _private_key(seed_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(seed_b64))


def _key() -> Ed25519PrivateKey:
    return _private_key(str(settings.YAKUBA_SIGNING_KEY))


def public_key() -> Ed25519PublicKey:
    return _key().public_key()


def public_key_b64() -> str:
    raw = public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def digest(fields: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical JSON of what the certificate states (number, date, kind, pages, code,
    and the hash of the printed content)."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).digest()


def sign(fields: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(_key().sign(digest(fields))).decode().rstrip("=")


def verify(fields: dict[str, Any], signature: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public_key().verify(raw, digest(fields))
    except (InvalidSignature, ValueError):
        return False
    return True
