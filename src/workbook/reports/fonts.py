"""The bundled fonts of every Workbook document, registered with reportlab once per process.

The fonts are bundled DejaVu rather than the PDF base fonts because names in a safeguarding record
are often not ASCII, and a base font would silently drop or mangle them; Noto Sans Arabic sets
Arabic script in full for reports/scripts.py."""

from __future__ import annotations

import io
import threading
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["FONT_ARABIC", "FONT_ARABIC_BOLD", "FONT_BOLD", "FONT_MONO", "FONT_SANS",
           "register_fonts"]

FONT_SANS = "WB-Sans"
FONT_BOLD = "WB-Sans-Bold"
FONT_MONO = "WB-Mono"
FONT_ARABIC = "WB-Arabic"
FONT_ARABIC_BOLD = "WB-Arabic-Bold"

_FONT_FILES = {
    FONT_SANS: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_MONO: "DejaVuSansMono.ttf",
    # Arabic script in full (Urdu, Persian and Kurdish letters too), for reports/scripts.py.
    FONT_ARABIC: "NotoSansArabic-Regular.ttf",
    FONT_ARABIC_BOLD: "NotoSansArabic-Bold.ttf",
}

_register_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the bundled DejaVu fonts with reportlab once per process.

    The bytes are read through importlib.resources and handed to TTFont as a BytesIO, so this
    works when the package is imported from a zip or a frozen installer, where the fonts have no
    path on disk. Registration is global in reportlab, so it is done once under a lock.
    """
    global _registered
    with _register_lock:
        if _registered:
            return
        fonts_dir = resources.files("workbook.resources").joinpath("fonts")
        for name, filename in _FONT_FILES.items():
            data = fonts_dir.joinpath(filename).read_bytes()
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        # So that <b> inside a paragraph picks the bold face rather than a base font.
        pdfmetrics.registerFontFamily(
            FONT_SANS, normal=FONT_SANS, bold=FONT_BOLD, italic=FONT_SANS, boldItalic=FONT_BOLD
        )
        pdfmetrics.registerFontFamily(
            FONT_ARABIC, normal=FONT_ARABIC, bold=FONT_ARABIC_BOLD, italic=FONT_ARABIC,
            boldItalic=FONT_ARABIC_BOLD,
        )
        _registered = True
