"""The shared look of every Workbook document: fonts, paragraph styles and the page furniture.

Every printed page can end up on a kitchen table or in a recycling bin, so every page, not only the
first, carries its protective marking at the top and bottom, who printed it and when, and "Page X
of Y" so that a missing page is noticed (DOMAIN.md, "What a printed summary is for").

Documents are built in memory and returned as bytes: nothing is written to disk (ARCHITECTURE.md,
P8). The PDF's metadata names only the document kind and the application, never case content or
people, because file managers, print queues and search indexers show it without opening the file.

The fonts are bundled DejaVu rather than the PDF base fonts because names in a safeguarding record
are often not ASCII ("Zoë", "Łukasz", "Nguyễn"), and a base font would silently drop or mangle them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from workbook.domain.display import uk_date, uk_date_time
from workbook.reports.fonts import (
    FONT_ARABIC,
    FONT_BOLD,
    FONT_MONO,
    FONT_SANS,
    register_fonts,
)
from workbook.reports.scripts import needs_shaping, para, shaping_off, shaping_recorded

__all__ = [
    "APP_NAME",
    "FONT_ARABIC",
    "FONT_BOLD",
    "FONT_MONO",
    "FONT_SANS",
    "HouseStyles",
    "PrintMarking",
    "build_document",
    "build_shaped",
    "escape",
    "format_date",
    "format_datetime",
    "frame_width",
    "register_fonts",
    "styles",
]

APP_NAME = "Workbook"

# Page geometry. The margins leave room for the furniture drawn outside the frame: the marking
# and a rule at the top; the handling line, the "Printed by" line and the marking at the bottom.
SIDE_MARGIN = 20 * mm
TOP_MARGIN = 22 * mm
BOTTOM_MARGIN = 28 * mm
_TOP_MARKING_FROM_TOP = 11 * mm
_TOP_RULE_FROM_TOP = 15 * mm
_BOTTOM_RULE_Y = 23 * mm
_HANDLING_Y = 18.5 * mm
_PRINTED_BY_Y = 14 * mm
_BOTTOM_MARKING_Y = 8 * mm

_MARKING_SIZE = 10.0
_FOOTER_SIZE = 8.0
_MIN_FOOTER_SIZE = 6.0

_INK = colors.black
_QUIET_INK = colors.HexColor("#444444")
_RULE = colors.HexColor("#888888")

@dataclass(frozen=True)
class HouseStyles:
    """The paragraph styles every Workbook document uses.

    Treat them as read-only (they are shared): derive a variant with
    ``ParagraphStyle("name", parent=styles().body, ...)``.
    """

    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    mono: ParagraphStyle


@cache
def styles() -> HouseStyles:
    """The house paragraph styles, built once after the fonts are registered."""
    register_fonts()
    body = ParagraphStyle(
        "wb-body",
        fontName=FONT_SANS,
        fontSize=10,
        leading=13.5,
        textColor=_INK,
        alignment=TA_LEFT,
        spaceAfter=4,
    )
    return HouseStyles(
        title=ParagraphStyle(
            "wb-title", parent=body, fontName=FONT_BOLD, fontSize=20, leading=24, spaceAfter=8
        ),
        heading=ParagraphStyle(
            "wb-heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,  # a heading never ends a page alone
        ),
        body=body,
        small=ParagraphStyle(
            "wb-small", parent=body, fontSize=8.5, leading=11, textColor=_QUIET_INK
        ),
        mono=ParagraphStyle("wb-mono", parent=body, fontName=FONT_MONO, fontSize=10, leading=13),
    )


def escape(text: str) -> str:
    """Escape text for reportlab's paragraph markup.

    Paragraphs parse a small XML dialect, so a name or note holding "<" or "&" must be escaped:
    otherwise it raises, or worse, is read as markup and printed wrongly.
    """
    return _xml_escape(text)


def format_date(value: datetime) -> str:
    """A date as British readers expect it on paper: dd/mm/yyyy."""
    return uk_date(value)


def format_datetime(value: datetime) -> str:
    """A date and 24-hour time, dd/mm/yyyy HH:MM."""
    return uk_date_time(value)


def frame_width(pagesize: tuple[float, float] = A4) -> float:
    """The width, in points, that flowables have on a house-style page of this size."""
    return float(pagesize[0]) - 2 * SIDE_MARGIN


@dataclass(frozen=True)
class PrintMarking:
    """What every page of a printed document says about itself.

    `printed_by` is the signed-in person's display name, so a found page can be traced back to who
    printed it; `handling` is an instruction such as "Destroy securely after use".
    """

    printed_by: str
    printed_at: datetime
    classification: str = "OFFICIAL-SENSITIVE"
    handling: str | None = None


class _MarkedCanvas(Canvas):
    """A canvas that holds every page back until the end, then draws the marking on each.

    The "of Y" in "Page X of Y" is only known once the story has been laid out, so `showPage`
    keeps each finished page's state and `save` replays them with the total (the usual reportlab
    two-pass recipe). All the furniture is drawn here, in one place, so no page can miss it.
    """

    def __init__(self, *args: Any, marking: PrintMarking, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._marking = marking
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for page_number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._draw_furniture(page_number, total)
            super().showPage()
        super().save()

    def _draw_furniture(self, page_number: int, total: int) -> None:
        width, height = self._pagesize
        centre = width / 2
        usable = width - 2 * SIDE_MARGIN
        marking = self._marking
        self.saveState()
        self.setFillColor(_INK)
        self.setFont(FONT_BOLD, _MARKING_SIZE)
        self.drawCentredString(centre, height - _TOP_MARKING_FROM_TOP, marking.classification)
        self.drawCentredString(centre, _BOTTOM_MARKING_Y, marking.classification)

        self.setStrokeColor(_RULE)
        self.setLineWidth(0.5)
        self.line(
            SIDE_MARGIN,
            height - _TOP_RULE_FROM_TOP,
            width - SIDE_MARGIN,
            height - _TOP_RULE_FROM_TOP,
        )
        self.line(SIDE_MARGIN, _BOTTOM_RULE_Y, width - SIDE_MARGIN, _BOTTOM_RULE_Y)

        printed = (
            f"Printed by {marking.printed_by} on {format_datetime(marking.printed_at)}"
            f" \u00b7 Page {page_number} of {total}"
        )
        self._draw_fitted(printed, FONT_SANS, centre, _PRINTED_BY_Y, usable)
        if marking.handling:
            self._draw_fitted(marking.handling, FONT_BOLD, centre, _HANDLING_Y, usable)
        self.restoreState()

    def _draw_fitted(self, text: str, font: str, x: float, y: float, usable: float) -> None:
        """Draw a centred footer line, shrinking it rather than letting it run off the paper."""
        if needs_shaping(text):
            # A name in Arabic or Hebrew script: a shaped paragraph, centred on the same line.
            style = ParagraphStyle("wb-footer", fontName=font, fontSize=_FOOTER_SIZE,
                                   leading=_FOOTER_SIZE * 1.2, alignment=TA_CENTER)
            line = para(escape(text), style)
            _w, h = line.wrap(usable, _FOOTER_SIZE * 4)
            line.drawOn(self, x - usable / 2, y - h + _FOOTER_SIZE)
            return
        size = _FOOTER_SIZE
        while size > _MIN_FOOTER_SIZE and pdfmetrics.stringWidth(text, font, size) > usable:
            size -= 0.25
        self.setFont(font, size)
        self.drawCentredString(x, y, text)


def build_document(
    story: list[Flowable],
    *,
    title: str,
    marking: PrintMarking,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """Lay out `story` in the house style and return the PDF as bytes.

    `title` goes into the PDF metadata, which anyone can read without opening the document: pass
    the kind of document ("Home-visit summary"), never a family's or a person's name. The author
    and creator are the application; the subject is left empty.
    """
    register_fonts()
    buffer = io.BytesIO()
    width, height = pagesize
    # No frame padding, so text lines up with the rules and full-width tables fit exactly.
    frame = Frame(
        SIDE_MARGIN,
        BOTTOM_MARGIN,
        width - 2 * SIDE_MARGIN,
        height - TOP_MARGIN - BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc = BaseDocTemplate(
        buffer,
        pageTemplates=[PageTemplate(id="house", frames=[frame])],
        pagesize=pagesize,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=APP_NAME,
        creator=APP_NAME,
        subject="",
        keywords=[],
        lang="en-GB",
        displayDocTitle=True,
        initialFontName=FONT_SANS,
    )
    doc.build(list(story), canvasmaker=partial(_MarkedCanvas, marking=marking))
    return buffer.getvalue()


def build_shaped(story: Callable[[], list[Flowable]], *, title: str,
                 marking: PrintMarking) -> bytes:
    """`build_document` over `story()`, laid out again without shaping if reportlab's shaping
    fails on some mix of scripts (the story is rebuilt, since flowables are used up)."""
    with shaping_recorded() as used:
        try:
            return build_document(story(), title=title, marking=marking)
        except (IndexError, AttributeError, KeyError, ValueError):
            if not used:
                raise
    with shaping_off():
        return build_document(story(), title=title, marking=marking)
