"""Staff sign in with a password and a TOTP code; nothing is reachable with one factor only."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.personas import PASSWORD, current_code
from yakuba.core.models import AuditEntry


def test_pages_need_a_login(client, db):
    response = client.get("/residents/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fresidents%2F"


def test_clerk_signs_in_with_password_then_code(clerk):
    client = Client()
    response = client.post("/login/", {"username": "madoguchi", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login/otp/")
    # One factor only: still turned away from every page.
    assert client.get("/residents/")["Location"].startswith("/login/otp/")
    response = client.post("/login/otp/", {"token": current_code(clerk)})
    assert response.status_code == 302
    assert client.get("/residents/").status_code == 200
    assert AuditEntry.objects.filter(actor="madoguchi", action="login").count() == 1


def test_wrong_code_is_refused_with_a_japanese_message(clerk):
    client = Client()
    client.post("/login/", {"username": "madoguchi", "password": PASSWORD})
    wrong = "000000" if current_code(clerk) != "000000" else "111111"
    response = client.post("/login/otp/", {"token": wrong})
    assert response.status_code == 200
    assert "確認コードが正しくありません" in response.content.decode()
    assert client.get("/residents/").status_code == 302


def test_wrong_password_is_refused(clerk):
    response = Client().post("/login/", {"username": "madoguchi", "password": "nope"})
    assert "職員IDまたはパスワードが正しくありません。" in response.content.decode()


def test_login_is_throttled_after_five_failures(clerk, settings):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "madoguchi", "password": "wrong"})
    # Even the right password is refused while throttled.
    response = client.post("/login/", {"username": "madoguchi", "password": PASSWORD})
    assert response.status_code == 200
    assert "しばらくログインできません" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_first_login_enrols_an_authenticator(db):
    from yakuba.core.models import StaffUser

    StaffUser.objects.create_user(username="shinjin", password=PASSWORD)
    client = Client()
    client.post("/login/", {"username": "shinjin", "password": PASSWORD})
    page = client.get("/login/otp/").content.decode()
    assert "初回ログインです" in page and "data:image/svg+xml;base64," in page
    device = TOTPDevice.objects.get(user__username="shinjin")
    assert device.confirmed is False
    from django_otp.oath import totp

    code = str(totp(device.bin_key)).zfill(6)
    assert client.post("/login/otp/", {"token": code}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True


def test_logout(clerk, as_user):
    client = as_user(clerk)
    assert client.post("/logout/").status_code == 302
    assert client.get("/residents/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/residents/", "/admin/"])
def test_security_headers(clerk, as_user, path):
    response = as_user(clerk).get(path, follow=True)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_sessions_expire_when_idle(settings):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_admin_login_goes_through_two_factor_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_administrator_manages_staff_and_settings(admin_user, as_user):
    client = as_user(admin_user)
    assert client.get("/admin/core/staffuser/").status_code == 200
    assert client.get("/admin/core/municipality/").status_code == 200
    client.get("/")  # the settings row exists from the first page on
    response = client.post(
        "/admin/core/municipality/1/change/",
        {"name": "一ノ森市", "lgcode": "039994", "mayor_title": "市長", "window_hours": "平日"},
    )
    assert "団体コードは検査数字を含む6桁の数字で入力してください。" in response.content.decode()


def test_clerk_cannot_open_the_admin(clerk, as_user):
    response = as_user(clerk).get("/admin/")
    assert response.status_code in (302, 403)


def test_a_used_code_cannot_be_replayed(clerk):
    first = Client()
    first.post("/login/", {"username": "madoguchi", "password": PASSWORD})
    code = current_code(clerk)
    assert first.post("/login/otp/", {"token": code}).status_code == 302
    second = Client()
    second.post("/login/", {"username": "madoguchi", "password": PASSWORD})
    response = second.post("/login/otp/", {"token": code})
    assert response.status_code == 200 and "確認コードが正しくありません" in response.content.decode()


def test_seal_upload_is_checked_by_content(admin_user, as_user):
    import io

    from PIL import Image

    client = as_user(admin_user)
    client.get("/")
    form = {"name": "一ノ森市", "lgcode": "039993", "mayor_title": "市長", "window_hours": "平日"}
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "seal.png"
    page = client.post("/admin/core/municipality/1/change/", {**form, "seal_image": fake}).content.decode()
    assert "画像" in page and "errorlist" in page
    real = io.BytesIO()
    Image.new("L", (300, 300), color=0).save(real, format="PNG")
    real.seek(0)
    real.name = "seal.png"
    assert client.post("/admin/core/municipality/1/change/", {**form, "seal_image": real}).status_code == 302
    from yakuba.core.models import Municipality

    assert Municipality.current().seal_image.name.startswith("seal/")


def test_auditor_reads_the_audit_log_but_cannot_change_it(auditor, clerk, as_user):
    from yakuba.core.audit import audit_record
    from yakuba.core.models import AuditEntry

    audit_record(actor="madoguchi", action="resident_read", target_id="0000000019")
    client = as_user(auditor)
    assert "resident_read" in client.get("/admin/core/auditentry/").content.decode()
    entry = AuditEntry.objects.get(action="resident_read")
    client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert as_user(clerk).get("/admin/core/auditentry/").status_code in (302, 403)


def test_administrator_resets_a_lost_authenticator(admin_user, clerk, as_user):
    device = TOTPDevice.objects.get(user=clerk)
    client = as_user(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    # At the next login the clerk enrols a new authenticator.
    fresh = Client()
    fresh.post("/login/", {"username": "madoguchi", "password": PASSWORD})
    assert "初回ログインです" in fresh.get("/login/otp/").content.decode()


def test_error_pages_are_in_japanese(clerk, outsider, as_user):
    denied = as_user(outsider).get("/residents/")
    assert denied.status_code == 403 and "この画面を開く権限がありません" in denied.content.decode()
    page = as_user(clerk).get("/residents/people/0000000000/")
    assert page.status_code == 404 and "ページが見つかりません" in page.content.decode()
