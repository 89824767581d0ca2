"""Staff page of the tax-assessment store: the list of imported years and the upload form. Thin: the
form collects, ``services`` imports, ``selectors`` reads, ``access`` decides."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yakuba.tax import access, selectors, services
from yakuba.tax.forms import ImportForm
from yakuba.tax.wareki import nendo

MAX_SHOWN_ERRORS = 20


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.VIEW)
    if request.method == "POST":
        access.require(request.user, access.IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        year = form.cleaned_data["year"]
        try:
            batch = services.assessments_import(
                actor=request.user, year=year, file_name=upload.name or "", data=upload.read()
            )
        except services.TaxImportError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("%(nendo)sの課税データを%(rows)s件取り込みました")
                % {"nendo": nendo(year), "rows": f"{batch.rows:,}"},
            )
            return redirect("tax:import")
    current = selectors.current_batch_ids()
    rows = [{"b": b, "nendo": nendo(b.year), "current": b.pk in current} for b in selectors.batches()]
    return render(
        request,
        "tax/import.html",
        {
            "form": form,
            "can_import": access.can_import(request.user),
            "errors": errors[:MAX_SHOWN_ERRORS],
            "more_errors": max(0, len(errors) - MAX_SHOWN_ERRORS),
            "rows": rows,
        },
    )
