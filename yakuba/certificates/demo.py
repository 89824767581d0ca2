"""Demo data of the certificates module: certificate types and fees, the city's electronic seal, and a
few seal registrations so that 印鑑登録証明書 can be tried at the window and the kiosk."""

import io
import math
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from yakuba.certificates.models import CertificateType, SealRegistration
from yakuba.certificates.seals import read_impression
from yakuba.core.models import Municipality
from yakuba.core.sequences import sequence_next
from yakuba.residents.interface import resident_get

FEES = {
    CertificateType.Code.JUMINHYO: (300, 200, True),
    CertificateType.Code.KISAI_JIKO: (300, 200, False),
    CertificateType.Code.INKAN: (300, 200, True),
}
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


def _font(size: int) -> Any:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default()


def seal_png(text: str, *, size: int = 360, round_seal: bool = False) -> bytes:
    """A seal drawn in red: the city's square 公印 with the characters in columns read from the
    right, or a person's round seal with the name."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30)
    margin = size // 16
    border = size // 18
    if round_seal:
        draw.ellipse([margin, margin, size - margin, size - margin], outline=red, width=border)
    else:
        draw.rectangle([margin, margin, size - margin, size - margin], outline=red, width=border)
    rows = math.ceil(math.sqrt(len(text)))
    columns = math.ceil(len(text) / rows)
    inner = size - 2 * (margin + border) - size // 20
    cell = inner // max(rows, columns)
    font = _font(int(cell * 0.92))
    left = (size - cell * columns) // 2
    top = (size - cell * rows) // 2
    for index, char in enumerate(text):
        column, row = divmod(index, rows)
        x = left + (columns - 1 - column) * cell + cell // 2
        y = top + row * cell + cell // 2
        draw.text((x, y), char, fill=red, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_load(*, residents: int, stdout: Any, seed: int = 1) -> None:
    for code, (window, kiosk, available) in FEES.items():
        CertificateType.objects.update_or_create(
            code=code, defaults={"window_fee": window, "kiosk_fee": kiosk, "kiosk_available": available}
        )
    city = Municipality.current()
    if not city.seal_image:
        city.seal_image.save("seal/city-seal.png", ContentFile(seal_png(f"{city.name}長之印")), save=True)
    try:
        from yakuba.cardsim.interface import demo_cards
    except ImportError:
        cards: list[tuple[str, str, str]] = []
    else:
        cards = demo_cards(limit=10)
    with transaction.atomic():
        made = _register_demo_seals(cards[:5])
    stdout.write(f"Certificates: fees set, city seal ready, {made} demo seal registrations\n")


def _register_demo_seals(cards: list[tuple[str, str, str]]) -> int:
    made = 0
    for _serial, atena_no, _label in cards:
        person = resident_get(atena_no, actor="demo")
        if (
            person is None
            or not person.is_resident
            or SealRegistration.objects.filter(atena_no=atena_no).exists()
        ):
            continue
        surname = person.name.split(" ")[0]
        impression = read_impression(seal_png(surname, size=180, round_seal=True), dpi=400)
        SealRegistration.objects.create(
            atena_no=atena_no,
            setai_no=person.setai_no,
            card_number=f"{sequence_next(name='inkan_card'):08d}",
            state=SealRegistration.State.ACTIVE,
            identity=SealRegistration.Identity.PHOTO_ID,
            image=impression.png,
            width_mm=impression.width_mm,
            height_mm=impression.height_mm,
            fingerprint=impression.fingerprint,
            registered_at=timezone.now(),
            actor="demo",
        )
        made += 1
    return made
