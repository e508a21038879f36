"""The genogram drawn for paper with reportlab graphics, in the symbols the screen uses: a square
for a male, a circle for a female, a diamond when not known, a double outline for the index
child; a partnership line below a couple (a double slash when separated) and children hanging
from it. Positions come from the same pure layout as the screen (domain/genogram.py), so the
printout and the family view never disagree about who stands where."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from workbook.domain.genogram import GenogramLayout, GenogramPerson, layout
from workbook.reports.ages import age_on
from workbook.reports.house_style import FONT_BOLD, FONT_SANS, escape, register_fonts, styles
from workbook.reports.scripts import needs_shaping, para

__all__ = ["genogram_drawing"]

_SLOT = 34 * mm
_ROW = 34 * mm
_SIZE = 9 * mm
_DROP = 4 * mm
_LABEL = 7.5
_MIN_SCALE = 0.45
_LINE = colors.HexColor("#3A4A5C")
_INDEX_FILL = colors.HexColor("#E8F1FB")


def genogram_drawing(persons: Sequence[GenogramPerson], width: float,
                     today: date) -> list[Flowable]:
    """A drawing at most `width` wide; a household too wide for the page is scaled down (never
    below a size where names stay legible, after which names are shortened).

    Drawing strings are not shaped, so a label in a script that needs shaping (Arabic, Urdu,
    Hebrew) would print with unjoined letters in the wrong order: such a label becomes a
    number, and a key under the drawing gives the name as a shaped paragraph."""
    register_fonts()
    result = layout(persons)
    ages = {p.person_id: age_on(p.dob, today) for p in persons}
    keyed: dict[str, str] = {}
    for node in sorted(result.nodes.values(), key=lambda n: (n.generation, n.x)):
        person = node.person
        if needs_shaping(person.name) or needs_shaping(person.relationship):
            keyed[person.person_id] = f"({len(keyed) + 1})"
    natural_w = max(result.width, 1) * _SLOT
    natural_h = max(result.generations, 1) * _ROW
    scale = min(1.0, width / natural_w)
    scale = max(scale, _MIN_SCALE)
    group = Group()
    _draw(group, result, natural_h, ages, keyed)
    group.scale(scale, scale)
    drawing = Drawing(natural_w * scale, natural_h * scale)
    drawing.add(group)
    drawing.hAlign = "CENTER"
    out: list[Flowable] = [drawing]
    small = styles().small
    for pid, mark in keyed.items():
        person = result.nodes[pid].person
        text = escape(person.name) + (f" \u00b7 {escape(person.relationship)}"
                                      if person.relationship else "")
        out.append(para(f"{mark} {text}", small))
    return out


def _centre(result: GenogramLayout, pid: str, height: float) -> tuple[float, float]:
    node = result.nodes[pid]
    return (node.x + 0.5) * _SLOT, height - (node.generation * _ROW + _SIZE)


def _draw(d: Group, result: GenogramLayout, height: float, ages: dict[str, str],
          keyed: dict[str, str]) -> None:
    line_y: dict[frozenset[str], float] = {}
    for part in result.partnerships:
        (ax, ay), (bx, by) = _centre(result, part.left, height), _centre(result, part.right,
                                                                          height)
        y = min(ay, by) - _SIZE / 2 - _DROP
        line_y[frozenset((part.left, part.right))] = y
        for x, top in ((ax, ay), (bx, by)):
            d.add(Line(x, top - _SIZE / 2, x, y, strokeColor=_LINE, strokeWidth=1))
        d.add(Line(ax, y, bx, y, strokeColor=_LINE, strokeWidth=1))
        if part.separated:
            mid = (ax + bx) / 2
            for dx in (-1.2 * mm, 1.2 * mm):
                d.add(Line(mid + dx - 1.2 * mm, y - 2 * mm, mid + dx + 1.2 * mm, y + 2 * mm,
                           strokeColor=_LINE, strokeWidth=1))
    groups: dict[tuple[str, ...], list[str]] = {}
    for descent in result.descents:
        groups.setdefault(descent.parents, []).append(descent.child)
    for parents, children in groups.items():
        centres = [_centre(result, p, height) for p in parents]
        anchor_x = sum(c[0] for c in centres) / len(centres)
        anchor_y = line_y.get(frozenset(parents), min(c[1] for c in centres) - _SIZE / 2)
        if len(parents) == 2 and frozenset(parents) not in line_y:
            anchor_y = min(c[1] for c in centres) - _SIZE / 2 - _DROP
            for x, top in centres:
                d.add(Line(x, top - _SIZE / 2, x, anchor_y, strokeColor=_LINE,
                           strokeDashArray=[2, 2]))
            d.add(Line(centres[0][0], anchor_y, centres[1][0], anchor_y, strokeColor=_LINE,
                       strokeDashArray=[2, 2]))
        kid_centres = [_centre(result, c, height) for c in children]
        bar_y = max(c[1] for c in kid_centres) + _SIZE / 2 + 4 * mm
        xs = [c[0] for c in kid_centres] + [anchor_x]
        d.add(Line(anchor_x, anchor_y, anchor_x, bar_y, strokeColor=_LINE))
        d.add(Line(min(xs), bar_y, max(xs), bar_y, strokeColor=_LINE))
        for x, y in kid_centres:
            d.add(Line(x, bar_y, x, y + _SIZE / 2, strokeColor=_LINE))
    for pid, node in result.nodes.items():
        x, y = _centre(result, pid, height)
        _symbol(d, node.person, x, y, ages.get(pid, ""), keyed.get(pid, ""))


def _symbol(d: Group, person: GenogramPerson, x: float, y: float, age: str,
            key: str) -> None:
    sizes = [_SIZE + 2 * mm, _SIZE] if person.index else [_SIZE]
    for size in sizes:
        fill = _INDEX_FILL if person.index else colors.white
        half = size / 2
        if person.sex == "male":
            d.add(Rect(x - half, y - half, size, size, strokeColor=_LINE, fillColor=fill,
                       strokeWidth=1.2))
        elif person.sex == "female":
            d.add(Circle(x, y, half, strokeColor=_LINE, fillColor=fill, strokeWidth=1.2))
        else:
            d.add(Polygon([x, y + half, x + half, y, x, y - half, x - half, y],
                          strokeColor=_LINE, fillColor=fill, strokeWidth=1.2))
    if age:
        d.add(String(x, y - 3, age, fontName=FONT_BOLD, fontSize=8, textAnchor="middle"))
    label_y = y - _SIZE / 2 - _DROP - 3.2 * mm
    lines = (key, "") if key else (person.name, person.relationship)
    for n, line in enumerate(lines):
        if line:
            text = _fit(line, _SLOT - 2 * mm)
            d.add(String(x, label_y - n * (_LABEL + 1.5), text, fontName=FONT_SANS,
                         fontSize=_LABEL, textAnchor="middle", fillColor=colors.black))


def _fit(text: str, width: float) -> str:
    """Shorten a label that would run into its neighbour's, with an ellipsis."""
    if pdfmetrics.stringWidth(text, FONT_SANS, _LABEL) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT_SANS, _LABEL) > width:
        text = text[:-1]
    return text.rstrip() + "…"
