"""`workbook-gui`: the desktop application (issue 3).

    workbook-gui --vault FOLDER        open a vault (or set WORKBOOK_VAULT)
    workbook-gui --self-test [--vault FOLDER]
                                       offscreen check; prints one JSON object of timings

Nothing of a case is written outside the vault: no QSettings, no recent-file list, no log of
content. The look follows the system's palette and font size; with a high-contrast preference
the system's own style is used unchanged."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from workbook.services.files import keyring_problem
from workbook.ui.main_window import MainWindow
from workbook.ui.startup import NO_VAULT, make_app, resolve_vault

__all__ = ["NO_VAULT", "build_parser", "main", "make_app", "resolve_vault"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbook-gui",
                                     description="Workbook: the family case workbook.")
    parser.add_argument("--vault", default="", help="the vault folder (or WORKBOOK_VAULT)")
    parser.add_argument("--self-test", action="store_true",
                        help="run offscreen: sign in as the demo social worker, open a family, "
                             "search, lock; print a JSON object of timings")
    return parser


class _KeyringCheck(QObject):
    """Checks for an OS keyring off the GUI thread (probing D-Bus can take a moment) and says
    on the sign-in page if there is none, with the opt-in and what it costs."""

    found_problem = Signal(str)

    def start(self) -> None:
        threading.Thread(target=self._check, name="workbook-keyring-check",
                         daemon=True).start()

    def _check(self) -> None:
        try:
            problem = keyring_problem()
            if problem is not None:
                self.found_problem.emit(problem)
        except ValueError as exc:  # a WORKBOOK_KEYRING value that is not understood
            self.found_problem.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - never stop the sign-in page from showing
            self.found_problem.emit(f"The keyring could not be checked ({exc.__class__.__name__}).")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.self_test:
        from workbook.ui.self_test import run

        return run(Path(args.vault) if args.vault else None)
    app = make_app()
    vault, problem = resolve_vault(args.vault)
    window = MainWindow(vault, problem)
    window.show()
    check = _KeyringCheck(window)
    check.found_problem.connect(window.sign_in_page.show_error)
    check.start()
    _quit_cleanly_on_signals(window)
    return int(app.exec())


def _quit_cleanly_on_signals(window: MainWindow) -> None:
    """Ctrl+C in a terminal or a polite kill closes the window, which locks (drops the keys and
    records the audit head) before the process ends. Python runs signal handlers only between
    byte codes, so a timer wakes it now and then while Qt waits for events."""
    def close(_signum: int, _frame: object) -> None:
        window.close()

    for name in ("SIGINT", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, close)
    waker = QTimer(window)
    waker.timeout.connect(lambda: None)
    waker.start(500)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
