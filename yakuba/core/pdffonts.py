"""Japanese fonts for the PDFs the platform prints (certificates, receipts, reports, letters).

IPAex fonts (Debian: fonts-ipaexfont-mincho, fonts-ipaexfont-gothic; IPA licence, embeddable) are
found at their usual places, or named with YAKUBA_PDF_FONT / YAKUBA_PDF_HEADING_FONT. ReportLab
embeds the subset of glyphs each document uses.
"""

import functools
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

MINCHO_FILES = (
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/truetype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/truetype/ipaexfont/ipaexm.ttf",
)
GOTHIC_FILES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont/ipaexg.ttf",
)


@dataclass(frozen=True)
class Fonts:
    body: str  # ReportLab font names
    head: str
    head_path: str  # for the hidden word of the pattern (drawn with Pillow)


_font_lock = threading.Lock()
_registered: dict[tuple[str, str], Fonts] = {}


def _font_paths() -> tuple[str, str]:
    override = os.environ.get("YAKUBA_PDF_FONT", "").strip()
    if override:
        if not Path(override).is_file():
            raise RuntimeError(f"YAKUBA_PDF_FONT={override!r}: no such font file.")
        body = override
    else:
        found = next((p for p in MINCHO_FILES if Path(p).is_file()), None)
        if found is None:
            raise RuntimeError(
                "No Japanese font for certificates: install the Debian package fonts-ipaexfont-mincho "
                "(and fonts-ipaexfont-gothic): `apt-get install fonts-ipaexfont-mincho "
                "fonts-ipaexfont-gothic`, or set YAKUBA_PDF_FONT to a TrueType font file with Japanese glyphs."
            )
        body = found
    heading = os.environ.get("YAKUBA_PDF_HEADING_FONT", "").strip()
    if heading and not Path(heading).is_file():
        raise RuntimeError(f"YAKUBA_PDF_HEADING_FONT={heading!r}: no such font file.")
    if not heading:
        heading = next((p for p in GOTHIC_FILES if Path(p).is_file()), body)
    return body, heading


def japanese_fonts() -> Fonts:
    """Registers the fonts on first use (about 100 ms each) and returns their names."""
    paths = _font_paths()
    fonts = _registered.get(paths)
    if fonts is not None:
        return fonts
    with _font_lock:
        fonts = _registered.get(paths)
        if fonts is None:
            names = []
            for path in paths:
                name = "Yakuba-" + hashlib.sha256(path.encode()).hexdigest()[:10]
                if name not in pdfmetrics.getRegisteredFontNames():
                    try:
                        font = TTFont(name, path)
                    except Exception as exc:
                        raise RuntimeError(f"Cannot load the font {path}: {exc}") from exc
                    # Each document embeds a subset, which copies whole tables (the 7 MB 'glyf')
                    # out of the font file every time; the tables never change, so keep them.
                    font.face.get_table = functools.cache(font.face.get_table)  # type: ignore[method-assign]
                    pdfmetrics.registerFont(font)
                names.append(name)
            fonts = _registered[paths] = Fonts(names[0], names[1], paths[1])
    return fonts
