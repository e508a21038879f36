"""The building blocks the case documents share: a document heading, the household table, the
plan actions table and entries printed one after another.

Entries are paragraphs, not table rows, because a long note must be able to run on to the next
page: a table cell taller than a page cannot be split and would stop the whole document."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from workbook.reports.content import ActionLine, EntryLine, FamilyHeading, PersonLine
from workbook.reports.house_style import FONT_BOLD, escape, frame_width, styles
from workbook.reports.plain import plain
from workbook.reports.scripts import para

__all__ = [
    "actions_table",
    "entry_blocks",
    "family_heading",
    "household_table",
    "lines",
    "note",
    "paragraphs",
    "safety_box",
    "section_heading",
    "type_title",
]

_GRID = colors.HexColor("#9AA5B1")
_HEAD_FILL = colors.HexColor("#E6EAEE")
_FLAG_FILL = colors.HexColor("#FFF1E0")
_FLAG_EDGE = colors.HexColor("#C25E00")


def _cell_styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    house = styles()
    cell = ParagraphStyle("wb-cell", parent=house.body, fontSize=9, leading=11.5, spaceAfter=0)
    head = ParagraphStyle("wb-cell-head", parent=cell, fontName=FONT_BOLD)
    return cell, head


def paragraphs(text: str, style: ParagraphStyle | None = None) -> list[Flowable]:
    """Text as typed: each line break kept, every character escaped (a "<" in a note is text),
    Markdown markup left out (reports/plain.py)."""
    style = style or styles().body
    lines = plain(text).splitlines() or [""]
    return [para(escape(line) if line.strip() else "&nbsp;", style) for line in lines]


def lines(text: str) -> str:
    """Text for one paragraph with its line breaks kept: escaped, Markdown left out."""
    return "<br/>".join(escape(line) for line in plain(text).splitlines())


def type_title(entry_type: str) -> str:
    """'strategy-discussion' -> 'Strategy discussion', as the type reads on paper."""
    return entry_type.replace("-", " ").capitalize()


def note(text: str) -> Flowable:
    return para(escape(text), styles().small)


def section_heading(text: str) -> Flowable:
    return para(escape(text), styles().heading)


def family_heading(title: str, family: FamilyHeading) -> list[Flowable]:
    house = styles()
    ref = f" ({escape(family.reference)})" if family.reference else ""
    out: list[Flowable] = [
        para(escape(title), house.title),
        para(f"<b>{escape(family.name)}</b>{ref}", house.body),
    ]
    if family.case_owner:
        out.append(para(f"Case owner: {escape(family.case_owner)}", house.body))
    return out


def _table(rows: list[list[Flowable | str]], widths: Sequence[float],
           header: bool = True) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL))
    table.setStyle(TableStyle(commands))
    return table


def household_table(people: Sequence[PersonLine], *, with_address: bool = False) -> Flowable:
    cell, head = _cell_styles()
    if not people:
        return note("No one is recorded in this household.")
    width = frame_width()
    titles = ["Name", "Date of birth", "Age", "Relationship"]
    widths = [0.38, 0.18, 0.1, 0.34]
    if with_address:
        titles.append("Address")
        widths = [0.26, 0.15, 0.07, 0.2, 0.32]
    rows: list[list[Flowable | str]] = [[para(t, head) for t in titles]]
    for p in people:
        row: list[Flowable | str] = [para(escape(v), cell) for v in
                                     (p.name, p.dob, p.age, p.relationship)]
        if with_address:
            row.append(para(escape(p.address), cell))
        rows.append(row)
    return _table(rows, [w * width for w in widths])


def actions_table(actions: Sequence[ActionLine]) -> Flowable:
    cell, head = _cell_styles()
    if not actions:
        return note("No current plan actions.")
    width = frame_width()
    rows: list[list[Flowable | str]] = [
        [para(t, head) for t in ("Action", "Owner", "Due", "Status")]
    ]
    for a in actions:
        status = a.status + (" (overdue)" if a.overdue else "")
        rows.append([para(escape(plain(a.text)), cell), para(escape(a.owner), cell),
                     para(escape(a.due), cell), para(escape(status), cell)])
    return _table(rows, [width * w for w in (0.47, 0.22, 0.14, 0.17)])


def safety_box(flags: Sequence[EntryLine]) -> Flowable:
    """The home-visit safety flags in a box nobody can miss."""
    cell, head = _cell_styles()
    big = ParagraphStyle("wb-flag", parent=cell, fontSize=10.5, leading=13.5)
    if not flags:
        rows: list[list[Flowable | str]] = [[para("No home-visit safety flags recorded. "
                                                      "Check with the case owner before going.",
                                                      big)]]
    else:
        rows = [[para(f"<b>{escape(f.date)}</b> " + lines(f.text), big)] for f in flags]
    table = Table(rows, colWidths=[frame_width()], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.6, _FLAG_EDGE),
        ("BACKGROUND", (0, 0), (-1, -1), _FLAG_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm),
    ]))
    return table


def entry_blocks(entries: Sequence[EntryLine], *, show_section: bool = True) -> list[Flowable]:
    """Each entry: a bold line of date, section, type and author, then its text."""
    house = styles()
    meta = ParagraphStyle("wb-entry-meta", parent=house.body, fontSize=9, leading=11.5,
                          spaceBefore=4, spaceAfter=1, textColor=colors.HexColor("#333333"))
    text_style = ParagraphStyle("wb-entry-text", parent=house.body, leftIndent=4 * mm,
                                spaceAfter=1)
    out: list[Flowable] = []
    for e in entries:
        bits = [f"<b>{escape(e.date)}</b>"]
        if show_section:
            bits.append(escape(e.section))
        bits.append(escape(type_title(e.type)))
        bits.append(escape(e.author))
        if e.significant:
            bits.append("<b>significant</b>")
        if e.conflict:
            bits.append("<b>two versions: resolve in Workbook</b>")
        body = paragraphs(e.text, text_style)
        # The heading line is kept with the first line of its text, never left alone at the
        # foot of a page; the rest of a long note may run on.
        out.append(KeepTogether([para(" \u00b7 ".join(bits), meta), body[0]]))
        out.extend(body[1:])
    if not entries:
        out.append(note("Nothing recorded that you may read."))
    out.append(Spacer(1, 2 * mm))
    return out
