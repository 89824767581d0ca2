"""The platform's one JSON API (``/api/v1/``) and its OpenAPI document; each installed module adds
its router through its manifest."""

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from yakuba.core import registry


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Yakuba API",
        version="1",
        description="Yakuba (役場) linkage API. Authenticate with `Authorization: Bearer <token>`.",
        urls_namespace="api-v1",
        docs_url="/docs",
    )
    for manifest in registry.manifests():
        if manifest.api_router:
            api.add_router(manifest.api_prefix or manifest.name, import_string(manifest.api_router))
    return api
