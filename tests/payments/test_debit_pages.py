"""The 保育料 pages through HTTP, as Hoiku Midori (保育担当) uses them; Tanin Goro (no role) is refused
every page and changes nothing. No page ever shows a full bank account number."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.payments import test_debit as shared
from tests.payments.test_debit import (
    DEBIT_DATE,
    FY,
    MONTH,
    SATO_ACCOUNT,
    SUZUKI_ACCOUNT,
    TAKAHASHI_ACCOUNT,
    atena,
    pdf_text,
    result_file,
)
from yakuba.core.models import AuditEntry
from yakuba.payments import debit
from yakuba.payments.models import BankAccount, DebitItem, DebitRun, Enrolment, Facility

# The service tests' fixtures: the four families, Hoiku Midori, their accounts and enrolments.
families, hoiku, enrolled = shared.families, shared.hoiku, shared.enrolled

NUMBERS = (SATO_ACCOUNT, SUZUKI_ACCOUNT, TAKAHASHI_ACCOUNT)


class Pages:
    """A signed-in client that remembers every HTML page it was given."""

    def __init__(self, client):
        self.client = client
        self.html: list[str] = []

    def _keep(self, response):
        if response.get("Content-Type", "").startswith("text/html"):
            self.html.append(response.content.decode())
        return response

    def get(self, url, **kw):
        return self._keep(self.client.get(url, **kw))

    def post(self, url, data=None, **kw):
        return self._keep(self.client.post(url, data or {}, **kw))

    def assert_no_account_number(self):
        assert self.html
        for page in self.html:
            for number in NUMBERS:
                assert number not in page


@pytest.fixture
def pages(as_user, hoiku):
    return Pages(as_user(hoiku))


def test_every_page_needs_the_childcare_role(as_user, outsider, enrolled, hoiku):
    run = debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=DEBIT_DATE)
    item = DebitItem.objects.filter(run=run).first()
    enrolment = Enrolment.objects.first()
    account = BankAccount.objects.first()
    client = as_user(outsider)
    before = (Enrolment.objects.count(), BankAccount.objects.count(), DebitRun.objects.count())
    for url in [
        "/payments/childcare/",
        "/payments/childcare/enrol/",
        f"/payments/childcare/enrolments/{enrolment.pk}/",
        "/payments/childcare/accounts/new/",
        "/payments/childcare/runs/",
        f"/payments/childcare/runs/{run.pk}/",
        f"/payments/childcare/runs/{run.pk}/request-file/",
        "/payments/childcare/arrears/",
        f"/payments/childcare/arrears/{item.pk}/reminder.pdf",
    ]:
        assert client.get(url).status_code == 403, url
    for url, data in [
        ("/payments/childcare/facilities/", {"code": "H09", "name": "x"}),
        ("/payments/childcare/enrol/", {"child_atena_no": atena("伊藤 葵")}),
        (f"/payments/childcare/accounts/{account.pk}/state/", {"action": "end"}),
        ("/payments/childcare/runs/", {"fiscal_year": FY, "month": 7, "debit_date": "2026-07-27"}),
        (f"/payments/childcare/arrears/{item.pk}/settle/", {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert (Enrolment.objects.count(), BankAccount.objects.count(), DebitRun.objects.count()) == before
    assert BankAccount.objects.filter(state="active").count() == 3
    assert not Facility.objects.filter(code="H09").exists()


def test_a_clerk_registers_an_account_and_an_enrolment_and_runs_the_month(families, pages):
    assert pages.get("/payments/childcare/").status_code == 200
    bad = pages.post(
        "/payments/childcare/accounts/new/",
        {
            "payer_atena_no": atena("佐藤 健"),
            "bank_code": "0001",
            "branch_code": "001",
            "account_type": "1",
            "account_number": SATO_ACCOUNT,
            "holder_kana": "佐藤 健",
            "mandate_on": "2026-05-01",
        },
    )
    assert bad.status_code == 200
    assert "使えない文字があります: 「佐」「藤」「健」" in bad.content.decode()
    assert BankAccount.objects.count() == 0
    good = pages.post(
        "/payments/childcare/accounts/new/",
        {
            "payer_atena_no": atena("佐藤 健"),
            "bank_code": "０００１",
            "branch_code": "001",
            "account_type": "1",
            "account_number": SATO_ACCOUNT,
            "holder_kana": "サトウ　ケン",
            "mandate_on": "2026-05-01",
        },
        follow=True,
    )
    page = good.content.decode()
    assert "口座を登録しました。顧客番号 00000000000000000001（ﾐｽﾞﾎ ﾄｳｷﾖｳ ****321）" in page
    assert "ｻﾄｳ ｹﾝ" in page

    for child in ("佐藤 蓮", "佐藤 陽菜"):
        response = pages.post(
            "/payments/childcare/enrol/",
            {
                "child_atena_no": atena(child),
                "parent1": atena("佐藤 健"),
                "parent2": atena("佐藤 恵"),
                "facility": "H01",
                "standard_hours": "1",
                "starts_on": "2026-04-01",
                "account": "00000000000000000001",
            },
            follow=True,
        )
        assert "入所を登録しました" in response.content.decode()
    refused = pages.post(
        "/payments/childcare/enrol/",
        {
            "child_atena_no": atena("佐藤 健"),
            "parent1": atena("佐藤 恵"),
            "facility": "H01",
            "standard_hours": "1",
            "starts_on": "2026-04-01",
        },
    )
    assert "保育所の対象年齢（5歳児クラスまで）を超えています" in refused.content.decode()
    assert Enrolment.objects.count() == 2

    preview = pages.post(
        "/payments/childcare/runs/",
        {"fiscal_year": FY, "month": MONTH, "debit_date": "2026-06-26", "preview": "1"},
    )
    assert "令和8年6月分の内容（まだ作成していません）" in preview.content.decode()
    assert "26750円" in preview.content.decode()
    assert DebitRun.objects.count() == 0
    made = pages.post(
        "/payments/childcare/runs/",
        {"fiscal_year": FY, "month": MONTH, "debit_date": "2026-06-26", "generate": "1"},
        follow=True,
    )
    run = DebitRun.objects.get()
    assert "令和8年6月分の口座振替データを作成しました（1件、26,750円）。" in made.content.decode()
    again = pages.post(
        "/payments/childcare/runs/",
        {"fiscal_year": FY, "month": MONTH, "debit_date": "2026-06-26", "generate": "1"},
    )
    assert "口座振替はすでに作成されています" in again.content.decode()

    download = pages.get(f"/payments/childcare/runs/{run.pk}/request-file/")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == 'attachment; filename="KOFURI-202606.txt"'
    assert download.content == bytes(run.request_file)
    assert AuditEntry.objects.filter(action="debit_request_file_read", target_id=str(run.pk)).exists()

    broken = result_file(run, {"00000000000000000001": "1"}).replace(b"\r\n", b"\n")
    response = pages.post(
        f"/payments/childcare/runs/{run.pk}/", {"file": SimpleUploadedFile("kekka.txt", broken)}
    )
    page = response.content.decode()
    assert "振替結果のファイルを読めません（1件も取り込んでいません）。" in page
    assert "1行目 改行コード: 改行コードが CRLF ではありません（LF のみ）" in page
    run.refresh_from_db()
    assert run.state == "generated"
    response = pages.post(
        f"/payments/childcare/runs/{run.pk}/",
        {"file": SimpleUploadedFile("kekka.txt", result_file(run, {"00000000000000000001": "1"}))},
        follow=True,
    )
    page = response.content.decode()
    assert "振替結果を取り込みました（振替済 0件、振替不能 1件）。" in page
    assert "資金不足" in page

    arrears = pages.get("/payments/childcare/arrears/").content.decode()
    assert "佐藤 健" in arrears and "26750円" in arrears and "資金不足（1）" in arrears
    item = DebitItem.objects.get()
    pdf = pages.get(f"/payments/childcare/arrears/{item.pk}/reminder.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "合計26,750円" in pdf_text(pdf.content)
    settled = pages.post(f"/payments/childcare/arrears/{item.pk}/settle/", follow=True)
    assert "顧客番号 00000000000000000001 の 26,750円を納付済みにしました。" in settled.content.decode()
    assert "未納はありません。" in settled.content.decode()

    for url in ["/payments/childcare/", f"/payments/childcare/runs/{run.pk}/", "/payments/childcare/runs/"]:
        assert pages.get(url).status_code == 200
    pages.get(f"/payments/childcare/enrolments/{Enrolment.objects.first().pk}/")
    pages.assert_no_account_number()
    audit = "".join(str(d) for d in AuditEntry.objects.values_list("detail", flat=True))
    assert SATO_ACCOUNT not in audit


def test_a_refused_account_form_does_not_echo_the_number(families, pages):
    response = pages.post(
        "/payments/childcare/accounts/new/",
        {
            "payer_atena_no": atena("鈴木 一"),
            "bank_code": "9999",
            "branch_code": "001",
            "account_type": "1",
            "account_number": SUZUKI_ACCOUNT,
            "holder_kana": "ｽｽﾞｷ ﾊｼﾞﾒ",
            "mandate_on": "2026-05-01",
        },
    )
    assert "金融機関コード 9999 は見つかりません。" in response.content.decode()
    assert 'value="ｽｽﾞｷ ﾊｼﾞﾒ"' in response.content.decode()  # the rest of the form is kept
    pages.assert_no_account_number()
    assert BankAccount.objects.count() == 0


def test_flagged_accounts_can_be_confirmed_or_ended(enrolled, pages, hoiku):
    run = debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=DEBIT_DATE)
    debit.run_import_results(actor=hoiku, run_id=run.pk, data=result_file(run, {"00000000000000000003": "2"}))
    account = BankAccount.objects.get(customer_number="00000000000000000003")
    index = pages.get("/payments/childcare/").content.decode()
    assert "令和8年6月分の口座振替で「取引なし」（結果コード 2）" in index
    pages.post(f"/payments/childcare/accounts/{account.pk}/state/", {"action": "clear_flag"})
    account.refresh_from_db()
    assert (account.state, account.flag_reason) == ("active", "")
    pages.post(f"/payments/childcare/accounts/{account.pk}/state/", {"action": "end"})
    account.refresh_from_db()
    assert account.state == "ended"
    again = pages.post(f"/payments/childcare/accounts/{account.pk}/state/", {"action": "end"}, follow=True)
    assert "この口座はすでに廃止されています。" in again.content.decode()
    # The child's enrolment moves to 納付書, then to a new account.
    enrolment = Enrolment.objects.get(account=account)
    new = debit.account_register(
        actor=hoiku,
        payer_atena_no=atena("高橋 誠"),
        bank_code="0001",
        branch_code="001",
        account_type="1",
        account_number="1112223",
        holder_kana="ﾀｶﾊｼ ﾏｺﾄ",
        mandate_on=dt.date(2026, 7, 1),
    )
    pages.post(
        f"/payments/childcare/enrolments/{enrolment.pk}/",
        {"change_account": "1", "account": new.customer_number},
    )
    enrolment.refresh_from_db()
    assert enrolment.account_id == new.pk
    ended = pages.post(
        f"/payments/childcare/enrolments/{enrolment.pk}/", {"end": "1", "ends_on": "2026-03-01"}
    )
    assert "退所日が入所日より前です。" in ended.content.decode()
    pages.assert_no_account_number()
