"""Names and notes in scripts that need shaping: Arabic, Urdu, Persian, Kurdish (Sorani), and
Hebrew.

reportlab lays these out correctly only when (1) the font has the glyphs and (2) the paragraph is
shaped with HarfBuzz (reportlab uses `uharfbuzz` when it is installed: contextual letter forms,
ligatures, and right-to-left runs placed right to left within a left-to-right line). DejaVu
Sans covers Arabic and Hebrew letters but not every Urdu one (ہ, ے), so words in Arabic script
are set in the bundled Noto Sans Arabic where it has every character of the word.

Two limits of reportlab 5.1 shape how: shaping costs about ten times the plain layout, so it is
switched on only for paragraphs that hold such text; and a word (text between spaces) that mixes
two fonts can fail when the PDF is written, so the font is chosen per word, never per letter.
Should a document still fail to lay out shaped, it is laid out again unshaped: a name printed
with unjoined letters is better than no printout before a visit. What remains is written up in
docs/printing.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from workbook.reports.fonts import FONT_ARABIC, register_fonts

__all__ = ["needs_shaping", "para", "shaping_off", "shaping_recorded", "with_script_fonts"]

_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_HEBREW = "\u0590-\u05ff\ufb1d-\ufb4f"
_COMPLEX = re.compile(f"[{_ARABIC}{_HEBREW}]")
# A word holding Arabic script: everything between white space and markup tags around it.
_ARABIC_WORD = re.compile(f"[^\\s<>]*[{_ARABIC}][^\\s<>]*")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

_shaping: ContextVar[bool] = ContextVar("workbook_report_shaping", default=True)
_shaped_used: ContextVar[list[bool] | None] = ContextVar("workbook_report_shaped_used",
                                                         default=None)


def needs_shaping(text: str) -> bool:
    return _COMPLEX.search(text) is not None


@cache
def _arabic_covers() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT_ARABIC).face.charToGlyph)


def with_script_fonts(markup: str) -> str:
    """Escaped paragraph markup with each Arabic-script word that Noto Sans Arabic can set
    whole put in that font; other words stay in DejaVu (tags never hold Arabic letters)."""
    covered = _arabic_covers()

    def wrap(match: re.Match[str]) -> str:
        word = match.group(0)
        text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], word)
        if all(ord(c) in covered for c in text):
            return f'<font name="{FONT_ARABIC}">{word}</font>'
        return word

    return _ARABIC_WORD.sub(wrap, markup)


@cache
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


def para(markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of escaped markup; shaped, in the right font, only when it needs to be."""
    if not needs_shaping(markup) or not _shaping.get():
        return Paragraph(markup, style)
    used = _shaped_used.get()
    if used is not None:
        used.append(True)
    return Paragraph(with_script_fonts(markup), _shaped(style))


@contextmanager
def shaping_recorded() -> Iterator[list[bool]]:
    """A list that gains an entry for every paragraph shaped inside the block, so a caller
    whose layout failed knows whether shaping could be the cause."""
    used: list[bool] = []
    token = _shaped_used.set(used)
    try:
        yield used
    finally:
        _shaped_used.reset(token)


@contextmanager
def shaping_off() -> Iterator[None]:
    """Inside the block every paragraph is laid out unshaped."""
    token = _shaping.set(False)
    try:
        yield
    finally:
        _shaping.reset(token)
