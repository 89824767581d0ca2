"""Linkage API clients: other systems pulling data with a bearer token."""

import hashlib
import secrets

from django.db import transaction

from yakuba.core.audit import audit_record
from yakuba.core.models import ApiClient


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> str:
    return "yk_" + secrets.token_urlsafe(32)


def api_client_create(
    *, actor: object, name: str, scopes: list[str], can_see_mynumber: bool = False
) -> tuple[ApiClient, str]:
    """Create a client and return it with its token; the token is shown once and stored hashed."""
    token = token_new()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            token_hash=token_hash(token),
            token_prefix=token[:8],
            scopes=scopes,
            can_see_mynumber=can_see_mynumber,
        )
        audit_record(
            actor=actor, action="api_client_created", target_type="api_client", target_id=str(client.pk)
        )
    return client, token


def api_client_by_token(token: str) -> ApiClient | None:
    if not token:
        return None
    return ApiClient.objects.filter(token_hash=token_hash(token), active=True).first()
