"""The board at 1366x768 with 125% scaling (about 1077x566 logical px, docs/screenshots): its
four charts go two by two in a box that scrolls down, each wide enough for its title, axes and
legend; the outcomes' legend lists each outcome on a line of its own, in words; and the board
never asks for more height than the window has."""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from supervision_vault import BoardVault
from test_gui import runner

from workbook.ui.supervision.board_page import SupervisionBoard
from workbook.ui.supervision.page import SupervisionPage

LAPTOP = (1077, 566)  # 1366x768 at 125%, less the window's frame and the top bar


def _on_a_laptop(qtbot: Any, page: SupervisionBoard | SupervisionPage) -> None:
    """Show `page` at the laptop's size and load it."""
    qtbot.addWidget(page)
    page.resize(*LAPTOP)
    page.show()
    page.refresh()


def test_the_charts_go_two_by_two_and_scroll(qtbot: Any, bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        board = SupervisionBoard(runner(tm))
        _on_a_laptop(qtbot, board)
        qtbot.waitUntil(lambda: len(board.charts) == 4)
        qtbot.wait(50)
        places = [board.chart_row.getItemPosition(board.chart_row.indexOf(chart))[:2]
                  for chart in board.charts]
        assert places == [(0, 0), (0, 1), (1, 0), (1, 1)]
        assert all(chart.width() > 0.4 * LAPTOP[0] for chart in board.charts)
        assert board.minimumSizeHint().height() <= LAPTOP[1]
        assert board.chart_box.verticalScrollBar().maximum() > 0
        outcomes = board.charts[-1]
        assert isinstance(outcomes, QChartView)
        assert outcomes.chart().legend().alignment() == Qt.AlignmentFlag.AlignRight
        board.clear()


def test_a_session_fits_a_laptop_screen(qtbot: Any, bv: BoardVault) -> None:
    """The review form scrolls in its own box: laid out whole, a session was taller than
    1366x768 at 125% and the window grew past the bottom of the screen
    (supervision-session.png). Started as the chair does, with the board's button."""
    with bv.sign_in("tm") as tm:
        page = SupervisionPage(runner(tm))
        _on_a_laptop(qtbot, page)
        page.ask_start = lambda _colleagues, today: (today, ["sw1"])
        qtbot.mouseClick(page.board.start_button, Qt.MouseButton.LeftButton)
        view = page.session_view
        assert view is not None and view.meeting is not None
        view.select_family(bv.ids["Adams"])
        qtbot.wait(50)
        assert page.minimumSizeHint().height() <= LAPTOP[1]
        for button in (view.save_button, view.finish_button, view.minutes_button):
            corner = button.mapTo(page, button.rect().bottomRight())
            assert button.isVisible() and corner.y() <= page.height(), button.text()
        qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
