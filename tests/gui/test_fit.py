"""Fit (issue 14): at the default window size, at 1366x768 with 125% scaling and at 200% on a
large screen, every action of the family header, the chronology's filters, the print preview's
buttons and the board's State column are inside the window with no horizontal scroll, and no
window opens larger than the screen. Each size runs in its own interpreter, since the scale
factor and the screen must be set before the QApplication exists; the screen is the offscreen
platform's, sized by its configuration file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel, QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from workbook.ui.home_widgets import Panel

PROBE = Path(__file__).with_name("fit_probe.py")
SCREENS = {   # name: (screen width, height, scale factor, the window's size in logical px)
    "default size on a 1600x1000 screen": (1600, 1000, "1", (1280, 820)),
    "1366x768 laptop at 125%": (1366, 768, "1.25", None),
    "2560x1440 screen at 200%": (2560, 1440, "2", None),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_named_action_is_inside_the_window(name: str, tmp_path: Path) -> None:
    width, height, scale, window = SCREENS[name]
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "probe", "x": 0, "y": 0, "width": width,
                                               "height": height, "logicalDpi": 96}]}))
    env = {**os.environ, "QT_SCALE_FACTOR": scale,
           "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    screen = result["screen"]
    assert screen == [round(width / float(scale)), round(height / float(scale))]
    assert result["frame"][0] <= screen[0] and result["frame"][1] <= screen[1]
    if window:
        assert result["window"] == list(window)


def test_the_wheel_scrolls_home_not_the_panel_under_the_pointer(qtbot) -> None:
    model = QStandardItemModel(60, 1)
    for row in range(60):
        model.setItem(row, 0, QStandardItem(f"Family {row}"))
    page = QWidget()
    column = QVBoxLayout(page)
    panel = Panel("Families", model, "None")
    column.addWidget(panel)
    for _ in range(3):
        column.addWidget(Panel("Other", None, "Nothing here"))
    page.setMinimumHeight(1400)
    area = QScrollArea()
    area.setWidget(page)
    area.resize(600, 400)
    qtbot.addWidget(area)
    area.show()
    panel.refresh()
    qtbot.waitExposed(area)
    view = panel.view
    assert view is not None and view.verticalScrollBar().maximum() > 0

    def wheel() -> None:
        centre = QPointF(view.viewport().rect().center())
        event = QWheelEvent(centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())),
                            QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)

    wheel()
    assert area.verticalScrollBar().value() > 0
    assert view.verticalScrollBar().value() == 0
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    wheel()
    assert view.verticalScrollBar().value() > 0       # clicked into: the list scrolls
