"""The genogram, drawn from the household with the standard symbols: a square for a male, a
circle for a female, a diamond when not known; a partnership line below a couple (crossed by a
double slash when they have separated); children hanging from it; the index child with a double
outline. Positions come from the pure layout in workbook.domain.genogram."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QAbstractGraphicsShapeItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from workbook.domain.genogram import GenogramLayout, GenogramPerson, layout
from workbook.ui.family.common import age_on
from workbook.ui.widgets.date_field import today as session_today

SLOT = 150.0        # horizontal distance between two people
ROW = 150.0         # vertical distance between two generations
SIZE = 44.0         # symbol size
DROP = 22.0         # how far below the symbols the partnership line runs
LINE = QColor("#3A4A5C")
FILL = QColor("#FFFFFF")
INDEX_FILL = QColor("#E8F1FB")


class GenogramView(QGraphicsView):
    """Redrawn whenever the household changes; keyboard focusable, and described in words for
    screen readers (the picture itself says nothing to them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Genogram")
        self.viewport().setAccessibleName("Genogram drawing")
        self.setMinimumHeight(220)
        self.setBackgroundBrush(QBrush(QColor("#FBFCFD")))
        self.layout_result: GenogramLayout | None = None

    def show_household(self, persons: Sequence[GenogramPerson], today: date | None = None) -> None:
        scene = self.scene()
        scene.clear()
        result = layout(persons)
        self.layout_result = result
        today = today or session_today()
        self.setAccessibleDescription(describe(result, today))
        if not result.nodes:
            text = scene.addText("No one is recorded in this household yet.")
            text.setDefaultTextColor(QColor("#5B6B7B"))
            scene.setSceneRect(text.boundingRect())
            return
        pen = QPen(LINE, 2)
        centre = {pid: QPointF(n.x * SLOT, n.generation * ROW) for pid, n in result.nodes.items()}
        line_y: dict[frozenset[str], float] = {}
        for part in result.partnerships:
            a, b = centre[part.left], centre[part.right]
            y = max(a.y(), b.y()) + SIZE / 2 + DROP
            line_y[frozenset((part.left, part.right))] = y
            path = QPainterPath(QPointF(a.x(), a.y() + SIZE / 2))
            path.lineTo(a.x(), y)
            path.lineTo(b.x(), y)
            path.lineTo(b.x(), b.y() + SIZE / 2)
            scene.addPath(path, pen)
            if part.separated:
                mid = (a.x() + b.x()) / 2
                for dx in (-5.0, 5.0):
                    scene.addLine(mid + dx - 6, y + 10, mid + dx + 6, y - 10, pen)
        groups: dict[tuple[str, ...], list[str]] = {}
        for descent in result.descents:
            groups.setdefault(descent.parents, []).append(descent.child)
        for parents, children in groups.items():
            ys = [centre[p].y() for p in parents]
            anchor_x = sum(centre[p].x() for p in parents) / len(parents)
            anchor_y = line_y.get(frozenset(parents), max(ys) + SIZE / 2)
            if len(parents) == 2 and frozenset(parents) not in line_y:
                # Parents who are not recorded as partners: a plain line joins them.
                anchor_y = max(ys) + SIZE / 2 + DROP
                path = QPainterPath(QPointF(centre[parents[0]].x(), ys[0] + SIZE / 2))
                path.lineTo(centre[parents[0]].x(), anchor_y)
                path.lineTo(centre[parents[1]].x(), anchor_y)
                path.lineTo(centre[parents[1]].x(), ys[1] + SIZE / 2)
                scene.addPath(path, QPen(LINE, 1.5, Qt.PenStyle.DashLine))
            kid_top = min(centre[c].y() for c in children) - SIZE / 2
            bar_y = kid_top - 24
            xs = [centre[c].x() for c in children] + [anchor_x]
            scene.addLine(anchor_x, anchor_y, anchor_x, bar_y, pen)
            scene.addLine(min(xs), bar_y, max(xs), bar_y, pen)
            for child in children:
                c = centre[child]
                scene.addLine(c.x(), bar_y, c.x(), c.y() - SIZE / 2, pen)
        for pid, node in result.nodes.items():
            self._symbol(node.person, centre[pid], today)
        rect = scene.itemsBoundingRect().adjusted(-30, -30, 30, 30)
        scene.setSceneRect(rect)
        self._fit()

    def _symbol(self, person: GenogramPerson, at: QPointF, today: date) -> None:
        scene = self.scene()
        pen = QPen(LINE, 2)
        brush = QBrush(INDEX_FILL if person.index else FILL)
        rings = [SIZE, SIZE + 10] if person.index else [SIZE]
        for size in reversed(rings):
            box = QRectF(at.x() - size / 2, at.y() - size / 2, size, size)
            item: QAbstractGraphicsShapeItem
            if person.sex == "male":
                item = scene.addRect(box, pen, brush)
            elif person.sex == "female":
                item = scene.addEllipse(box, pen, brush)
            else:
                diamond = QPolygonF([QPointF(box.center().x(), box.top()),
                                     QPointF(box.right(), box.center().y()),
                                     QPointF(box.center().x(), box.bottom()),
                                     QPointF(box.left(), box.center().y())])
                item = scene.addPolygon(diamond, pen, brush)
            item.setToolTip(_caption(person, today))
        age = age_on(person.dob, today)
        if age:
            number = scene.addSimpleText(age)
            font = QFont()
            font.setBold(True)
            number.setFont(font)
            r = number.boundingRect()
            number.setPos(at.x() - r.width() / 2, at.y() - r.height() / 2)
        label = scene.addText("")
        label.setPlainText(person.name + ("\n" + person.relationship if person.relationship
                                          else ""))
        label.setTextWidth(SLOT - 12)
        option = label.document().defaultTextOption()
        option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        label.document().setDefaultTextOption(option)
        label.setDefaultTextColor(QColor("#1F2A36"))
        # Below the partnership line, so a couple's line never runs through their names.
        label.setPos(at.x() - (SLOT - 12) / 2, at.y() + SIZE / 2 + DROP + 4)

    def _fit(self) -> None:
        rect = self.scene().sceneRect()
        view = self.viewport().rect()
        if rect.width() > view.width() or rect.height() > view.height():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        else:
            self.resetTransform()
            self.centerOn(rect.center())

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.layout_result is not None and self.layout_result.nodes:
            self._fit()

    def wipe(self) -> None:
        self.scene().clear()
        self.layout_result = None
        self.setAccessibleDescription("")


def _caption(person: GenogramPerson, today: date) -> str:
    age = age_on(person.dob, today)
    bits = [person.name]
    if person.relationship:
        bits.append(person.relationship)
    if age:
        bits.append(f"aged {age}")
    if person.index:
        bits.append("index child")
    return ", ".join(bits)


def describe(result: GenogramLayout, today: date) -> str:
    """The genogram in words, generation by generation: each person's sex, age and
    relationship (what the symbol's shape, the number inside it and the caption show)."""
    if not result.nodes:
        return "No one is recorded in this household yet."
    names = {pid: n.person.name for pid, n in result.nodes.items()}
    lines = []
    for g in range(result.generations):
        row = sorted((n for n in result.nodes.values() if n.generation == g), key=lambda n: n.x)
        people = ", ".join(f"{n.person.name} ({_in_words(n.person, today)})" for n in row)
        lines.append(f"Generation {g + 1}: {people}.")
    for part in result.partnerships:
        state = "separated partners" if part.separated else "partners"
        lines.append(f"{names[part.left]} and {names[part.right]} are {state}.")
    for descent in result.descents:
        parents = " and ".join(names[p] for p in descent.parents)
        lines.append(f"{names[descent.child]} is a child of {parents}.")
    return " ".join(lines)


def _in_words(person: GenogramPerson, today: date) -> str:
    """'female, aged 11, daughter, index child': the symbol, the age and the caption."""
    sex = person.sex if person.sex in ("male", "female") else "sex not known"
    age = age_on(person.dob, today)
    bits = [sex, f"aged {age}" if age else "age not known"]
    if person.relationship:
        bits.append(person.relationship)
    if person.index:
        bits.append("index child")
    return ", ".join(bits)
