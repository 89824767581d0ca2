from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from yakuba.api import build_api
from yakuba.core import registry

urlpatterns = [
    # Staff sign in through the two-step login, never through the admin's own form.
    path("admin/login/", RedirectView.as_view(pattern_name="core:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", build_api().urls),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("yakuba.core.urls")),
]
for manifest in registry.manifests():
    if manifest.urls:
        urlpatterns.append(path(manifest.url_prefix, include(manifest.urls)))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
