"""Benchmark of the certificate renderer (``yakuba.certificates.pdf``).

    .venv/bin/python bench/pdf.py [--documents 200] [--seed 1] [--save /tmp/bench-certificate.pdf]

Renders ``--documents`` fictional certificates of 一ノ森市 in one process, a mix of 1-page and 2-page
documents: 世帯連記式 住民票の写し of 1-4 persons (1 page) and of 5-8 persons (2 pages), 住民票記載事項証明書
個人票 of one or two persons (1 or 2 pages, some of them foreign residents) and 印鑑登録証明書, each with
the city's seal, its own 発行番号 and its own QR code. The first render (which registers the fonts) is
timed apart; the figures per page are each document's time divided by its pages. Needs no database.
"""

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from table import print_table  # noqa: E402 - bench/table.py, beside this script

from yakuba.certificates.pdf import (  # noqa: E402
    CertificateDocument,
    PersonEntry,
    page_count,
    render_pdf,
)
from yakuba.core.pdffonts import MINCHO_FILES  # noqa: E402

# figure: (label, unit, target text, check or None)
TARGETS: dict[str, tuple[str, str, str, Any]] = {
    "first_render_ms": ("First render (fonts registered)", "ms", "once", None),
    "page_p50_ms": ("Per page, p50", "ms", "", None),
    "page_p95_ms": ("Per page, p95", "ms", "< 50 ms", lambda v, f: v < 50),
    "one_page_doc_p95_ms": ("1-page document, p95", "ms", "", None),
    "two_page_doc_p95_ms": ("2-page document, p95", "ms", "", None),
    "page_count_p95_ms": ("page_count(), p95", "ms", "", None),
    "pdf_kb_per_page": ("PDF size per page, mean", "KB", "", None),
}

SURNAMES = (
    ("佐藤", "サトウ"),
    ("菊池", "キクチ"),
    ("千葉", "チバ"),
    ("及川", "オイカワ"),
    ("小野寺", "オノデラ"),
    ("村上", "ムラカミ"),
    ("熊谷", "クマガイ"),
    ("阿部", "アベ"),
    ("高橋", "タカハシ"),
    ("佐々木", "ササキ"),
)
GIVEN = (
    ("健一", "ケンイチ", "男"),
    ("由美子", "ユミコ", "女"),
    ("大輝", "ダイキ", "男"),
    ("美咲", "ミサキ", "女"),
    ("トシ", "トシ", "女"),
    ("陽翔", "ハルト", "男"),
    ("結衣", "ユイ", "女"),
    ("誠", "マコト", "男"),
    ("千尋", "チヒロ", "女"),
    ("蓮", "レン", "男"),
)
FOREIGN = (
    ("NGUYEN VAN NAM", "グエン　ヴァン　ナム", "ベトナム", "技能実習（第2号ロ）"),
    ("SANTOS MARIA CLARA", "サントス　マリア　クララ", "フィリピン", "永住者"),
    ("WANG XIAOMING", "ワン　シャオミン", "中国", "技術・人文知識・国際業務"),
)
STREETS = ("本町", "桜町", "緑ケ丘", "駅前", "上野", "中平", "川原町", "新田")
ERAS = (("昭和", 1926, 64), ("平成", 1989, 31), ("令和", 2019, 8))


def seal_png() -> bytes:
    """A red square 公印 「一ノ森市長之印」 on a transparent background."""
    size = 360
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30, 255)
    draw.rectangle((9, 9, size - 9, size - 9), outline=red, width=18)
    font_file = next((f for f in MINCHO_FILES if Path(f).is_file()), None)
    font = ImageFont.truetype(font_file, 92) if font_file else ImageFont.load_default()
    for col, chars in enumerate(("一ノ森", "市長之", "印")):
        for row, char in enumerate(chars):
            draw.text((240 - col * 105, 30 + row * 105), char, font=font, fill=red)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def impression_png() -> bytes:
    image = Image.new("RGB", (300, 300), (250, 250, 248))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, 294, 294), outline=(190, 20, 30), width=14)
    draw.rectangle((120, 60, 180, 240), fill=(190, 20, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def wareki(rng: random.Random) -> str:
    era, _start, years = rng.choice(ERAS)
    return f"{era}{rng.randint(1, years)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def person(
    rng: random.Random, surname: tuple[str, str], relationship: str, *, foreign: bool = False
) -> PersonEntry:
    if foreign:
        alpha, kana, nationality, status = rng.choice(FOREIGN)
        return PersonEntry(
            name=alpha,
            name_kana=kana,
            birth=f"{rng.randint(1960, 2010)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
            sex=rng.choice("男女"),
            relationship=relationship,
            juminhyo_code=f"{rng.randint(10**10, 10**11 - 1)}",
            became_resident_on=f"{rng.randint(2015, 2026)}年4月{rng.randint(1, 28)}日",
            address_set_on=f"{rng.randint(2015, 2026)}年4月{rng.randint(1, 28)}日",
            notified_on=f"{rng.randint(2015, 2026)}年4月{rng.randint(1, 28)}日",
            previous_address=nationality,
            nationality=nationality,
            alphabet_name=alpha,
            residence_status=status,
            residence_period="3年",
            residence_expires_on=f"{rng.randint(2027, 2030)}年3月31日",
            art30_45="中長期在留者",
        )
    given, given_kana, sex = rng.choice(GIVEN)
    return PersonEntry(
        name=f"{surname[0]}　{given}",
        name_kana=f"{surname[1]}　{given_kana}",
        birth=wareki(rng),
        sex=sex,
        relationship=relationship,
        honseki=f"岩手県一ノ森市{rng.choice(STREETS)}{rng.randint(1, 99)}番地" if rng.random() < 0.5 else "",
        hittousha=f"{surname[0]}　{rng.choice(GIVEN)[0]}" if rng.random() < 0.5 else "",
        became_resident_on=wareki(rng),
        address_set_on=wareki(rng),
        notified_on=wareki(rng),
        previous_address=f"岩手県一ノ森市{rng.choice(STREETS)}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
        status_note="令和8年12月15日 転出予定" if rng.random() < 0.05 else "",
    )


def document(rng: random.Random, number: int, seal: bytes, impression: bytes) -> CertificateDocument:
    surname = rng.choice(SURNAMES)
    kind = rng.choice(("household_small", "household_large", "individual", "individual_two", "inkan"))
    address = f"岩手県一ノ森市{rng.choice(STREETS)}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    code = f"{rng.randrange(16**4):04X}-{rng.randrange(16**4):04X}-{rng.randrange(16**4):04X}"
    issue = f"20261126-01-K003-{number:06d}"
    common: dict[str, Any] = {
        "municipality_name": "一ノ森市",
        "mayor_title": "市長",
        "mayor_name": "高橋　誠一郎",
        "address": address,
        "katagaki": "ハイツ本町201号" if rng.random() < 0.3 else "",
        "issued_on": "令和8年11月26日",
        "issue_number": issue,
        "qr_text": f"https://www.city.ichinomori.example.jp/shoumei/kakunin?q={code}.{rng.getrandbits(128):032x}",
        "verification_code": code,
        "seal_png": seal,
    }
    if kind == "inkan":
        return CertificateDocument(
            kind="inkan",
            title="印鑑登録証明書",
            layout="individual",
            head_name="",
            persons=(person(rng, surname, ""),),
            certification_text="この写しは、登録されている印影と相違ないことを証明する。",
            impression_png=impression,
            impression_mm=rng.choice((12.0, 15.0, 18.0)),
            inkan_card_number=f"第 {rng.randint(1, 99999):06d} 号",
            **common,
        )
    foreign = rng.random() < 0.1
    if kind.startswith("household"):
        count = rng.randint(1, 4) if kind == "household_small" else rng.randint(5, 8)
    else:
        count = 2 if kind == "individual_two" else 1
    persons = tuple(
        person(
            rng,
            surname,
            "世帯主" if i == 0 else rng.choice(("妻", "子", "母", "孫")),
            foreign=foreign and i == 0,
        )
        for i in range(count)
    )
    if kind.startswith("household"):
        return CertificateDocument(
            kind="juminhyo",
            title="住民票の写し",
            layout="household",
            head_name=persons[0].name,
            persons=persons,
            certification_text="この写しは、世帯全員の住民票の原本と相違ないことを証明する。",
            remarks=("本籍・筆頭者、個人番号の記載を省略しています。",) if rng.random() < 0.5 else (),
            **common,
        )
    return CertificateDocument(
        kind="kisai_jiko",
        title="住民票記載事項証明書",
        layout="individual",
        head_name=persons[0].name,
        persons=persons,
        certification_text="上記の事項は、住民票に記載されている事項と相違ないことを証明する。",
        **common,
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200, help="documents to render (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", help="also write the first 2-page document to this file")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    seal, impression = seal_png(), impression_png()
    documents = [document(rng, n + 1, seal, impression) for n in range(args.documents)]

    started = time.perf_counter()
    render_pdf(document(random.Random(0), 0, seal, impression))
    first_ms = (time.perf_counter() - started) * 1000

    per_page: list[float] = []
    by_pages: dict[int, list[float]] = {}
    counting: list[float] = []
    sizes = 0
    pages_total = 0
    saved = False
    for doc in documents:
        started = time.perf_counter()
        pages = page_count(doc)
        counting.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        data = render_pdf(doc)
        elapsed = (time.perf_counter() - started) * 1000
        per_page.append(elapsed / pages)
        by_pages.setdefault(pages, []).append(elapsed)
        sizes += len(data)
        pages_total += pages
        if args.save and pages == 2 and not saved:
            Path(args.save).write_bytes(data)
            saved = True

    figures = {
        "first_render_ms": first_ms,
        "page_p50_ms": statistics.median(per_page),
        "page_p95_ms": percentile(per_page, 0.95),
        "page_count_p95_ms": percentile(counting, 0.95),
        "pdf_kb_per_page": sizes / pages_total / 1024,
    }
    if 1 in by_pages:
        figures["one_page_doc_p95_ms"] = percentile(by_pages[1], 0.95)
    if 2 in by_pages:
        figures["two_page_doc_p95_ms"] = percentile(by_pages[2], 0.95)

    mix = ", ".join(f"{len(v)} of {k} page{'s' if k > 1 else ''}" for k, v in sorted(by_pages.items()))
    print(f"Data: {len(documents)} documents ({mix}), {pages_total} pages, seed {args.seed}")
    print(
        f"On: Python {platform.python_version()}; {platform.machine()} {os.cpu_count()} CPUs; "
        f"one process, fonts registered by the first render"
    )
    if saved:
        print(f"Saved: {args.save}")
    print()
    ok = print_table(figures, TARGETS)
    print()
    print("All targets met." if ok else "Some targets were MISSED.")


if __name__ == "__main__":
    main()
