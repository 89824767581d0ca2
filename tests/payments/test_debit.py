"""保育料の口座振替, as Hoiku Midori (保育担当) does it each month: she registers the parents' 口座振替依頼書
and the children's enrolments, generates the month's request file, imports the bank's result file, and
follows up the debits that failed.

Fiscal year 2026 (令和8年度), June: the fee uses the 令和7年度 (2025) assessment. Demo bracket table
(standard / short): <48,600 19,500/19,100; <97,000 30,000/29,500; <169,000 44,500/43,900; ...

Families (moved in on 2025-08-01):
- 佐藤: 健 100,000 + 恵 50,000 = 150,000 → bracket <169,000. 蓮 (2021-09-01, 4歳児): 保育料 0, 副食費 4,500
  (第1子). 陽菜 (2024-10-15, 1歳児, 標準時間): 第2子 半額 44,500 // 2 = 22,250. One account: 26,750.
- 鈴木: 一 40,000 + 二子 0 (均等割のみ) = 40,000 → bracket <48,600, low income (all children count).
  三郎 (2025-06-01, 0歳児, 短時間): 19,100.
- 高橋: 誠 200,000 (one parent). 美咲 (2022-08-01, 3歳児): 保育料 0, 副食費 4,500.
- 伊藤: no 2025 assessment (only 2024): 「課税情報なし」, left out of the run.
"""

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from tests.factories import person, register_household
from tests.personas import PASSWORD, totp_key
from yakuba.core.models import AuditEntry, StaffUser
from yakuba.payments import debit, zengin
from yakuba.payments.debit import DebitError
from yakuba.payments.models import BankAccount, DebitItem, DebitRun, Enrolment, Facility
from yakuba.residents.models import Resident
from yakuba.tax.services import assessments_import

FY, MONTH = 2026, 6
DEBIT_DATE = dt.date(2026, 6, 26)
MANDATE = dt.date(2026, 5, 1)
# Account numbers as typed on the 依頼書; none of them occurs anywhere else in the data.
SATO_ACCOUNT, SUZUKI_ACCOUNT, TAKAHASHI_ACCOUNT = "7654321", "0098765", "5550123"
TAX_HEADER = "課税年度,宛名番号,市町村民税所得割額,市町村民税均等割額,非課税区分"


def atena(name: str) -> str:
    return Resident.objects.get(name=name).atena_no


def tax_file(year: int, *rows: tuple[str, int, int, int]) -> bytes:
    lines = [TAX_HEADER, *(f"{year},{atena(n)},{s},{k},{nt}" for n, s, k, nt in rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def hoiku(db):
    """Hoiku Midori (保育担当): enrolments, accounts, the monthly run. No resident or tax role."""
    user = StaffUser.objects.create_user(username="hoiku", password=PASSWORD, display_name="保育 みどり")
    user.groups.set(Group.objects.filter(name="保育担当"))
    TOTPDevice.objects.create(user=user, name="test", key=totp_key("hoiku"), confirmed=True)
    return user


@pytest.fixture
def families(clerk, approver):
    """The four families in the register, their assessments in the tax module, one facility."""
    register = [
        ("一ノ森市本町1番1号", [
            person("佐藤 健", "サトウ ケン", "1990-05-05", "1", "世帯主"),
            person("佐藤 恵", "サトウ メグミ", "1992-07-07", "2", "妻"),
            person("佐藤 蓮", "サトウ レン", "2021-09-01", "1", "子"),
            person("佐藤 陽菜", "サトウ ヒナ", "2024-10-15", "2", "子"),
        ]),
        ("一ノ森市本町2番2号", [
            person("鈴木 一", "スズキ ハジメ", "1995-01-10", "1", "世帯主"),
            person("鈴木 二子", "スズキ フタコ", "1996-02-20", "2", "妻"),
            person("鈴木 三郎", "スズキ サブロウ", "2025-06-01", "1", "子"),
        ]),
        ("一ノ森市本町3番3号", [
            person("高橋 誠", "タカハシ マコト", "1988-03-03", "1", "世帯主"),
            person("高橋 美咲", "タカハシ ミサキ", "2022-08-01", "2", "子"),
        ]),
        ("一ノ森市本町4番4号", [
            person("伊藤 大輔", "イトウ ダイスケ", "1991-11-11", "1", "世帯主"),
            person("伊藤 葵", "イトウ アオイ", "2023-12-01", "2", "子"),
        ]),
    ]  # fmt: skip
    for address, members in register:
        register_household(clerk, approver, members, address=address, idou_date="2025-08-01")
    assessments_import(
        actor="zeimu",
        year=2025,
        file_name="2025.csv",
        data=tax_file(
            2025,
            ("佐藤 健", 100_000, 3000, 0),
            ("佐藤 恵", 50_000, 3000, 0),
            ("鈴木 一", 40_000, 3000, 0),
            ("鈴木 二子", 0, 3000, 0),
            ("高橋 誠", 200_000, 3000, 0),
        ),
    )
    # 伊藤 has only last year's row: it must not be used for June 2026.
    assessments_import(
        actor="zeimu", year=2024, file_name="2024.csv", data=tax_file(2024, ("伊藤 大輔", 90_000, 3000, 0))
    )
    Facility.objects.create(code="H01", name="一ノ森中央保育園")


def register_account(actor, payer: str, number: str, holder: str, bank=("0001", "001")) -> BankAccount:
    return debit.account_register(
        actor=actor,
        payer_atena_no=atena(payer),
        bank_code=bank[0],
        branch_code=bank[1],
        account_type="1",
        account_number=number,
        holder_kana=holder,
        mandate_on=MANDATE,
    )


def enrol(
    actor, child: str, parents: list[str], account: BankAccount | None, *, standard=True, starts="2026-04-01"
):
    return debit.enrol(
        actor=actor,
        child_atena_no=atena(child),
        parent_atena_nos=[atena(p) for p in parents],
        facility_code="H01",
        standard_hours=standard,
        starts_on=dt.date.fromisoformat(starts),
        account_id=account.pk if account else None,
    )


@pytest.fixture
def enrolled(families, hoiku):
    """Accounts and enrolments of the four families (伊藤 pays by 納付書 and has no tax data)."""
    sato = register_account(hoiku, "佐藤 健", SATO_ACCOUNT, "サトウ　ケン")
    suzuki = register_account(hoiku, "鈴木 一", SUZUKI_ACCOUNT, "ｽｽﾞｷ ﾊｼﾞﾒ", bank=("0005", "001"))
    takahashi = register_account(
        hoiku, "高橋 誠", TAKAHASHI_ACCOUNT, "たかはし　まこと", bank=("0010", "100")
    )
    enrol(hoiku, "佐藤 蓮", ["佐藤 健", "佐藤 恵"], sato)
    enrol(hoiku, "佐藤 陽菜", ["佐藤 恵", "佐藤 健"], sato)  # the same parents in another order
    enrol(hoiku, "鈴木 三郎", ["鈴木 一", "鈴木 二子"], suzuki, standard=False)
    enrol(hoiku, "高橋 美咲", ["高橋 誠"], takahashi)
    enrol(hoiku, "伊藤 葵", ["伊藤 大輔"], None)
    return {"sato": sato, "suzuki": suzuki, "takahashi": takahashi}


def record_line(*fields: str) -> bytes:
    line = "".join(fields)
    assert len(line) == 120
    return line.encode("cp932")


def result_file(run: DebitRun, codes: dict[str, str]) -> bytes:
    """What the bank sends back: the request's records with result codes (customer number → code)."""
    request = zengin.parse_file(bytes(run.request_file))
    records = [
        zengin.DebitRecord(**{**_fields(r), "result_code": codes.get(r.customer_number, "0")})
        for r in request.records
    ]
    return zengin.build_file(request.header, records, result=True)


def _fields(record: zengin.DebitRecord) -> dict:
    return {name: getattr(record, name) for name in zengin.DebitRecord.__slots__}


def pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def audit_text() -> str:
    return json.dumps(
        list(AuditEntry.objects.values("actor", "action", "target_id", "detail")), ensure_ascii=False
    )


# --- 口座振替依頼書 --------------------------------------------------------------------------------


def test_holder_names_are_converted_for_the_file_and_never_cut():
    assert debit.holder_kana_normalise("ヤマダ　タロウ") == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert debit.holder_kana_normalise("ｶ)ﾔｸﾊﾞ") == "ｶ)ﾔｸﾊﾞ"
    with pytest.raises(DebitError, match="使えない文字があります: 「山」「田」") as kanji:
        debit.holder_kana_normalise("山田 タロウ")
    assert kanji.value.field == "holder_kana"
    # 30 characters with the voiced mark last fit exactly ...
    assert debit.holder_kana_normalise("ア" * 28 + "ガ") == "ｱ" * 28 + "ｶﾞ"
    # ... one more and the 30th byte would separate ｶ from its ﾞ: refused, not shortened.
    with pytest.raises(DebitError, match=r"半角30文字を超えています（変換後31文字"):
        debit.holder_kana_normalise("ア" * 29 + "ガ")
    with pytest.raises(DebitError, match="名義に / , は使えません"):
        debit.holder_kana_normalise("ﾔﾏﾀﾞ/ﾀﾛｳ")
    with pytest.raises(DebitError, match="入れてください"):
        debit.holder_kana_normalise("　")


def test_an_account_is_registered_with_bank_names_from_the_code_tables_and_an_encrypted_number(
    families, hoiku
):
    account = debit.account_register(
        actor=hoiku,
        payer_atena_no=atena("佐藤 健"),
        bank_code="０００１",
        branch_code="001",
        account_type="1",
        account_number="１２３４５",
        holder_kana="サトウ　ケン",
        mandate_on=MANDATE,
    )
    assert (account.bank_name_kana, account.branch_name_kana) == ("ﾐｽﾞﾎ", "ﾄｳｷﾖｳ")
    assert (account.holder_kana, account.account_last3, account.customer_number) == (
        "ｻﾄｳ ｹﾝ",
        "345",
        "00000000000000000001",
    )
    assert "0012345" not in account.account_number_enc
    second = register_account(hoiku, "佐藤 恵", "1", "ｻﾄｳ ﾒｸﾞﾐ", bank=("0005", "001"))
    assert second.customer_number == "00000000000000000002"
    assert second.bank_name_kana == "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ"
    entry = AuditEntry.objects.get(action="debit_account_registered", target_id=account.customer_number)
    assert entry.detail["account"] == "****345"
    assert "12345" not in audit_text()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"bank_code": "9999"}, "bank_code", "金融機関コード 9999 は見つかりません。"),
        ({"bank_code": "1"}, "bank_code", "金融機関コードは4桁の数字で入れてください。"),
        (
            {"branch_code": "998"},
            "branch_code",
            "みずほ（金融機関コード 0001）に支店コード 998 は見つかりません。",
        ),
        ({"account_number": "12345678"}, "account_number", "口座番号は1〜7桁の数字で入れてください"),
        ({"account_number": "12-34a"}, "account_number", "口座番号は1〜7桁の数字で入れてください"),
        ({"account_type": "5"}, "account_type", "預金種目を選んでください。"),
        ({"holder_kana": "佐藤 健"}, "holder_kana", "使えない文字があります: 「佐」「藤」「健」"),
        ({"payer_atena_no": "9999999999"}, "payer_atena_no", "宛名番号 9999999999 の住民が見つかりません。"),
        ({"mandate_on": dt.date(2099, 1, 1)}, "mandate_on", "未来の日付"),
    ],
)
def test_a_bad_mandate_is_refused_with_the_field_and_nothing_is_stored(
    families, hoiku, change, field, message
):
    data = {
        "payer_atena_no": atena("佐藤 健"),
        "bank_code": "0001",
        "branch_code": "001",
        "account_type": "1",
        "account_number": "7654321",
        "holder_kana": "ｻﾄｳ ｹﾝ",
        "mandate_on": MANDATE,
        **change,
    }
    with pytest.raises(DebitError) as refused:
        debit.account_register(actor=hoiku, **data)
    assert refused.value.field == field
    assert message in str(refused.value)
    assert "12345678" not in str(refused.value) and "7654321" not in str(refused.value)
    assert BankAccount.objects.count() == 0
    assert not AuditEntry.objects.filter(action="debit_account_registered").exists()


def test_the_same_account_twice_is_refused(families, hoiku):
    register_account(hoiku, "佐藤 健", SATO_ACCOUNT, "ｻﾄｳ ｹﾝ")
    with pytest.raises(
        DebitError, match=r"同じ口座がすでに登録されています（顧客番号 00000000000000000001）"
    ):
        register_account(hoiku, "佐藤 健", SATO_ACCOUNT, "ｻﾄｳ ｹﾝ")
    assert BankAccount.objects.count() == 1


# --- 入所 -----------------------------------------------------------------------------------------


def test_enrolment_rules(families, hoiku):
    account = register_account(hoiku, "佐藤 健", SATO_ACCOUNT, "ｻﾄｳ ｹﾝ")
    first = enrol(hoiku, "佐藤 蓮", ["佐藤 健"], account)
    with pytest.raises(DebitError, match="期間の重なる入所があります"):
        enrol(hoiku, "佐藤 蓮", ["佐藤 健"], account, starts="2026-09-01")
    debit.enrolment_end(actor=hoiku, enrolment_id=first.pk, ends_on=dt.date(2026, 8, 31))
    with pytest.raises(DebitError, match="期間の重なる入所があります"):
        enrol(hoiku, "佐藤 蓮", ["佐藤 健"], account, starts="2026-08-31")
    again = enrol(hoiku, "佐藤 蓮", ["佐藤 健"], account, starts="2026-09-01")
    assert again.ends_on is None
    with pytest.raises(DebitError, match="すでに退所日が入っています"):
        debit.enrolment_end(actor=hoiku, enrolment_id=first.pk, ends_on=dt.date(2026, 9, 30))
    # A parent is not a pre-school child; a child is not its own parent; parents must exist.
    with pytest.raises(DebitError, match=r"佐藤 健さんは令和8年度の4月1日に35歳のため") as too_old:
        enrol(hoiku, "佐藤 健", ["佐藤 恵"], account)
    assert too_old.value.field == "child_atena_no"
    with pytest.raises(DebitError, match="児童本人を保護者にはできません"):
        enrol(hoiku, "佐藤 陽菜", ["佐藤 陽菜"], account)
    with pytest.raises(DebitError, match="宛名番号 9999999999 の住民が見つかりません"):
        debit.enrol(
            actor=hoiku,
            child_atena_no=atena("佐藤 陽菜"),
            parent_atena_nos=["9999999999"],
            facility_code="H01",
            standard_hours=True,
            starts_on=dt.date(2026, 4, 1),
        )
    with pytest.raises(DebitError, match="入所日が生年月日より前です"):
        enrol(hoiku, "佐藤 陽菜", ["佐藤 健"], account, starts="2024-04-01")
    assert Enrolment.objects.count() == 2


# --- the month ------------------------------------------------------------------------------------


def test_month_fees_per_account_and_a_missing_assessment_is_never_charged(enrolled, hoiku):
    fees = debit.month_fees(fiscal_year=FY, month=MONTH, actor=hoiku)
    got = {
        account.customer_number: sorted((e.child_atena_no, f.hoikuryo, f.fukushokuhi) for e, f in rows)
        for account, rows in fees.by_account.items()
    }
    assert got == {
        "00000000000000000001": sorted([(atena("佐藤 蓮"), 0, 4500), (atena("佐藤 陽菜"), 22_250, 0)]),
        "00000000000000000002": [(atena("鈴木 三郎"), 19_100, 0)],
        "00000000000000000003": [(atena("高橋 美咲"), 0, 4500)],
    }
    [problem] = fees.problems
    assert (problem.kind, problem.child_atena_no) == ("no_tax", atena("伊藤 葵"))
    assert problem.message.startswith("課税情報なし：保護者（宛名番号 ")
    assert "令和7年度の市町村民税の課税情報がありません" in problem.message
    read = AuditEntry.objects.get(action="childcare_fees_read")
    assert read.detail["purpose"] == "保育料の算定"
    # 鈴木 is a low-income household: its register was read to count older children.
    assert atena("鈴木 一") in read.detail["atena_nos"]
    tax_reads = AuditEntry.objects.filter(action="tax_read", target_id="2025")
    assert tax_reads.count() == 1


def test_a_month_from_request_file_to_arrears_and_window_payment(enrolled, hoiku):
    run = debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=DEBIT_DATE)
    assert (run.records, run.total, run.state) == (3, 26_750 + 19_100 + 4_500, "generated")
    data = bytes(run.request_file)
    lines = data.split(b"\r\n")
    assert len(lines) == 7 and lines[-1] == b"" and all(len(line) == 120 for line in lines[:-1])
    assert lines[0] == record_line(
        "1", "91", "0", "1234567890", "ｲﾁﾉﾓﾘｼ".ljust(40), "0626",
        "0001", "ﾐｽﾞﾎ".ljust(15), "001", "ﾄｳｷﾖｳ".ljust(15), "1", "1234567", " " * 17,
    )  # fmt: skip
    assert lines[1] == record_line(
        "2", "0001", "ﾐｽﾞﾎ".ljust(15), "001", "ﾄｳｷﾖｳ".ljust(15), "    ", "1", SATO_ACCOUNT,
        "ｻﾄｳ ｹﾝ".ljust(30), "0000026750", "1", "00000000000000000001".ljust(20), "0", " " * 8,
    )  # fmt: skip
    assert lines[2] == record_line(
        "2", "0005", "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".ljust(15), "001", "ﾎﾝﾃﾝ".ljust(15), "    ", "1", SUZUKI_ACCOUNT,
        "ｽｽﾞｷ ﾊｼﾞﾒ".ljust(30), "0000019100", "1", "00000000000000000002".ljust(20), "0", " " * 8,
    )  # fmt: skip
    assert zengin.parse_file(data).records[2] == zengin.DebitRecord(
        "0010",
        "ﾘｿﾅ",
        "100",
        "ｼﾖｳｹﾝｼﾝﾀｸｷﾞﾖｳﾑ",
        "1",
        TAKAHASHI_ACCOUNT,
        "ﾀｶﾊｼ ﾏｺﾄ",
        4500,
        "1",
        "00000000000000000003",
        "0",
    )
    assert lines[4] == record_line(
        "8", "000003", "000000050350", "000000", "0" * 12, "000000", "0" * 12, " " * 65
    )
    assert lines[5] == record_line("9", " " * 119)
    assert debit.request_file_name(run) == "KOFURI-202606.txt"
    # 伊藤 has no 2025 assessment: listed, not charged.
    assert [(n["kind"], n["child"]) for n in run.notes] == [("no_tax", atena("伊藤 葵"))]
    sato_item = DebitItem.objects.get(run=run, customer_number="00000000000000000001")
    assert sorted(
        (p["child"], p["age_class"], p["hoikuryo"], p["fukushokuhi"]) for p in sato_item.breakdown
    ) == sorted([(atena("佐藤 蓮"), 4, 0, 4500), (atena("佐藤 陽菜"), 1, 22_250, 0)])

    # The bank: 佐藤 paid, 鈴木 short of funds, 高橋's account no longer exists.
    codes = {"00000000000000000002": "1", "00000000000000000003": "2"}
    run = debit.run_import_results(actor=hoiku, run_id=run.pk, data=result_file(run, codes))
    assert (run.state, run.paid_count, run.paid_total) == ("results", 1, 26_750)
    items = dict(DebitItem.objects.filter(run=run).values_list("customer_number", "result_code"))
    assert items == {"00000000000000000001": "0", "00000000000000000002": "1", "00000000000000000003": "2"}
    sato, suzuki, takahashi = (BankAccount.objects.get(pk=a.pk) for a in enrolled.values())
    assert (sato.first_debit_done, sato.state) == (True, "active")
    assert (suzuki.first_debit_done, suzuki.state) == (False, "active")
    assert (takahashi.state, takahashi.flag_reason) == (
        "flagged",
        "令和8年6月分の口座振替で「取引なし」（結果コード 2）",
    )

    rows = debit.arrears(actor=hoiku)
    assert [(r.payer_name, r.month_label, r.amount, r.result_code, r.reason) for r in rows] == [
        ("鈴木 一", "令和8年6月", 19_100, "1", "資金不足"),
        ("高橋 誠", "令和8年6月", 4_500, "2", "取引なし"),
    ]
    pdf = debit.reminder_letter(actor=hoiku, item_id=rows[0].item_id, today=dt.date(2026, 7, 1))
    text = pdf_text(pdf)
    assert "鈴木一様" in text and "一ノ森市本町2番2号" in text
    assert "令和8年6月分の保育料等" in text and "資金不足" in text
    assert "合計19,100円" in text and "保育料鈴木三郎さん（0歳児クラス）19,100円" in text
    assert "令和8年7月15日までに" in text
    assert AuditEntry.objects.filter(action="debit_reminder_printed", target_id=str(rows[0].item_id)).exists()

    debit.settle_item(actor=hoiku, item_id=rows[0].item_id)
    assert [r.payer_atena_no for r in debit.arrears()] == [atena("高橋 誠")]
    with pytest.raises(DebitError, match="未納ではありません"):
        debit.settle_item(actor=hoiku, item_id=rows[0].item_id)
    with pytest.raises(DebitError, match="未納ではありません"):
        debit.settle_item(actor=hoiku, item_id=sato_item.pk)

    # The next month: 佐藤's second debit is no longer a first one; 高橋 (要確認) is left out and listed.
    july = debit.run_generate(actor=hoiku, fiscal_year=FY, month=7, debit_date=dt.date(2026, 7, 27))
    codes_july = dict(DebitItem.objects.filter(run=july).values_list("customer_number", "new_code"))
    assert codes_july == {"00000000000000000001": "0", "00000000000000000002": "1"}
    assert ("flagged", 4500) in [(n["kind"], n.get("amount")) for n in july.notes]

    # Account numbers never reach the audit log.
    text = audit_text()
    for number in (SATO_ACCOUNT, SUZUKI_ACCOUNT, TAKAHASHI_ACCOUNT):
        assert number not in text


def test_one_run_a_month(enrolled, hoiku):
    debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=DEBIT_DATE)
    with pytest.raises(DebitError, match=r"令和8年6月分（令和8年度）の口座振替はすでに作成されています"):
        debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=dt.date(2026, 6, 29))
    assert DebitRun.objects.count() == 1


def test_a_debit_date_outside_the_month_and_the_next_is_refused(enrolled, hoiku):
    with pytest.raises(DebitError, match=r"引落日は令和8年6月1日から令和8年7月31日まで") as refused:
        debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=dt.date(2026, 8, 3))
    assert refused.value.field == "debit_date"
    assert DebitRun.objects.count() == 0


def test_ended_and_zero_accounts_are_left_out(families, hoiku):
    account = register_account(hoiku, "高橋 誠", TAKAHASHI_ACCOUNT, "ﾀｶﾊｼ ﾏｺﾄ")
    enrol(hoiku, "高橋 美咲", ["高橋 誠"], account)
    debit.account_end(actor=hoiku, account_id=account.pk)
    with pytest.raises(DebitError, match="引き落とす明細がありません") as nothing:
        debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=DEBIT_DATE)
    assert "口座が「廃止」のため引き落としません" in str(nothing.value)
    assert DebitRun.objects.count() == 0


# --- the result file ------------------------------------------------------------------------------


@pytest.fixture
def generated(enrolled, hoiku):
    return debit.run_generate(actor=hoiku, fiscal_year=FY, month=MONTH, debit_date=DEBIT_DATE)


def _replace(data: bytes, line: int, offset: int, new: bytes) -> bytes:
    start = (line - 1) * 122 + offset
    return data[:start] + new + data[start + len(new) :]


def _bad_files(good: bytes, run: DebitRun) -> dict[str, tuple[bytes, str]]:
    """Broken result files and the message each must give."""
    request = zengin.parse_file(bytes(run.request_file))
    records = [_fields(r) for r in request.records]
    unknown = [zengin.DebitRecord(**{**records[0], "customer_number": "99999999999999999999"}), *(
        zengin.DebitRecord(**r) for r in records[1:]
    )]  # fmt: skip
    amount = [
        zengin.DebitRecord(**{**records[0], "amount": 26_000}),
        *(zengin.DebitRecord(**r) for r in records[1:]),
    ]
    return {
        "record length": (
            good[:130] + good[131:],
            "2行目 レコード長: レコード長が 120 バイトではありません（119 バイト）",
        ),
        "bad character": (
            _replace(good, 2, 50, "山".encode("cp932")),
            "2行目 預金者名: 全角文字（2バイト文字）は使えません",
        ),
        "trailer mismatch": (
            _replace(good, 5, 7, b"000000050351"),
            "5行目 合計金額: 引落金額の合計と一致しません",
        ),
        "unknown customer": (
            zengin.build_file(request.header, unknown, result=True),
            "2行目 顧客番号: この口座振替にない顧客番号です（「99999999999999999999」）。",
        ),
        "amount": (
            zengin.build_file(request.header, amount, result=True),
            "2行目 引落金額: 依頼した金額と一致しません（依頼：26,750円、結果：26,000円）。",
        ),
        "missing record": (
            zengin.build_file(request.header, [zengin.DebitRecord(**r) for r in records[:2]], result=True),
            "結果ファイルに次の顧客番号の明細がありません：00000000000000000003",
        ),
        "CR only": (
            good.replace(b"\r\n", b"\r"),
            "1行目 改行コード: 改行コードが CRLF ではありません（CR のみ）",
        ),
        "LF only": (
            good.replace(b"\r\n", b"\n"),
            "1行目 改行コード: 改行コードが CRLF ではありません（LF のみ）",
        ),
        "account number": (
            _replace(good, 2, 43, b"12A4567"),
            "2行目 口座番号: 7桁の数字ではありません（値は表示しません）。",
        ),
        "request file": (bytes(run.request_file), "これは依頼データ（送ったファイル）です"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "record length",
        "bad character",
        "trailer mismatch",
        "unknown customer",
        "amount",
        "missing record",
        "CR only",
        "LF only",
        "account number",
        "request file",
    ],
)
def test_a_bad_result_file_is_refused_whole(generated, hoiku, case):
    good = result_file(generated, {"00000000000000000002": "1"})
    data, message = _bad_files(good, generated)[case]
    with pytest.raises(DebitError) as refused:
        debit.run_import_results(actor=hoiku, run_id=generated.pk, data=data)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert "1件も取り込んでいません" in refused.value.messages[0] or case == "request file"
    generated.refresh_from_db()
    assert (generated.state, generated.result_sha256, generated.paid_count) == ("generated", None, 0)
    assert set(DebitItem.objects.values_list("result_code", flat=True)) == {""}
    assert not BankAccount.objects.exclude(state="active").exists()
    assert not AuditEntry.objects.filter(action="debit_results_imported").exists()
    # The good file still goes in afterwards.
    debit.run_import_results(actor=hoiku, run_id=generated.pk, data=good)


def test_the_same_result_file_twice_is_refused(generated, hoiku):
    good = result_file(generated, {"00000000000000000002": "4"})
    debit.run_import_results(actor=hoiku, run_id=generated.pk, data=good)
    with pytest.raises(DebitError, match="このファイルは令和8年6月分の結果として取込み済みです"):
        debit.run_import_results(actor=hoiku, run_id=generated.pk, data=good)
    other = result_file(generated, {})
    with pytest.raises(DebitError, match="令和8年6月分の振替結果はすでに取り込まれています"):
        debit.run_import_results(actor=hoiku, run_id=generated.pk, data=other)
    assert AuditEntry.objects.filter(action="debit_results_imported").count() == 1
    assert BankAccount.objects.get(customer_number="00000000000000000002").flag_reason == (
        "令和8年6月分の口座振替で「口座振替依頼書なし」（結果コード 4）"
    )


# --- the command ----------------------------------------------------------------------------------


def test_the_command_generates_imports_and_lists_arrears(enrolled, tmp_path):
    out = io.StringIO()
    request = tmp_path / "KOFURI-202606.txt"
    call_command(
        "debit", "generate", "--year", "2026", "--month", "6", "--debit-date", "2026-06-26",
        "--output", str(request), stdout=out,
    )  # fmt: skip
    run = DebitRun.objects.get()
    assert f"令和8年6月分の口座振替を作成しました: ID {run.pk}、3件、50,350円、除外 1件" in out.getvalue()
    assert request.read_bytes() == bytes(run.request_file)
    results = tmp_path / "result.txt"
    results.write_bytes(result_file(run, {"00000000000000000003": "1"}))
    out = io.StringIO()
    call_command("debit", "import", "--run", str(run.pk), str(results), stdout=out)
    assert "振替済 2件 45,850円、振替不能 1件 4,500円" in out.getvalue()
    out = io.StringIO()
    call_command("debit", "arrears", stdout=out)
    assert "00000000000000000003" in out.getvalue() and "4,500円\t1 資金不足" in out.getvalue()
    assert "未納 1件、合計 4,500円" in out.getvalue()
    assert AuditEntry.objects.filter(action="debit_run_generated", actor="cli").exists()
