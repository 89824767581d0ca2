"""Reading a seal impression: its real size at the declared resolution and a fingerprint that finds the
same seal again (to refuse one seal registered twice in a household)."""

import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MIN_MM = 8.0
MAX_MM = 25.0
MAX_BYTES = 2 * 1024 * 1024


class SealImageError(ValueError):
    pass


@dataclass(frozen=True)
class Impression:
    png: bytes  # cropped to the impression, black on white
    width_mm: float
    height_mm: float
    fingerprint: str


def read_impression(data: bytes, *, dpi: int) -> Impression:
    """Crop a scanned impression to its ink, measure it at ``dpi`` and fingerprint it. Raises
    ``SealImageError`` (Japanese) for a file that is not an image, or has no impression."""
    if len(data) > MAX_BYTES:
        raise SealImageError(_("印影の画像は2MB以下にしてください。"))
    if not 100 <= dpi <= 2400:
        raise SealImageError(_("読み取り解像度（dpi）は100から2400の間で入力してください。"))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise SealImageError(
            _("印影の画像として読み取れません。PNGまたはJPEGの画像を選んでください。")
        ) from exc
    if image.format not in {"PNG", "JPEG"}:
        raise SealImageError(_("印影の画像はPNGまたはJPEG形式にしてください。"))
    grey = ImageOps.grayscale(image.convert("RGB"))
    ink = grey.point(lambda v: 255 if v < 128 else 0)  # ink (red or black) becomes white on black
    box = ink.getbbox()
    if box is None:
        raise SealImageError(_("画像に印影が見つかりません。"))
    left, top, right, bottom = box
    width_mm = round((right - left) / dpi * 25.4, 1)
    height_mm = round((bottom - top) / dpi * 25.4, 1)
    cropped = ImageOps.invert(ink.crop(box)).convert("1")
    out = io.BytesIO()
    cropped.save(out, format="PNG", optimize=True)
    # 32x32 ink map: stable against rescanning at other resolutions, exact enough to tell seals apart.
    small = ink.crop(box).resize((32, 32)).point(lambda v: 1 if v > 96 else 0)
    fingerprint = hashlib.sha256(small.tobytes()).hexdigest()
    return Impression(out.getvalue(), width_mm, height_mm, fingerprint)


def size_problem(impression: Impression) -> str:
    """A Japanese reason to refuse the impression's size, or "" when it is acceptable: it must not
    fit inside an 8 mm square and must fit inside a 25 mm square."""
    if impression.width_mm <= MIN_MM and impression.height_mm <= MIN_MM:
        return _("印影が小さすぎます（%(w)s×%(h)smm）。8mmの正方形に収まる印鑑は登録できません。") % {
            "w": impression.width_mm,
            "h": impression.height_mm,
        }
    if impression.width_mm > MAX_MM or impression.height_mm > MAX_MM:
        return _("印影が大きすぎます（%(w)s×%(h)smm）。25mmの正方形に収まらない印鑑は登録できません。") % {
            "w": impression.width_mm,
            "h": impression.height_mm,
        }
    return ""
