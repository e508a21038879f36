"""Contrast (issue 14): the safety band and every coloured label stay readable under a light, a
dark and a high-contrast palette. Each label's text colour is the one Qt draws it with (its
polished palette); its background is what is really painted behind it (the most common pixel
of the label's area in a grab of the window). The WCAG ratio must be at least 4.5:1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from workbook.domain.ids import FamilyId, RecordId, VersionId
from workbook.domain.records import Action, Entry, Family
from workbook.domain.workbook import FamilyShown, Shown
from workbook.ui.family.common import Band
from workbook.ui.family.header import FamilyHeader
from workbook.ui.family.plan_panel import PlanPanel
from workbook.ui.home_widgets import Banner, Panel
from workbook.ui.sign_in_page import SignInPage
from workbook.ui.startup import contrast_ratio as contrast
from workbook.ui.startup import style_sheet
from workbook.ui.top_bar import TopBar

R = QPalette.ColorRole


def _palette(window: str, base: str, text: str, highlight: str, highlighted: str) -> QPalette:
    palette = QPalette(QColor(window))
    for role, colour in ((R.Window, window), (R.Base, base), (R.AlternateBase, window),
                         (R.Text, text), (R.WindowText, text), (R.ButtonText, text),
                         (R.Button, window), (R.Highlight, highlight),
                         (R.HighlightedText, highlighted), (R.PlaceholderText, text)):
        palette.setColor(role, QColor(colour))
    return palette


PALETTES = {
    "light": _palette("#efefef", "#ffffff", "#000000", "#0f6cbd", "#ffffff"),
    "dark": _palette("#2b2b2b", "#1e1e1e", "#f0f0f0", "#3a8fd6", "#ffffff"),
    # Windows' "High contrast black": white on black, cyan selection with black text.
    "high contrast": _palette("#000000", "#000000", "#ffffff", "#1aebff", "#000000"),
}


def test_the_ratio_is_wcags() -> None:
    assert round(contrast(QColor("#000000"), QColor("#ffffff")), 1) == 21.0
    assert round(contrast(QColor("#767676"), QColor("#ffffff")), 2) == 4.54   # WCAG's grey
    assert contrast(QColor("#123456"), QColor("#123456")) == 1.0


def painted_background(image: QImage, widget: QWidget, root: QWidget) -> QColor:
    corner = widget.mapTo(root, widget.rect().topLeft())
    ratio = image.devicePixelRatio()
    counts: Counter[int] = Counter()
    for x in range(0, widget.width(), 2):
        for y in range(0, widget.height(), 2):
            counts[image.pixel(int((corner.x() + x) * ratio), int((corner.y() + y) * ratio))] += 1
    return QColor.fromRgb(counts.most_common(1)[0][0])


def too_faint(root: QWidget) -> list[str]:
    image = root.grab().toImage()
    faint = []
    for widget in [*root.findChildren(QLabel), *root.findChildren(QPushButton)]:
        if not widget.isVisible() or not widget.text().strip():
            continue
        text = widget.palette().color(widget.foregroundRole())
        ratio = contrast(text, painted_background(image, widget, root))
        if ratio < 4.5:
            faint.append(f"{widget.text()[:40]!r} ({widget.objectName() or type(widget).__name__})"
                         f": {ratio:.2f}")
    return faint


class _NoFamily:
    family_id = None
    snapshot = None

    def run(self, *_args: Any, **_kwargs: Any) -> None:
        return None

    def notify(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def coloured_screens() -> QWidget:
    """Every kind of coloured label the app shows, as the app builds them."""
    root = QWidget()
    column = QVBoxLayout(root)
    for kind in ("warning", "danger", "info", "calm"):
        band = Band(kind, kind, root)
        band.show_text(f"{kind.capitalize()} title", "A line of the band's body text")
        column.addWidget(band)
    header = FamilyHeader(root)
    flag = Shown(Entry, {"text": "Dog at the house", "date": "2026-01-10"}, RecordId("e"),
                 VersionId("v"), "sw1", "", False)
    header.show_family(FamilyShown(FamilyId("f"), Family.from_payload({"name": "The family"})),
                       [flag], 1)
    column.addWidget(header)
    plan = PlanPanel(_NoFamily(), root)  # type: ignore[arg-type]
    overdue = Shown(Action, {"text": "Visit", "owner": "sw1", "due": "2026-01-01",
                             "status": "open"}, RecordId("a"), VersionId("w"), "sw1", "", False)
    plan.set_actions([overdue], date(2026, 3, 1))
    column.addWidget(plan)
    banner = Banner(root)
    banner.set_messages(["The recovery key was used to open this vault."])
    column.addWidget(banner)
    column.addWidget(Panel("My families", None, "No families yet.", root))
    sign_in = SignInPage(root)
    sign_in.show_error("Wrong username or passphrase.")
    column.addWidget(sign_in)
    top = TopBar(root)
    top.person.setText("Tess Manager · Team manager")
    column.addWidget(top)
    return root


@pytest.fixture
def styled() -> Iterator[QApplication]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette, sheet = app.palette(), app.styleSheet()
    yield app
    app.setStyleSheet(sheet)
    app.setPalette(palette)


@pytest.mark.parametrize("name", list(PALETTES))
def test_every_coloured_label_reads_at_4_5_to_1(name: str, qtbot, styled) -> None:
    styled.setPalette(PALETTES[name])
    styled.setStyleSheet(style_sheet(PALETTES[name]))
    root = coloured_screens()
    qtbot.addWidget(root)
    root.resize(900, 1400)
    root.show()
    qtbot.waitExposed(root)
    assert too_faint(root) == []


def test_status_is_said_in_words_not_only_colour(qtbot) -> None:
    root = coloured_screens()
    qtbot.addWidget(root)
    plan = root.findChild(PlanPanel)
    assert "1 overdue" in plan.summary.text() and plan.summary.text().startswith("⚠")
    header = root.findChild(FamilyHeader)
    assert header.safety.title.text().startswith("⚠  Home-visit safety")
    assert "conflicting versions" in header.conflict.title.text()
