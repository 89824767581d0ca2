"""The certificate renderer: pages, fonts, text, QR code, seal and determinism.

Rasterising needs poppler-utils (``pdftoppm``); those tests are skipped without it."""

import dataclasses
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from tests.qr import decode_qr
from yakuba.certificates import pdf
from yakuba.certificates.pdf import CertificateDocument, PersonEntry, page_count, render_pdf
from yakuba.core import pdffonts

A4_POINTS = (595.27, 841.89)
DPI = 150
MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
CERTIFICATION = "この写しは、世帯全員の住民票の原本と相違ないことを証明する。"
QR_TEXT = "https://www.city.ichinomori.example.jp/shoumei/kakunin?q=K7QF-2M9X-HD4P.bW9yaWthd2EtMjAyNjExMjY"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(MINCHO, size)
    except OSError:
        return ImageFont.load_default()


def seal_png() -> bytes:
    """A red square 公印 「一ノ森市長之印」 on a transparent background, as a city would scan it."""
    size, border = 360, 18
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30, 255)
    draw.rectangle(
        (border // 2, border // 2, size - border // 2, size - border // 2), outline=red, width=border
    )
    font = _font(92)
    columns = ("一ノ森", "市長之", "印")  # read top to bottom, right to left
    for col, chars in enumerate(columns):
        for row, char in enumerate(chars):
            draw.text((240 - col * 105, 30 + row * 105), char, font=font, fill=red)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def impression_png() -> bytes:
    """A round 印影 「佐々木」 scanned on white paper."""
    size = 300
    image = Image.new("RGB", (size, size), (250, 250, 248))
    draw = ImageDraw.Draw(image)
    red = (190, 20, 30)
    draw.ellipse((6, 6, size - 6, size - 6), outline=red, width=14)
    font = _font(80)
    for row, char in enumerate("佐々木"):
        draw.text((110, 22 + row * 84), char, font=font, fill=red)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


HOUSEHOLD = (
    PersonEntry(
        name="森川　健一",
        name_kana="モリカワ　ケンイチ",
        birth="昭和52年6月14日",
        sex="男",
        relationship="世帯主",
        became_resident_on="昭和52年6月14日",
        address_set_on="平成21年4月1日",
        notified_on="平成21年4月3日",
        previous_address="岩手県一ノ森市桜町一丁目5番2号",
    ),
    PersonEntry(
        name="森川　由美子",
        name_kana="モリカワ　ユミコ",
        birth="昭和55年11月2日",
        sex="女",
        relationship="妻",
        became_resident_on="平成15年10月1日",
        address_set_on="平成21年4月1日",
        notified_on="平成21年4月3日",
        previous_address="宮城県仙台市青葉区上杉三丁目8番20号",
        former_surname="佐藤",
    ),
    PersonEntry(
        name="森川　大輝",
        name_kana="モリカワ　ダイキ",
        birth="平成17年5月20日",
        sex="男",
        relationship="子",
        became_resident_on="平成17年5月20日",
        address_set_on="平成21年4月1日",
        notified_on="平成21年4月3日",
        status_note="令和8年12月15日 転出予定",
    ),
    PersonEntry(
        name="森川　美咲",
        name_kana="モリカワ　ミサキ",
        birth="平成20年1月9日",
        sex="女",
        relationship="子",
        became_resident_on="平成20年1月9日",
        address_set_on="平成21年4月1日",
        notified_on="平成21年4月3日",
    ),
    PersonEntry(
        name="森川　トシ",
        name_kana="モリカワ　トシ",
        birth="昭和18年3月3日",
        sex="女",
        relationship="母",
        became_resident_on="昭和18年3月3日",
        address_set_on="令和2年7月10日",
        notified_on="令和2年7月10日",
        previous_address="岩手県一ノ森市大字上野字中平45番地",
    ),
    PersonEntry(
        name="森川　陽翔",
        name_kana="モリカワ　ハルト",
        birth="令和6年8月30日",
        sex="男",
        relationship="孫",
        became_resident_on="令和6年8月30日",
        address_set_on="令和6年8月30日",
        notified_on="令和6年9月5日",
    ),
)

FOREIGNER = PersonEntry(
    name="NGUYEN VAN NAM",
    name_kana="グエン　ヴァン　ナム",
    birth="1998年3月14日",
    sex="男",
    relationship="世帯主",
    juminhyo_code="10473829561",
    became_resident_on="2024年4月8日",
    address_set_on="2024年4月8日",
    notified_on="2024年4月10日",
    previous_address="ベトナム社会主義共和国",
    nationality="ベトナム",
    alphabet_name="NGUYEN VAN NAM",
    tsusho="中村　南",
    residence_status="技能実習（第2号ロ）",
    residence_period="1年",
    residence_expires_on="2027年4月7日",
    art30_45="中長期在留者",
)

INKAN_PERSON = PersonEntry(name="佐々木　孝", name_kana="ササキ　タカシ", birth="昭和38年9月21日", sex="男")


def household_doc(**changes: object) -> CertificateDocument:
    doc = CertificateDocument(
        kind="juminhyo",
        title="住民票の写し",
        layout="household",
        municipality_name="一ノ森市",
        mayor_title="市長",
        mayor_name="高橋　誠一郎",
        address="岩手県一ノ森市本町二丁目3番14号",
        katagaki="ハイツ本町201号",
        head_name="森川　健一",
        persons=HOUSEHOLD,
        certification_text=CERTIFICATION,
        issued_on="令和8年11月26日",
        issue_number="20261126-01-K003-000123",
        qr_text=QR_TEXT,
        verification_code="K7QF-2M9X-HD4P",
        seal_png=seal_png(),
        remarks=("本籍・筆頭者、個人番号、住民票コードの記載を省略しています。",),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def individual_doc(person: PersonEntry = HOUSEHOLD[1], **changes: object) -> CertificateDocument:
    return household_doc(
        kind="kisai_jiko",
        title="住民票記載事項証明書",
        layout="individual",
        persons=(person,),
        certification_text="上記の事項は、住民票に記載されている事項と相違ないことを証明する。",
        issue_number="20261126-01-K003-000124",
        remarks=(),
        **changes,
    )


def inkan_doc() -> CertificateDocument:
    return household_doc(
        kind="inkan",
        title="印鑑登録証明書",
        layout="individual",
        address="岩手県一ノ森市緑ケ丘四丁目12番7号",
        katagaki="",
        head_name="",
        persons=(INKAN_PERSON,),
        certification_text="この写しは、登録されている印影と相違ないことを証明する。",
        issue_number="20261126-01-K003-000125",
        impression_png=impression_png(),
        impression_mm=15.0,
        inkan_card_number="第 004217 号",
        remarks=(),
    )


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Extracted text without line breaks and spaces (a name may be split over a wrap)."""
    return "".join(text.split())


def rasterise(data: bytes, page: int = 1) -> np.ndarray:
    """Grey levels (0-255) of one page at DPI dots per inch."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is missing: install the Debian package poppler-utils to rasterise the PDF")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run(
            [
                pdftoppm,
                "-r",
                str(DPI),
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                f"{tmp}/page",
            ],
            check=True,
            capture_output=True,
        )
        with Image.open(Path(tmp) / "page.png") as image:
            return np.asarray(image.convert("L"))


def box_pixels(grey: np.ndarray, rect: tuple[float, float, float, float]) -> np.ndarray:
    """The pixels in (x, y, w, h) mm measured from the bottom left of the A4 page."""
    x, y, w, h = rect
    scale = DPI / 25.4
    top = round((297 - y - h) * scale)
    return grey[top : round((297 - y) * scale), round(x * scale) : round((x + w) * scale)]


def test_household_document_of_six_has_two_pages_with_all_persons() -> None:
    doc = household_doc()
    data = render_pdf(doc)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2 == page_count(doc)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=0.1)
    texts = page_texts(data)
    everything = flat("".join(texts))
    assert "住民票の写し" in everything
    for person in HOUSEHOLD:
        assert flat(person.name) in everything
        assert flat(person.name_kana) in everything
    # 4 persons on the first page, 2 on the second
    assert flat(HOUSEHOLD[3].name) in flat(texts[0])
    assert flat(HOUSEHOLD[4].name) in flat(texts[1])
    assert "岩手県一ノ森市本町二丁目3番14号" in everything
    assert "ハイツ本町201号" in everything
    # 本籍, 住民票コード and 個人番号 are omitted for everybody
    assert flat(texts[0]).count("省略") >= 4 * 3
    assert "令和8年12月15日転出予定" in everything
    assert "旧氏" in everything and "佐藤" in everything
    for number, text in enumerate(texts, 1):
        assert CERTIFICATION in flat(text)
        assert "令和8年11月26日" in text
        assert "一ノ森市長" in flat(text) and "高橋誠一郎" in flat(text)
        assert f"20261126-01-K003-000123{number}/2" in flat(text)
        assert f"{number}/2" in text
        assert "K7QF-2M9X-HD4P" in text
    assert "本籍・筆頭者、個人番号、住民票コードの記載を省略しています。" in flat(texts[1])
    assert "以下余白" in texts[1]


def test_pdftotext_finds_real_text() -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is missing: install the Debian package poppler-utils")
    doc = household_doc()
    out = subprocess.run([pdftotext, "-", "-"], input=render_pdf(doc), capture_output=True, check=True).stdout
    text = out.decode()
    assert "住民票の写し" in text
    for person in HOUSEHOLD:  # the ideographic space comes out as a plain space, on the same line
        assert person.name.replace("\u3000", " ") in text
    assert CERTIFICATION in text
    assert "20261126-01-K003-000123 1/2" in " ".join(text.split())
    assert "20261126-01-K003-000123 2/2" in " ".join(text.split())


def test_japanese_font_is_embedded() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(household_doc())))
    descriptors = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            if "/FontDescriptor" in font:
                descriptors.append(font["/FontDescriptor"].get_object())
    assert descriptors
    assert all("/FontFile2" in d for d in descriptors)
    assert any("IPAexMincho" in str(d["/FontName"]) for d in descriptors)


def test_individual_and_foreign_resident() -> None:
    doc = individual_doc()
    data = render_pdf(doc)
    assert page_count(doc) == len(PdfReader(io.BytesIO(data)).pages) == 1
    text = flat(page_texts(data)[0])
    assert "住民票記載事項証明書" in text
    assert "森川由美子" in text and "モリカワユミコ" in text
    assert "昭和55年11月2日" in text
    assert "上記の事項は、住民票に記載されている事項と相違ないことを証明する。" in text
    assert "20261126-01-K003-0001241/1" in text
    assert text.count("省略") >= 4  # 本籍, 筆頭者, 住民票コード, 個人番号

    data = render_pdf(individual_doc(FOREIGNER, head_name="NGUYEN VAN NAM"))
    text = flat(page_texts(data)[0])
    assert "NGUYENVANNAM" in text
    assert "グエンヴァンナム" in text
    for item in (
        "国籍・地域",
        "ベトナム",
        "在留資格",
        "技能実習（第2号ロ）",
        "中長期在留者",
        "2027年4月7日",
        "中村南",
    ):
        assert flat(item) in text
    assert "10473829561" in text
    assert "本籍" not in text
    assert "1998年3月14日" in text


def test_seal_registration_certificate() -> None:
    doc = inkan_doc()
    data = render_pdf(doc)
    assert page_count(doc) == 1
    text = flat(page_texts(data)[0])
    for item in (
        "印鑑登録証明書",
        "佐々木孝",
        "昭和38年9月21日",
        "岩手県一ノ森市緑ケ丘四丁目12番7号",
        "第004217号",
    ):
        assert item in text
    assert "この写しは、登録されている印影と相違ないことを証明する。" in text
    assert "20261126-01-K003-0001251/1" in text
    # the impression is printed at its real size (15 mm wide): find the ink in the 印影 box
    grey = rasterise(data)
    box = box_pixels(grey, (15 + 22 + 2, 268 - 50 + 1, 158 - 4, 50 - 2))
    columns = np.where((box < 110).sum(axis=0) > 2)[0]
    width_mm = (columns.max() - columns.min() + 1) / DPI * 25.4
    assert width_mm == pytest.approx(15.0, abs=0.8)


def test_qr_code_decodes_to_the_verification_url() -> None:
    pytest.importorskip("cv2")
    doc = household_doc()
    grey = rasterise(render_pdf(doc))
    x, y, w, h = pdf._qr_rect(doc)
    region = box_pixels(grey, (x - 5, y - 5, w + 10, h + 10))
    assert decode_qr(region) == QR_TEXT


def test_seal_is_printed_black_over_the_end_of_the_name() -> None:
    doc = household_doc()
    rect = pdf._seal_rect(doc)
    assert rect[2] == rect[3] == 24
    with_seal = box_pixels(rasterise(render_pdf(doc)), rect)
    without = box_pixels(rasterise(render_pdf(household_doc(seal_png=None))), rect)
    dark_with, dark_without = (with_seal < 80).mean(), (without < 80).mean()
    assert dark_with > 0.15
    assert dark_with > dark_without + 0.1
    # the frame of the seal: the middle of its left and right edges is black ink
    h, w = with_seal.shape
    border = max(2, round(w * 18 / 360))
    assert with_seal[h // 2 - 3 : h // 2 + 3, : border + 1].min() < 60
    assert with_seal[h // 2 - 3 : h // 2 + 3, w - border - 2 :].min() < 60


def test_background_pattern_is_light() -> None:
    grey = rasterise(render_pdf(household_doc(seal_png=None)))
    # a strip of the left margin holds the pattern only
    margin = box_pixels(grey, (2, 100, 10, 100))
    assert 200 < margin.mean() < 245  # visible, but light grey
    assert margin.min() > 90  # no black


def test_same_document_renders_to_the_same_bytes() -> None:
    doc = household_doc()
    first = render_pdf(doc)
    assert render_pdf(doc) == first
    assert render_pdf(dataclasses.replace(doc)) == first
    assert render_pdf(household_doc(issue_number="20261126-01-K003-000124")) != first


def test_pagination_and_errors() -> None:
    assert page_count(household_doc(persons=HOUSEHOLD[:4], remarks=())) == 1
    assert page_count(household_doc(persons=HOUSEHOLD[:4] * 2, remarks=())) == 2
    many = tuple(f"備考の{i}行目です。" for i in range(6))
    doc = household_doc(persons=HOUSEHOLD[:4], remarks=many)
    assert page_count(doc) == 2 == len(PdfReader(io.BytesIO(render_pdf(doc))).pages)
    assert page_count(individual_doc()) == 1
    assert page_count(household_doc(layout="individual")) == 6
    with pytest.raises(ValueError, match="layout"):
        page_count(household_doc(layout="landscape"))
    with pytest.raises(ValueError, match="kind"):
        render_pdf(household_doc(kind="koseki"))


def test_missing_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YAKUBA_PDF_FONT", raising=False)
    monkeypatch.setattr(pdffonts, "MINCHO_FILES", ("/nonexistent/ipaexm.ttf",))
    with pytest.raises(RuntimeError, match="fonts-ipaexfont-mincho"):
        render_pdf(household_doc())
    monkeypatch.setenv("YAKUBA_PDF_FONT", "/nonexistent/font.ttf")
    with pytest.raises(RuntimeError, match="YAKUBA_PDF_FONT"):
        render_pdf(household_doc())
