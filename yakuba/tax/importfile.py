"""Reading the tax system's yearly file of 市町村民税 assessments (layout: docs/tax.md).

The file is checked whole before anything is written: ``parse`` returns every row, or raises
``TaxImportError`` with one Japanese message per problem, each naming the line and the column.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yakuba.core.checkdigit import number_is_valid
from yakuba.core.kana import normalise_text
from yakuba.tax.wareki import nendo

HEADER = ("課税年度", "宛名番号", "市町村民税所得割額", "市町村民税均等割額", "非課税区分")
COL_YEAR, COL_ATENA, COL_SHOTOKUWARI, COL_KINTOWARI, COL_NON_TAXED = HEADER
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_YEN_DIGITS = 13  # 1兆円 and over is surely a wrong column
ENCODINGS = ("utf-8-sig", "cp932")  # UTF-8 with or without BOM first, then Shift_JIS (Windows)

_PLAIN = re.compile(r"^[0-9]+$")
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$")
_ALLOWED_CONTROLS = {"\t", "\r", "\n"}


class TaxImportError(ValueError):
    """An import that was refused; ``errors`` holds Japanese messages that can be shown as they are
    (for a bad row: 「5行目 市町村民税所得割額: 0以上の整数を入れてください」). Nothing was imported."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if errors else "")
        self.errors = errors


@dataclass(frozen=True)
class Row:
    line: int
    atena_no: str
    shotokuwari: int
    kintowari: int
    non_taxed: bool


def line_error(line: int, column: str, message: str) -> str:
    if column:
        return _("%(line)d行目 %(column)s: %(message)s") % {
            "line": line,
            "column": column,
            "message": message,
        }
    return _("%(line)d行目: %(message)s") % {"line": line, "message": message}


def _not_text() -> TaxImportError:
    return TaxImportError(
        [
            _(
                "CSV形式のテキストファイルではありません（Excelなどの形式や画像は取り込めません）。"
                "課税システムから書き出したCSVファイルを選んでください。"
            )
        ]
    )


def decode(data: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), else Shift_JIS (cp932). Refuses files that are
    too large, empty, or not text."""
    if len(data) > MAX_FILE_BYTES:
        raise TaxImportError([_("ファイルが大きすぎます（20MBまで）。")])
    if not data.strip():
        raise TaxImportError([_("ファイルが空です。")])
    if b"\x00" in data:
        raise _not_text()
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
            raise _not_text()
        return text
    raise TaxImportError(
        [_("文字コードを読み取れません。UTF-8かShift_JISで保存したCSVファイルを選んでください。")]
    )


def _yen(value: str) -> int | None:
    """A non-negative amount in yen: digits, full- or half-width, optionally grouped by commas
    (「12,300」「１２，３００」). None for anything else (empty, negative, decimals, units)."""
    text = normalise_text(value)
    if not (_PLAIN.match(text) or _GROUPED.match(text)):
        return None
    digits = text.replace(",", "")
    if len(digits.lstrip("0")) > MAX_YEN_DIGITS:
        return None
    return int(digits)


def parse(text: str, *, year: int) -> list[Row]:
    """Every row of the file, checked; raises ``TaxImportError`` listing every problem."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list[str] = []
    rows: list[Row] = []
    first_line_of: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None or tuple(cell.strip() for cell in header) != HEADER:
            raise TaxImportError(
                [
                    line_error(
                        1,
                        "",
                        _("見出し行が違います。1行目は「%(header)s」にしてください。")
                        % {"header": ",".join(HEADER)},
                    )
                ]
            )
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (often at the end of a file) are ignored
            if len(cells) != len(HEADER):
                errors.append(
                    line_error(
                        line,
                        "",
                        _("項目の数が%(want)d個ではありません（%(got)d個あります）。")
                        % {"want": len(HEADER), "got": len(cells)},
                    )
                )
                continue
            row_errors: list[str] = []
            raw_year, raw_atena, raw_shotokuwari, raw_kintowari, raw_non_taxed = cells

            year_text = normalise_text(raw_year)
            if not _PLAIN.match(year_text) or len(year_text) != 4:
                row_errors.append(line_error(line, COL_YEAR, _("西暦4桁の数字で入れてください")))
            elif int(year_text) != year:
                row_errors.append(
                    line_error(
                        line,
                        COL_YEAR,
                        _("取り込む年度（%(year)d年度・%(nendo)s）と違います（%(got)s）")
                        % {"year": year, "nendo": nendo(year), "got": year_text},
                    )
                )

            atena_no = normalise_text(raw_atena)
            if not (atena_no.isascii() and atena_no.isdigit() and len(atena_no) == 10):
                row_errors.append(line_error(line, COL_ATENA, _("10桁の数字で入れてください")))
            elif not number_is_valid(atena_no, 10):
                row_errors.append(
                    line_error(line, COL_ATENA, _("検査数字が合いません。宛名番号を確かめてください"))
                )
            elif atena_no in first_line_of:
                row_errors.append(
                    line_error(
                        line,
                        COL_ATENA,
                        _("%(first)d行目と同じ宛名番号です（1人1行にしてください）")
                        % {"first": first_line_of[atena_no]},
                    )
                )
            else:
                first_line_of[atena_no] = line

            shotokuwari = _yen(raw_shotokuwari)
            if shotokuwari is None:
                row_errors.append(line_error(line, COL_SHOTOKUWARI, _("0以上の整数を入れてください")))
            kintowari = _yen(raw_kintowari)
            if kintowari is None:
                row_errors.append(line_error(line, COL_KINTOWARI, _("0以上の整数を入れてください")))

            flag = normalise_text(raw_non_taxed)
            if flag not in {"0", "1"}:
                row_errors.append(
                    line_error(line, COL_NON_TAXED, _("0（課税）か1（非課税）を入れてください"))
                )
            non_taxed = flag == "1"
            if non_taxed and shotokuwari:
                row_errors.append(
                    line_error(line, COL_SHOTOKUWARI, _("非課税区分が1（非課税）の人は0にしてください"))
                )
            if non_taxed and kintowari:
                row_errors.append(
                    line_error(line, COL_KINTOWARI, _("非課税区分が1（非課税）の人は0にしてください"))
                )

            if row_errors:
                errors.extend(row_errors)
                continue
            assert shotokuwari is not None and kintowari is not None
            rows.append(Row(line, atena_no, shotokuwari, kintowari, non_taxed))
    except csv.Error:
        errors.append(
            line_error(
                reader.line_num,
                "",
                _('CSVとして読めません（「"」の閉じ忘れなど）。ここから後は確かめられませんでした'),
            )
        )
    if errors:
        raise TaxImportError(errors)
    if not rows:
        raise TaxImportError([_("取り込む行がありません（見出し行だけです）。")])
    return rows
