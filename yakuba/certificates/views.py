"""Pages: the window (staff), seal registration (staff), the kiosk (public, card + PIN), verification
(public). Thin: services decide, ``access`` checks roles."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from yakuba.certificates import access, services
from yakuba.certificates.documents import Options
from yakuba.certificates.forms import (
    FindForm,
    KioskOptionsForm,
    KioskPinForm,
    SealForm,
    VerifyForm,
    WindowIssueForm,
)
from yakuba.certificates.models import CertificateType, Issuance, SealRegistration
from yakuba.certificates.services import CertificateError
from yakuba.core.audit import audit_record
from yakuba.residents import interface as residents

# --- window ---------------------------------------------------------------------------------------


def _find(request: HttpRequest) -> tuple[FindForm, list[residents.ResidentRecord]]:
    form = FindForm(request.GET or None)
    found: list[residents.ResidentRecord] = []
    if request.GET and form.is_valid():
        found = residents.resident_find(form.cleaned_data["q"], actor=request.user.get_username())
    return form, found


@require_http_methods(["GET"])
def window_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.ISSUE)
    form, found = _find(request)
    return render(
        request, "certificates/window.html", {"form": form, "found": found, "searched": bool(request.GET)}
    )


def _cards(atena_no: str) -> list[Any]:
    try:
        from yakuba.cardsim import interface as cards
    except ImportError:
        return []
    return cards.cards_for(atena_no)


@require_http_methods(["GET", "POST"])
def window_issue_view(request: HttpRequest, atena_no: str) -> HttpResponse:
    access.require(request.user, access.ISSUE)
    actor = request.user.get_username()
    subject = residents.resident_get(atena_no, actor=actor)
    if subject is None:
        raise Http404
    household = residents.household_get(subject.setai_no, actor=actor)
    members = list(household.members) if household else [subject]
    form = WindowIssueForm(request.POST or None, members=members, subject=atena_no)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issuance = services.window_issue(
                actor=request.user,
                type_code=data["type"],
                subject_atena_no=atena_no,
                atena_nos=data["atena_nos"],
                layout=data["layout"],
                options=Options.from_dict(data),
                requester=data["requester"],
                requester_name=data["requester_name"],
                purpose=data["purpose"],
                exemption_reason=data["exemption_reason"],
                idempotency_key=data["idempotency_key"],
            )
            return redirect("certificates:issued", number=issuance.number)
        except CertificateError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    fees = {k.code: k for k in CertificateType.objects.all()}
    return render(
        request,
        "certificates/window_issue.html",
        {
            "form": form,
            "subject": subject,
            "fees": fees,
            "cards": _cards(atena_no),
            "can_unlock": request.user.has_perm(access.UNLOCK),
        },
    )


@require_http_methods(["POST"])
def card_unlock_view(request: HttpRequest, atena_no: str, serial: str) -> HttpResponse:
    access.require(request.user, access.UNLOCK)
    from yakuba.cardsim import interface as cards

    if serial not in {c.serial for c in cards.cards_for(atena_no)}:
        raise Http404
    cards.card_unlock(serial, actor=request.user.get_username())
    messages.success(request, _("カードのロックを解除しました。"))
    return redirect("certificates:window_issue", atena_no=atena_no)


@require_http_methods(["GET"])
def issued_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.ISSUE)
    issuance = Issuance.objects.filter(number=number).first()
    if issuance is None:
        raise Http404
    return render(request, "certificates/issued.html", {"i": issuance})


@require_http_methods(["GET"])
def issued_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.ISSUE)
    issuance = Issuance.objects.filter(number=number, channel=Issuance.Channel.WINDOW).first()
    if issuance is None or issuance.state == Issuance.State.VOIDED or not issuance.pdf:
        raise Http404
    audit_record(
        actor=request.user,
        action="certificate_printed",
        target_type="certificate",
        target_id=number,
        mynumber_shown=issuance.mynumber_printed,
    )
    response = HttpResponse(bytes(issuance.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    return response


@require_http_methods(["POST"])
def issued_void_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.ISSUE)
    reason = request.POST.get("reason", "").strip() or _("窓口で取消し")
    services.issuance_void(actor=request.user.get_username(), number=number, reason=reason)
    messages.success(request, _("発行を取り消しました。"))
    return redirect("certificates:issued", number=number)


# --- 印鑑登録 -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def seals_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.SEAL)
    form, found = _find(request)
    return render(
        request, "certificates/seals.html", {"form": form, "found": found, "searched": bool(request.GET)}
    )


@require_http_methods(["GET", "POST"])
def seal_person_view(request: HttpRequest, atena_no: str) -> HttpResponse:
    access.require(request.user, access.SEAL)
    person = residents.resident_get(atena_no, actor=request.user.get_username())
    if person is None:
        raise Http404
    form = SealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "end" in request.POST:
        try:
            services.seal_end(
                actor=request.user, card_number=request.POST.get("card_number", ""), state=request.POST["end"]
            )
            messages.success(request, _("印鑑登録を終了しました。"))
            return redirect("certificates:seal_person", atena_no=atena_no)
        except CertificateError as exc:
            messages.error(request, exc.message)
    elif request.method == "POST" and "confirm" in request.POST:
        try:
            services.seal_confirm(actor=request.user, card_number=request.POST.get("card_number", ""))
            messages.success(request, _("照会書の回答を受け付け、印鑑登録を完了しました。"))
            return redirect("certificates:seal_person", atena_no=atena_no)
        except CertificateError as exc:
            messages.error(request, exc.message)
    elif request.method == "POST" and form.is_valid():
        try:
            registration = services.seal_register(
                actor=request.user,
                atena_no=atena_no,
                image=form.cleaned_data["image"].read(),
                dpi=form.cleaned_data["dpi"],
                identity=form.cleaned_data["identity"],
                not_rubber=form.cleaned_data["not_rubber"],
                name_only=form.cleaned_data["name_only"],
            )
            messages.success(
                request,
                _("印鑑登録を受け付けました。印鑑登録証番号：%(no)s") % {"no": registration.card_number},
            )
            return redirect("certificates:seal_person", atena_no=atena_no)
        except CertificateError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    registrations = SealRegistration.objects.filter(atena_no=atena_no).order_by("-registered_at")
    return render(
        request,
        "certificates/seal_person.html",
        {"person": person, "form": form, "registrations": registrations},
    )


@require_http_methods(["GET"])
def seal_image_view(request: HttpRequest, card_number: str) -> HttpResponse:
    access.require(request.user, access.SEAL)
    registration = SealRegistration.objects.filter(card_number=card_number).first()
    if registration is None:
        raise Http404
    return HttpResponse(bytes(registration.image), content_type="image/png")


# --- kiosk (the page is the terminal) ---------------------------------------------------------------

DEFAULT_TERMINAL = "K001"


def _terminal(request: HttpRequest) -> str:
    terminal = request.GET.get("terminal") or request.session.get("kiosk_terminal") or DEFAULT_TERMINAL
    terminal = "".join(ch for ch in str(terminal) if ch.isalnum())[:8] or DEFAULT_TERMINAL
    request.session["kiosk_terminal"] = terminal
    return terminal


def _kiosk_render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"certificates/kiosk/{template}", {"terminal": _terminal(request), **context})


@login_not_required
@never_cache
@require_http_methods(["GET"])
def kiosk_start_view(request: HttpRequest) -> HttpResponse:
    token = request.session.get("kiosk_token")
    if token:
        services.kiosk_end(token=token, terminal=_terminal(request))
    for key in ("kiosk_card", "kiosk_token"):
        request.session.pop(key, None)
    kinds = CertificateType.objects.filter(kiosk_available=True)
    hours = (min(k.kiosk_opens for k in kinds), max(k.kiosk_closes for k in kinds)) if kinds else None
    return _kiosk_render(request, "start.html", {"hours": hours})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_card_view(request: HttpRequest) -> HttpResponse:
    from yakuba.cardsim import interface as cards

    if request.method == "POST":
        serial = request.POST.get("serial", "").strip()
        try:
            cards.card_read_certificate(serial)
        except cards.CardError:
            return _kiosk_render(
                request,
                "card.html",
                {"cards": cards.demo_cards(), "error": _("カードを読み取れませんでした。")},
            )
        request.session["kiosk_card"] = serial
        return redirect("certificates:kiosk_pin")
    return _kiosk_render(request, "card.html", {"cards": cards.demo_cards()})


@login_not_required
@never_cache
@sensitive_post_parameters("pin")
@require_http_methods(["GET", "POST"])
def kiosk_pin_view(request: HttpRequest) -> HttpResponse:
    from yakuba.cardsim import interface as cards

    serial = request.session.get("kiosk_card")
    if not serial:
        return redirect("certificates:kiosk_card")
    terminal = _terminal(request)
    form = KioskPinForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        # The terminal's card reader: a challenge from the server, signed by the card after its PIN check.
        nonce = services.kiosk_challenge(terminal=terminal, card_serial=serial)
        try:
            signature = cards.card_sign(serial, form.cleaned_data["pin"], bytes.fromhex(nonce))
            session = services.kiosk_login(
                terminal=terminal,
                nonce=nonce,
                certificate_pem=cards.card_read_certificate(serial),
                signature=signature,
            )
        except cards.CardError as exc:
            error = str(exc)
        except CertificateError as exc:
            error = exc.message
        else:
            request.session["kiosk_token"] = session.token
            return redirect("certificates:kiosk_menu")
    return _kiosk_render(request, "pin.html", {"form": form, "error": error})


def _kiosk_token(request: HttpRequest) -> str | None:
    return request.session.get("kiosk_token")


@login_not_required
@never_cache
@require_http_methods(["GET"])
def kiosk_menu_view(request: HttpRequest) -> HttpResponse:
    token = _kiosk_token(request)
    if not token:
        return redirect("certificates:kiosk_start")
    try:
        holder, choices, refusal = services.kiosk_menu(token=token, terminal=_terminal(request))
    except CertificateError as exc:
        return _kiosk_render(request, "message.html", {"message": exc.message})
    return _kiosk_render(request, "menu.html", {"holder": holder, "choices": choices, "refusal": refusal})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_options_view(request: HttpRequest, code: str) -> HttpResponse:
    token = _kiosk_token(request)
    if not token:
        return redirect("certificates:kiosk_start")
    terminal = _terminal(request)
    kind = CertificateType.objects.filter(code=code).first()
    if kind is None:
        raise Http404
    form = KioskOptionsForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            issuance = services.kiosk_issue(
                token=token,
                terminal=terminal,
                type_code=code,
                scope=form.cleaned_data["scope"],
                options=Options.from_dict(form.cleaned_data),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
            return redirect("certificates:kiosk_print", number=issuance.number)
        except CertificateError as exc:
            error = exc.message
    return _kiosk_render(
        request, "options.html", {"form": form, "kind": kind, "error": error, "is_inkan": code == "inkan"}
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_print_view(request: HttpRequest, number: str) -> HttpResponse:
    token = _kiosk_token(request)
    if not token:
        return redirect("certificates:kiosk_start")
    terminal = _terminal(request)
    if request.method == "POST":
        try:
            issuance = services.kiosk_printed(
                token=token, terminal=terminal, number=number, ok=request.POST.get("ok") == "1"
            )
        except CertificateError as exc:
            return _kiosk_render(request, "message.html", {"message": exc.message})
        services.kiosk_end(token=token, terminal=terminal)
        request.session.pop("kiosk_token", None)
        request.session.pop("kiosk_card", None)
        done = issuance.state == Issuance.State.PRINTED
        return _kiosk_render(request, "done.html", {"done": done})
    waiting = Issuance.objects.filter(number=number, kiosk_session=token, terminal=terminal).first()
    if waiting is None:
        raise Http404
    return _kiosk_render(request, "print.html", {"i": waiting})


@login_not_required
@never_cache
@require_http_methods(["GET"])
def kiosk_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    token = _kiosk_token(request)
    if not token:
        raise Http404
    try:
        pdf = services.kiosk_pdf(token=token, terminal=_terminal(request), number=number)
    except CertificateError as exc:
        return _kiosk_render(request, "message.html", {"message": exc.message})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    return response


# --- verification ---------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    from yakuba.certificates import signing

    result = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "GET" and request.GET.get("q"):
        form = VerifyForm(initial={"q": request.GET["q"]})
        result = services.verify_code(request.GET["q"])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("pdf")
        if upload is not None:
            data = upload.read(10 * 1024 * 1024 + 1)
            if not data.startswith(b"%PDF-"):
                form.add_error("pdf", _("PDFファイルを選んでください。"))
            else:
                result = services.verify_pdf(data)
        elif form.cleaned_data.get("q"):
            result = services.verify_code(form.cleaned_data["q"])
        else:
            form.add_error("q", _("確認コードを入力するか、PDFファイルを選んでください。"))
    return render(
        request,
        "certificates/verify.html",
        {"form": form, "result": result, "public_key": signing.public_key_b64()},
    )
