"""全銀 口座振替 files: exact bytes, round trips, every rejection, kana normalisation, properties."""

import dataclasses
import datetime as dt
import pickle
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakuba.payments.zengin import (
    MAX_AMOUNT,
    RESULT_CODES,
    DebitRecord,
    Header,
    Trailer,
    ZenginCharError,
    ZenginFieldError,
    ZenginFile,
    ZenginFormatError,
    build_file,
    fit_field,
    fits,
    make_trailer,
    mmdd,
    parse_file,
    synthetic_records,
    to_zengin_kana,
)

KANA = "ｦｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ"
NAME_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ()-." + KANA
TEXT_CHARS = NAME_CHARS + "/,"
CRLF = b"\r\n"

HEADER = Header(
    consignor_code="1234567890",
    consignor_name="ﾔｸﾊﾞｼ ｽｲﾄﾞｳｶﾞｽ(ｶ)",
    debit_date="0427",
    bank_code="0001",
    bank_name="ﾐｽﾞﾎ",
    branch_code="123",
    branch_name="ﾔｸﾊﾞ",
    account_type="1",
    account_number="7654321",
)
RECORDS = (
    DebitRecord(
        bank_code="0005",
        bank_name="ﾐﾂﾋﾞｼUFJ",
        branch_code="456",
        branch_name="ｼﾌﾞﾔ",
        account_type="1",
        account_number="0012345",
        account_holder="ﾔﾏﾀﾞ ﾀﾛｳ",
        amount=12345,
        new_code="1",
        customer_number="C-0001",
    ),
    DebitRecord(
        bank_code="0009",
        bank_name="ﾐﾂｲｽﾐﾄﾓ",
        branch_code="001",
        branch_name="ﾄｳｷﾖｳ/ｴｷﾏｴ,ﾆｼ",
        account_type="2",
        account_number="9999999",
        account_holder="(ｶ)ﾊﾟﾝﾔ.ﾎﾟﾎﾟ-",
        amount=MAX_AMOUNT,
        new_code="0",
        customer_number="00000000000000000002",
    ),
    DebitRecord(
        bank_code="1234",
        bank_name="ｼﾝｷﾝ",
        branch_code="999",
        branch_name="ﾎﾝﾃﾝ",
        account_type="9",
        account_number="0000001",
        account_holder="ｽｽﾞｷ ｼﾞﾛｳ",
        amount=0,
        new_code="2",
    ),
)


def fixed(*parts: tuple[str, int], fill: str = " ") -> str:
    return "".join(value.ljust(width, fill) for value, width in parts)


def expected_small_file(result_codes: str = "000", trailer: str | None = None) -> bytes:
    """The small file written field by field, independent of the module's layout tables."""
    header = (
        "1"
        + "91"
        + "0"
        + "1234567890"
        + "ﾔｸﾊﾞｼ ｽｲﾄﾞｳｶﾞｽ(ｶ)".ljust(40)
        + "0427"
        + "0001"
        + "ﾐｽﾞﾎ".ljust(15)
        + "123"
        + "ﾔｸﾊﾞ".ljust(15)
        + "1"
        + "7654321"
        + " " * 17
    )
    data = [
        "2"
        + "0005"
        + "ﾐﾂﾋﾞｼUFJ".ljust(15)
        + "456"
        + "ｼﾌﾞﾔ".ljust(15)
        + "    "
        + "1"
        + "0012345"
        + "ﾔﾏﾀﾞ ﾀﾛｳ".ljust(30)
        + "0000012345"
        + "1"
        + "C-0001".ljust(20)
        + result_codes[0]
        + " " * 8,
        "2"
        + "0009"
        + "ﾐﾂｲｽﾐﾄﾓ".ljust(15)
        + "001"
        + "ﾄｳｷﾖｳ/ｴｷﾏｴ,ﾆｼ".ljust(15)
        + "    "
        + "2"
        + "9999999"
        + "(ｶ)ﾊﾟﾝﾔ.ﾎﾟﾎﾟ-".ljust(30)
        + "9999999999"
        + "0"
        + "00000000000000000002"
        + result_codes[1]
        + " " * 8,
        "2"
        + "1234"
        + "ｼﾝｷﾝ".ljust(15)
        + "999"
        + "ﾎﾝﾃﾝ".ljust(15)
        + "    "
        + "9"
        + "0000001"
        + "ｽｽﾞｷ ｼﾞﾛｳ".ljust(30)
        + "0000000000"
        + "2"
        + " " * 20
        + result_codes[2]
        + " " * 8,
    ]
    if trailer is None:
        trailer = "8" + "000003" + "010000012344" + "0" * 36 + " " * 65
    end = "9" + " " * 119
    return "".join(line + "\r\n" for line in [header, *data, trailer, end]).encode("cp932")


def small_file() -> bytes:
    return build_file(HEADER, RECORDS)


def records_of(data: bytes) -> list[bytes]:
    assert data.endswith(CRLF)
    return data[:-2].split(CRLF)


def replace_bytes(data: bytes, line: int, offset: int, new: bytes) -> bytes:
    """``data`` with the bytes of record ``line`` (1-based) at ``offset`` replaced by ``new``."""
    lines = records_of(data)
    record = lines[line - 1]
    lines[line - 1] = record[:offset] + new + record[offset + len(new) :]
    return CRLF.join(lines) + CRLF


# ---------------------------------------------------------------------------------------- exact bytes


def test_small_request_has_exact_bytes():
    assert small_file() == expected_small_file()


def test_every_record_is_120_bytes_and_ends_in_crlf():
    data = small_file()
    assert len(data) == 6 * 122
    assert data.count(CRLF) == 6
    for i in range(6):
        assert data[i * 122 + 120 : i * 122 + 122] == CRLF
    assert all(len(record) == 120 for record in records_of(data))


def test_field_offsets_of_header_data_and_trailer():
    header, first, second, _, trailer, end = records_of(small_file())
    assert header[0:1] == b"1"
    assert header[1:3] == b"91"
    assert header[3:4] == b"0"
    assert header[4:14] == b"1234567890"
    assert header[14:54].decode("cp932") == "ﾔｸﾊﾞｼ ｽｲﾄﾞｳｶﾞｽ(ｶ)".ljust(40)
    assert header[54:58] == b"0427"
    assert header[58:62] == b"0001"
    assert header[62:77].decode("cp932") == "ﾐｽﾞﾎ".ljust(15)
    assert header[77:80] == b"123"
    assert header[80:95].decode("cp932") == "ﾔｸﾊﾞ".ljust(15)
    assert header[95:96] == b"1"
    assert header[96:103] == b"7654321"
    assert header[103:120] == b" " * 17

    assert first[0:1] == b"2"
    assert first[1:5] == b"0005"
    assert first[5:20].decode("cp932") == "ﾐﾂﾋﾞｼUFJ".ljust(15)
    assert first[20:23] == b"456"
    assert first[23:38].decode("cp932") == "ｼﾌﾞﾔ".ljust(15)
    assert first[38:42] == b"    "
    assert first[42:43] == b"1"
    assert first[43:50] == b"0012345"
    assert first[50:80].decode("cp932") == "ﾔﾏﾀﾞ ﾀﾛｳ".ljust(30)
    assert first[80:90] == b"0000012345"
    assert first[90:91] == b"1"
    assert first[91:111] == b"C-0001".ljust(20)
    assert first[111:112] == b"0"
    assert first[112:120] == b" " * 8
    assert second[80:90] == b"9999999999"

    assert trailer[0:1] == b"8"
    assert trailer[1:7] == b"000003"
    assert trailer[7:19] == b"010000012344"
    assert trailer[19:55] == b"0" * 36
    assert trailer[55:120] == b" " * 65
    assert end == b"9" + b" " * 119


def test_result_file_has_result_codes_at_offset_111_and_split_totals():
    records = [dataclasses.replace(RECORDS[0], result_code="1"), RECORDS[1], RECORDS[2]]
    data = build_file(HEADER, records, result=True)
    trailer = (
        "8" + "000003" + "010000012344" + "000002" + "009999999999" + "000001" + "000000012345" + " " * 65
    )
    assert data == expected_small_file("100", trailer)
    lines = records_of(data)
    assert [line[111:112] for line in lines[1:4]] == [b"1", b"0", b"0"]
    parsed = parse_file(data)
    assert parsed.is_result
    assert parsed.trailer == Trailer(3, 10_000_012_344, 2, 9_999_999_999, 1, 12_345)
    assert parsed.trailer == make_trailer(records, result=True)


def test_small_file_parses_back():
    parsed = parse_file(small_file())
    assert parsed == ZenginFile(HEADER, RECORDS, Trailer(3, 10_000_012_344))
    assert not parsed.is_result
    assert parsed.header.debit_date_in(2026) == dt.date(2026, 4, 27)
    assert mmdd(dt.date(2026, 4, 27)) == "0427"


def test_empty_request_file_round_trips():
    data = build_file(HEADER, [])
    assert len(data) == 3 * 122
    assert parse_file(data) == ZenginFile(HEADER, (), Trailer(0, 0))


# ----------------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("result", [False, True])
def test_synthetic_records_round_trip(result):
    records = synthetic_records(500, seed=7, result=result)
    assert len({r.result_code for r in records}) > 1 if result else {r.result_code for r in records} == {"0"}
    parsed = parse_file(build_file(HEADER, records, result=result))
    assert parsed.records == tuple(records)
    assert parsed.header == HEADER
    assert parsed.trailer == make_trailer(records, result=result)
    assert parsed.is_result is result


def test_synthetic_records_are_deterministic():
    assert synthetic_records(50, seed=3) == synthetic_records(50, seed=3)
    assert synthetic_records(50, seed=3) != synthetic_records(50, seed=4)


def test_a_hundred_thousand_records_build_and_parse():
    records = synthetic_records(100_000, result=True)
    data = build_file(HEADER, records, result=True)
    assert len(data) == 100_003 * 122
    parsed = parse_file(data)
    assert len(parsed.records) == 100_000
    assert parsed.records[-1] == records[-1]
    assert parsed.trailer == make_trailer(records, result=True)


# -------------------------------------------------------------------------------- accepted variations


def test_file_without_line_breaks_is_accepted():
    assert parse_file(small_file().replace(CRLF, b"")).records == RECORDS


def test_trailing_eof_byte_is_tolerated():
    assert parse_file(small_file() + b"\x1a").records == RECORDS
    assert parse_file(small_file().replace(CRLF, b"") + b"\x1a").records == RECORDS


def test_missing_crlf_after_the_end_record_is_tolerated():
    assert parse_file(small_file()[:-2]).records == RECORDS


def test_blank_result_code_in_a_request_reads_as_zero():
    data = small_file()
    for line in (2, 3, 4):
        data = replace_bytes(data, line, 111, b" ")
    assert parse_file(data).records == RECORDS
    assert parse_file(data, expect_result=False).records == RECORDS


def test_result_file_with_every_debit_done_is_inferred_as_result():
    data = build_file(HEADER, RECORDS, result=True)
    parsed = parse_file(data)
    assert parsed.is_result
    assert parsed.trailer.transferred_count == 3
    with pytest.raises(ZenginFormatError) as exc:
        parse_file(data, expect_result=False)
    assert (exc.value.line, exc.value.field) == (5, "振替済件数")


def test_bytearray_and_memoryview_are_accepted():
    assert parse_file(bytearray(small_file())).records == RECORDS
    assert parse_file(memoryview(small_file())).records == RECORDS


# ------------------------------------------------------------------------------------------ rejections


def on_line(line: int, offset: int, new: bytes) -> Callable[[bytes], bytes]:
    return lambda data: replace_bytes(data, line, offset, new)


def with_lines(edit: Callable[[list[bytes]], list[bytes]]) -> Callable[[bytes], bytes]:
    return lambda data: CRLF.join(edit(records_of(data))) + CRLF


def result_file(data: bytes) -> bytes:
    return build_file(HEADER, [dataclasses.replace(RECORDS[0], result_code="1"), *RECORDS[1:]], result=True)


def then(first: Callable[[bytes], bytes], second: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    return lambda data: second(first(data))


REJECTIONS = {
    # structure and line ends
    "empty": (lambda data: b"", 1, "データ区分"),
    "only an EOF byte": (lambda data: b"\x1a", 1, "データ区分"),
    "short record": (with_lines(lambda ls: [*ls[:2], ls[2][:119], *ls[3:]]), 3, "レコード長"),
    "long record": (with_lines(lambda ls: [*ls[:3], ls[3] + b" ", *ls[4:]]), 4, "レコード長"),
    "blank line at the end": (lambda data: data + CRLF, 7, "レコード長"),
    "blank line in the middle": (with_lines(lambda ls: [*ls[:2], b"", *ls[2:]]), 3, "レコード長"),
    "LF only": (lambda data: data.replace(CRLF, b"\n"), 1, "改行コード"),
    "CR only": (lambda data: data.replace(CRLF, b"\r"), 1, "改行コード"),
    "mixed line ends": (lambda data: data.replace(CRLF, b"\n", 3).replace(b"\n", CRLF, 2), 3, "改行コード"),
    "LF CR": (lambda data: data.replace(CRLF, b"\n\r"), 1, "改行コード"),
    "no line breaks, not a multiple of 120": (lambda data: data.replace(CRLF, b"")[:-1], 6, "レコード長"),
    "two records joined": (lambda data: data.replace(CRLF, b"", 1), 1, "レコード長"),
    "EOF byte in the middle": (lambda data: data[:-2] + b"\x1a" + CRLF, 6, "レコード長"),
    # bytes outside the set
    "kanji (double-byte) in a name": (on_line(2, 50, "山".encode("cp932")), 2, "預金者名"),
    "full-width space": (on_line(1, 14, "　".encode("cp932")), 1, "委託者名"),
    "small kana": (on_line(3, 5, "ｬ".encode("cp932")), 3, "引落銀行名"),
    "long vowel mark": (on_line(2, 23, "ｰ".encode("cp932")), 2, "引落支店名"),
    "half-width middle dot": (on_line(2, 52, "･".encode("cp932")), 2, "預金者名"),
    "tab": (on_line(4, 91, b"\t"), 4, "顧客番号"),
    "NUL in a dummy": (on_line(2, 115, b"\x00"), 2, "ダミー"),
    "lowercase latin": (on_line(3, 55, b"a"), 3, "預金者名"),
    "asterisk": (on_line(1, 62, b"*"), 1, "取引銀行名"),
    "byte 0x80": (on_line(2, 80, b"\x80"), 2, "引落金額"),
    "byte 0xFD": (on_line(4, 0, b"\xfd"), 4, "データ区分"),
    "byte 0xA0": (on_line(5, 3, b"\xa0"), 5, "合計件数"),
    "stray CR inside a record": (on_line(2, 60, b"\r"), 2, "預金者名"),
    "slash in a name": (on_line(2, 52, b"/"), 2, "預金者名"),
    "comma in the consignor name": (on_line(1, 20, b","), 1, "委託者名"),
    # record order
    "no header": (with_lines(lambda ls: ls[1:]), 1, "データ区分"),
    "two headers": (with_lines(lambda ls: [ls[0], *ls]), 2, "データ区分"),
    "header after data": (with_lines(lambda ls: [*ls[:3], ls[0], *ls[3:]]), 4, "データ区分"),
    "data after trailer": (with_lines(lambda ls: [*ls[:5], ls[1], ls[5]]), 6, "データ区分"),
    "two trailers": (with_lines(lambda ls: [*ls[:5], ls[4], ls[5]]), 6, "データ区分"),
    "no trailer": (with_lines(lambda ls: [*ls[:4], ls[5]]), 5, "データ区分"),
    "no end record": (with_lines(lambda ls: ls[:5]), 6, "データ区分"),
    "neither trailer nor end": (with_lines(lambda ls: ls[:4]), 5, "データ区分"),
    "record after end": (with_lines(lambda ls: [*ls, ls[1]]), 7, "データ区分"),
    "two end records": (with_lines(lambda ls: [*ls, ls[5]]), 7, "データ区分"),
    "unknown data kind": (on_line(3, 0, b"3"), 3, "データ区分"),
    # header fields
    "type code 21": (on_line(1, 1, b"21"), 1, "種別コード"),
    "code division 1 (EBCDIC)": (on_line(1, 3, b"1"), 1, "コード区分"),
    "consignor code not digits": (on_line(1, 4, b"12345 7890"), 1, "委託者コード"),
    "debit date 1301": (on_line(1, 54, b"1301"), 1, "引落日"),
    "debit date 0230": (on_line(1, 54, b"0230"), 1, "引落日"),
    "header account type 5": (on_line(1, 95, b"5"), 1, "預金種目"),
    "header dummy not blank": (on_line(1, 119, b"X"), 1, "ダミー"),
    # data fields
    "bank code not digits": (on_line(2, 1, b"00A5"), 2, "引落銀行番号"),
    "branch code blank": (on_line(3, 20, b"   "), 3, "引落支店番号"),
    "data dummy not blank": (on_line(2, 38, b"0000"), 2, "ダミー"),
    "account type 3": (on_line(4, 42, b"3"), 4, "預金種目"),
    "account number not digits": (on_line(2, 43, b"12-4567"), 2, "口座番号"),
    "amount not digits": (on_line(3, 80, b"00000ABC00"), 3, "引落金額"),
    "amount with spaces": (on_line(3, 80, b"     12345"), 3, "引落金額"),
    "new code 3": (on_line(2, 90, b"3"), 2, "新規コード"),
    "unknown result code 5": (on_line(3, 111, b"5"), 3, "振替結果コード"),
    "result code X": (on_line(2, 111, b"X"), 2, "振替結果コード"),
    "trailing dummy not blank": (on_line(4, 119, b"0"), 4, "ダミー"),
    # trailer and end record
    "trailer count not digits": (on_line(5, 1, b"00003 "), 5, "合計件数"),
    "trailer count wrong": (on_line(5, 1, b"000004"), 5, "合計件数"),
    "trailer amount wrong": (on_line(5, 7, b"010000012345"), 5, "合計金額"),
    "trailer dummy not blank": (on_line(5, 100, b"A"), 5, "ダミー"),
    "end record not blank": (on_line(6, 60, b"0"), 6, "ダミー"),
    # request / result consistency
    # a non-zero 振替済/不能 figure makes the file a result file, whose figures must then add up
    "request with a stray transferred amount": (on_line(5, 25, b"1"), 5, "振替済件数"),
    "request with a stray failed amount": (on_line(5, 50, b"1"), 5, "振替済件数"),
    "result code without failed figures": (on_line(2, 111, b"1"), 5, "振替済件数"),
    "result: transferred count wrong": (then(result_file, on_line(5, 19, b"000003")), 5, "振替済件数"),
    "result: transferred amount wrong": (then(result_file, on_line(5, 25, b"009999999998")), 5, "振替済金額"),
    "result: failed count wrong": (then(result_file, on_line(5, 37, b"000002")), 5, "振替不能件数"),
    "result: failed amount wrong": (then(result_file, on_line(5, 43, b"000000012346")), 5, "振替不能金額"),
    "result: blank result code": (then(result_file, on_line(3, 111, b" ")), 3, "振替結果コード"),
}


@pytest.mark.parametrize(("mutate", "line", "field"), REJECTIONS.values(), ids=REJECTIONS.keys())
def test_rejections_name_the_line_and_field(mutate, line, field):
    with pytest.raises(ZenginFormatError) as exc:
        parse_file(mutate(small_file()))
    assert (exc.value.line, exc.value.field) == (line, field), str(exc.value)
    assert str(exc.value).startswith(f"{line}行目 {field}: ")
    assert exc.value.message and exc.value.message in str(exc.value)


def test_error_message_for_a_non_digit_amount():
    with pytest.raises(ZenginFormatError) as exc:
        parse_file(replace_bytes(small_file(), 3, 80, b"00000ABC00"))
    assert str(exc.value).startswith("3行目 引落金額: 数字ではありません")
    assert isinstance(exc.value, ValueError)


def test_error_messages_explain_the_byte():
    messages = {}
    for name, new in [
        ("kanji", "山".encode("cp932")),
        ("small", "ｬ".encode("cp932")),
        ("long", "ｰ".encode("cp932")),
    ]:
        with pytest.raises(ZenginFormatError) as exc:
            parse_file(replace_bytes(small_file(), 2, 50, new))
        messages[name] = exc.value.message
    assert "全角文字" in messages["kanji"]
    assert "小さいカナ「ｬ」" in messages["small"]
    assert "長音「ｰ」" in messages["long"]
    assert "51バイト目" in messages["kanji"]


def test_expect_result_false_rejects_result_codes():
    data = build_file(HEADER, [dataclasses.replace(RECORDS[0], result_code="1"), *RECORDS[1:]], result=True)
    with pytest.raises(ZenginFormatError) as exc:
        parse_file(data, expect_result=False)
    assert (exc.value.line, exc.value.field) == (2, "振替結果コード")


@pytest.mark.parametrize(
    ("offset", "field"), [(19, "振替済件数"), (25, "振替済金額"), (37, "振替不能件数"), (50, "振替不能金額")]
)
def test_request_trailer_must_have_zero_figures(offset, field):
    with pytest.raises(ZenginFormatError) as exc:
        parse_file(replace_bytes(small_file(), 5, offset, b"1"), expect_result=False)
    assert (exc.value.line, exc.value.field) == (5, field)
    assert exc.value.message == "依頼ファイルでは 0 でなければなりません"


def test_expect_result_true_checks_the_trailer_of_a_request():
    with pytest.raises(ZenginFormatError) as exc:
        parse_file(small_file(), expect_result=True)
    assert (exc.value.line, exc.value.field) == (5, "振替済件数")


def test_errors_pickle():
    error = ZenginFormatError(3, "引落金額", "数字ではありません")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301
    assert (copy.line, copy.field, copy.message, str(copy)) == (
        3,
        "引落金額",
        "数字ではありません",
        str(error),
    )
    field_error = pickle.loads(pickle.dumps(ZenginFieldError("明細", 2, "引落金額", "x")))  # noqa: S301
    assert (field_error.index, field_error.field) == (2, "引落金額")
    char_error = pickle.loads(pickle.dumps(ZenginCharError("山")))  # noqa: S301
    assert char_error.chars == ("山",)


# ------------------------------------------------------------------------------------ build validation

BAD_RECORDS = {
    "short bank code": ({"bank_code": "1"}, "引落銀行番号"),
    "bank code with a letter": ({"bank_code": "00A1"}, "引落銀行番号"),
    "full-width digits in a code": ({"branch_code": "１２３"}, "引落支店番号"),
    "bank name too long": ({"bank_name": "ｱ" * 16}, "引落銀行名"),
    "branch name lowercase": ({"branch_name": "abc"}, "引落支店名"),
    "account type 3": ({"account_type": "3"}, "預金種目"),
    "empty account number": ({"account_number": ""}, "口座番号"),
    "long account number": ({"account_number": "12345678"}, "口座番号"),
    "small kana in the holder": ({"account_holder": "ｷﾔｯﾄ"}, "預金者名"),
    "slash in the holder": ({"account_holder": "A/B"}, "預金者名"),
    "long vowel in the holder": ({"account_holder": "ﾎﾟﾎﾟｰ"}, "預金者名"),
    "kanji in the holder": ({"account_holder": "山田"}, "預金者名"),
    "holder too long": ({"account_holder": "ｱ" * 31}, "預金者名"),
    "negative amount": ({"amount": -1}, "引落金額"),
    "amount of 11 digits": ({"amount": MAX_AMOUNT + 1}, "引落金額"),
    "amount as bool": ({"amount": True}, "引落金額"),
    "amount as float": ({"amount": 100.0}, "引落金額"),
    "amount as str": ({"amount": "100"}, "引落金額"),
    "new code 3": ({"new_code": "3"}, "新規コード"),
    "customer number too long": ({"customer_number": "1" * 21}, "顧客番号"),
    "result code in a request": ({"result_code": "1"}, "振替結果コード"),
    "blank result code": ({"result_code": " "}, "振替結果コード"),
    "bank name not a str": ({"bank_name": 5}, "引落銀行名"),
    "bank code as int": ({"bank_code": 1}, "引落銀行番号"),
}


@pytest.mark.parametrize(("changes", "field"), BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_build_rejects_bad_record_fields(changes, field):
    records = [RECORDS[0], dataclasses.replace(RECORDS[1], **changes), RECORDS[2]]
    with pytest.raises(ZenginFieldError) as exc:
        build_file(HEADER, records)
    assert (exc.value.record, exc.value.index, exc.value.field) == ("明細", 1, field)
    assert str(exc.value).startswith(f"明細 2件目（records[1]） {field}: ")


def test_build_rejects_unknown_result_code_in_a_result_file():
    with pytest.raises(ZenginFieldError) as exc:
        build_file(HEADER, [*RECORDS, dataclasses.replace(RECORDS[0], result_code="5")], result=True)
    assert (exc.value.index, exc.value.field) == (3, "振替結果コード")


def test_build_rejects_what_is_not_a_record():
    with pytest.raises(ZenginFieldError) as exc:
        build_file(HEADER, [RECORDS[0], "2" * 120])  # type: ignore[list-item]
    assert (exc.value.index, exc.value.field) == (1, "レコード")


BAD_HEADERS = {
    "short consignor code": ({"consignor_code": "123"}, "委託者コード"),
    "kanji consignor name": ({"consignor_name": "薬場市"}, "委託者名"),
    "consignor name too long": ({"consignor_name": "A" * 41}, "委託者名"),
    "date 1332": ({"debit_date": "1332"}, "引落日"),
    "date 0230": ({"debit_date": "0230"}, "引落日"),
    "date as a date": ({"debit_date": dt.date(2026, 4, 27)}, "引落日"),
    "bank code": ({"bank_code": "12"}, "取引銀行番号"),
    "account type": ({"account_type": "0"}, "預金種目"),
}


@pytest.mark.parametrize(("changes", "field"), BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_build_rejects_bad_header_fields(changes, field):
    with pytest.raises(ZenginFieldError) as exc:
        build_file(dataclasses.replace(HEADER, **changes), RECORDS)
    assert (exc.value.record, exc.value.index, exc.value.field) == ("ヘッダー", None, field)
    assert str(exc.value).startswith(f"ヘッダー {field}: ")


def test_leap_day_is_a_valid_debit_date():
    data = build_file(dataclasses.replace(HEADER, debit_date="0229"), RECORDS)
    assert parse_file(data).header.debit_date == "0229"


def test_build_rejects_a_total_beyond_twelve_digits():
    records = [dataclasses.replace(RECORDS[0], amount=MAX_AMOUNT)] * 101
    with pytest.raises(ZenginFieldError) as exc:
        build_file(HEADER, records)
    assert (exc.value.record, exc.value.field) == ("トレーラー", "合計金額")


# ------------------------------------------------------------------------------------------------ kana


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ガ", "ｶﾞ"),
        ("パ", "ﾊﾟ"),
        ("ヴ", "ｳﾞ"),
        ("ゔ", "ｳﾞ"),
        ("ｬ", "ﾔ"),
        ("キャッシュ", "ｷﾔﾂｼﾕ"),
        ("ァィゥェォ", "ｱｲｳｴｵ"),
        ("ヮヵヶ", "ﾜｶｹ"),
        ("ー", "-"),
        ("ｰ", "-"),
        ("－", "-"),
        ("—", "-"),
        ("コーヒー", "ｺ-ﾋ-"),
        ("やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ﾔﾏﾀﾞ  ﾀﾛｳ", "ﾔﾏﾀﾞ  ﾀﾛｳ"),
        ("ヤマダ\u3000\u3000タロウ", "ﾔﾏﾀﾞ  ﾀﾛｳ"),
        ("０１２３４５６７８９", "0123456789"),
        ("ＡＢＣｘｙｚ", "ABCXYZ"),
        ("abc", "ABC"),
        ("（カ）ヤクバ．－／，", "(ｶ)ﾔｸﾊﾞ.-/,"),
        ("(ｶ)ﾔｸﾊﾞ", "(ｶ)ﾔｸﾊﾞ"),
        ("ヲ", "ｦ"),
        ("を", "ｦ"),
        ("ぱぴぷぺぽ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("カ\u3099", "ｶﾞ"),  # decomposed (NFD) input
        ("カ゛", "ｶﾞ"),
        ("ヷ", "ﾜﾞ"),
        ("", ""),
    ],
)
def test_to_zengin_kana(typed, expected):
    assert to_zengin_kana(typed) == expected


@pytest.mark.parametrize(
    ("typed", "bad"),
    [
        ("山田", ("山", "田")),
        ("ヤマダ・タロウ", ("・",)),
        ("Ａ＆Ｂ", ("＆",)),
        ("ﾀﾛｳ😀", ("😀",)),
        ("ﾀﾛｳ\t", ("\t",)),
        ("ヽ", ("ヽ",)),
        ("ｱ･ｲ", ("･",)),
        ("a_b", ("_",)),
        ("①", ("①",)),
        ("㈱ヤクバ", ("㈱",)),
    ],
)
def test_to_zengin_kana_refuses_other_characters(typed, bad):
    with pytest.raises(ZenginCharError) as exc:
        to_zengin_kana(typed)
    assert exc.value.chars == bad
    assert isinstance(exc.value, ValueError)


def test_refusal_message_names_the_character():
    with pytest.raises(ZenginCharError) as exc:
        to_zengin_kana("山")
    assert str(exc.value) == (
        "使えない文字があります: 「山」（口座振替の名義は半角カナ・英大文字・数字・空白と ( ) - . のみ）"
    )
    with pytest.raises(ZenginCharError) as exc:
        to_zengin_kana("A\tB")
    assert "「U+0009」" in str(exc.value)


def test_to_zengin_kana_output_is_always_writable():
    typed = "アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノハヒフヘホバビブベボパピプペポマミムメモヤユヨラリルレロワヲンァィゥェォャュョッヮヵヶヴ"
    converted = to_zengin_kana(typed + typed.translate({c: c - 0x60 for c in range(0x30A1, 0x30F5)}))
    assert fits(converted, len(converted))


# ----------------------------------------------------------------------------------------------- fit


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("ｶﾞ", 1, " "),
        ("ｶﾞ", 2, "ｶﾞ"),
        ("ｶﾞ", 3, "ｶﾞ "),
        ("ﾔﾏﾀﾞ", 3, "ﾔﾏ "),
        ("ﾔﾏﾀﾞ", 4, "ﾔﾏﾀﾞ"),
        ("ﾊﾟﾝ", 1, " "),
        ("ﾊﾟﾝ", 2, "ﾊﾟ"),
        ("ABC", 2, "AB"),
        ("ABC", 0, ""),
        ("", 3, "   "),
        ("ｶﾞﾞX", 2, "  "),
    ],
)
def test_fit_field(text, width, expected):
    assert fit_field(text, width) == expected


def test_fit_field_refuses_unconverted_text():
    with pytest.raises(ZenginCharError):
        fit_field("ガ", 5)
    with pytest.raises(ValueError, match="negative"):
        fit_field("A", -1)


def test_fits():
    assert fits("ﾔﾏﾀﾞ", 4)
    assert not fits("ﾔﾏﾀﾞ", 3)
    assert not fits("ヤ", 3)
    assert fits("", 0)


# ------------------------------------------------------------------------------------------ properties

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def digits(width: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=width, max_size=width)


def text(alphabet: str, width: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, max_size=width).map(lambda s: s.rstrip(" "))


headers = st.builds(
    Header,
    consignor_code=digits(10),
    consignor_name=text(NAME_CHARS, 40),
    debit_date=st.dates().map(mmdd),
    bank_code=digits(4),
    bank_name=text(TEXT_CHARS, 15),
    branch_code=digits(3),
    branch_name=text(TEXT_CHARS, 15),
    account_type=st.sampled_from("129"),
    account_number=digits(7),
)


def debit_records(result_codes: str) -> st.SearchStrategy[DebitRecord]:
    return st.builds(
        DebitRecord,
        bank_code=digits(4),
        bank_name=text(TEXT_CHARS, 15),
        branch_code=digits(3),
        branch_name=text(TEXT_CHARS, 15),
        account_type=st.sampled_from("129"),
        account_number=digits(7),
        account_holder=text(NAME_CHARS, 30),
        amount=st.integers(0, MAX_AMOUNT),
        new_code=st.sampled_from("012"),
        customer_number=text(TEXT_CHARS, 20),
        result_code=st.sampled_from(result_codes),
    )


files = st.one_of(
    st.tuples(headers, st.lists(debit_records("0"), max_size=8), st.just(False)),
    st.tuples(headers, st.lists(debit_records("".join(RESULT_CODES)), max_size=8), st.just(True)),
)


@PROPERTY_SETTINGS
@given(files)
def test_property_build_then_parse_is_identity(case):
    header, records, result = case
    data = build_file(header, records, result=result)
    assert len(data) == (len(records) + 3) * 122
    expected = ZenginFile(header, tuple(records), make_trailer(records, result=result))
    assert parse_file(data) == expected
    assert parse_file(data, expect_result=result) == expected
    assert parse_file(data.replace(CRLF, b"")) == expected


@PROPERTY_SETTINGS
@given(st.binary(max_size=800))
def test_property_random_bytes_never_crash(data):
    try:
        parse_file(data)
    except ZenginFormatError as error:
        assert error.line >= 1 and error.field and error.message


INTERESTING_BYTES = b"\r\n\x1a\x00 0129A/,-()\x81\x82\xfd" + "ｱｶﾞﾟｬｰ山".encode("cp932")


@PROPERTY_SETTINGS
@given(
    files,
    st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete"]),
            st.integers(0, 10_000),
            st.one_of(st.sampled_from(INTERESTING_BYTES), st.integers(0, 255)),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([None, False, True]),
)
def test_property_mutated_files_parse_or_raise_format_error(case, mutations, expect_result):
    header, records, result = case
    data = bytearray(build_file(header, records, result=result))
    for operation, position, byte in mutations:
        position %= len(data) + 1
        if operation == "insert":
            data.insert(position, byte)
        elif position < len(data):
            if operation == "replace":
                data[position] = byte
            else:
                del data[position]
    try:
        parsed = parse_file(bytes(data), expect_result=expect_result)
    except ZenginFormatError as error:
        assert error.line >= 1 and error.field and error.message
    else:
        # Whatever was accepted can be written again and reads back the same.
        assert parse_file(build_file(parsed.header, parsed.records, result=parsed.is_result)) == parsed


@PROPERTY_SETTINGS
@given(st.text(TEXT_CHARS + "ﾞﾟﾞﾟ", max_size=40), st.integers(0, 45))
def test_property_fit_field_never_splits_a_voiced_mark(text_, width):
    out = fit_field(text_, width)
    assert len(out.encode("cp932")) == width
    # The kept part is the longest prefix within the width that is not followed by a mark.
    kept = min(width, len(text_))
    while 0 < kept < len(text_) and text_[kept] in "ﾞﾟ":
        kept -= 1
    assert out == text_[:kept].ljust(width)
    assert kept == len(text_) or text_[kept] not in "ﾞﾟ" or kept == 0
    assert fits(out, width)
