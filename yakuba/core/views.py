from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yakuba.core import registry


def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"kpis": registry.kpis()})


@login_not_required
def health_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
