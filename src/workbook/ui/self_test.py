"""`workbook-gui --self-test [--vault V]`: the installer's smoke test and the acceptance check.

Offscreen, it opens a vault (or builds a small demo vault in a temporary folder, with cheap
Argon2id and a file keyring inside that folder, removed afterwards), signs in as the demo social
worker, waits for home, opens a family and shows every section page, the chronology and the
genogram, types into the search box, locks with Ctrl+L, and exits 0. Standard output carries
only one JSON object:

    start_to_sign_in_ms   process start to the sign-in window on screen (the demo build of a
                          temporary vault is not counted)
    unlock_to_home_ms     sign-in finished (after the key derivation) to home showing my
                          families and overdue actions
    open_family_ms        asking for a family to its first paint with content
    search_keystroke_ms   the slowest of three keystrokes, from key press to results painted
    peak_rss_mb           peak resident memory

Anything else (progress, warnings, the reason for a failure) goes to standard error, including
the resident memory after each stage (`memory: <stage> <MB> MB (peak <MB>)`), so a rise in the
peak can be traced to the step that caused it. A
practitioner other than the demo social worker can be used with WORKBOOK_USER and
WORKBOOK_PASSPHRASE, and WORKBOOK_SELF_TEST_FAMILY names the family to open by its id (an open
family of theirs; otherwise the demo's long-running family, or the first of theirs): a
benchmark opens a family no earlier run opened, whose signatures are checked for the first
time."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from workbook.services.errors import WorkbookError

_IMPORTED_AT = time.perf_counter()

WAIT_SECONDS = 120.0
FAMILY_VARIABLE = "WORKBOOK_SELF_TEST_FAMILY"
POLL_MS = 25
SELF_TEST_FAMILIES = 20
SELF_TEST_BIG_FAMILY = 300
LONG_RUNNING_REFERENCE = "DEMO-0001"


class SelfTestFailed(WorkbookError):
    """One sentence saying which step failed."""


def process_age_ms() -> float:
    """How long this process has existed, from the kernel's start time where it is known."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up_seconds = float(uptime.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return max(0.0, (up_seconds - start_ticks / ticks) * 1000.0)
    except (OSError, ValueError, IndexError):
        return (time.perf_counter() - _IMPORTED_AT) * 1000.0


def peak_rss_mb() -> float:
    """This program's own high-water mark. On Linux, /proc's VmHWM: getrusage's ru_maxrss
    carries over the high-water mark of the process that forked us (a large test runner or
    benchmark would be counted as ours)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows has no resource module; the figure is then unknown
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc; 0.0 where it is not known)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _stage(name: str, rss: float | None = None) -> None:
    now = current_rss_mb() if rss is None else rss
    print(f"memory: {name} {now:.1f} MB (peak {peak_rss_mb():.1f})", file=sys.stderr)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run(vault: Path | None) -> int:
    entered = time.perf_counter()
    age_at_entry = process_age_ms()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    real_stdout = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            if vault is not None:
                figures = _run(vault, os.environ.get(FAMILY_VARIABLE) or None, age_at_entry,
                               entered)
            else:
                figures = _run_with_temporary_vault(age_at_entry, entered)
    except SelfTestFailed as exc:
        print(f"workbook-gui --self-test failed: {exc}", file=sys.stderr)
        return 1
    real_stdout.write(json.dumps(figures) + "\n")
    real_stdout.flush()
    return 0


def _run_with_temporary_vault(age_at_entry: float, entered: float) -> dict[str, float]:
    import keyring

    from workbook.demo import build_demo
    from workbook.services.files import KdfParams

    previous_keyring = keyring.get_keyring()
    with tempfile.TemporaryDirectory(prefix="workbook-self-test-") as folder, \
            _environment({"WORKBOOK_KEYRING": "file",
                          "XDG_CONFIG_HOME": str(Path(folder) / "config")}):
        try:
            started = time.perf_counter()
            print("Building a small demo vault in a temporary folder ...", file=sys.stderr)
            demo = build_demo(Path(folder) / "vault", families=SELF_TEST_FAMILIES,
                              big_family_entries=SELF_TEST_BIG_FAMILY,
                              kdf=KdfParams(8 * 1024, 1, 1))
            building = time.perf_counter() - started
            return _run(Path(folder) / "vault",
                        os.environ.get(FAMILY_VARIABLE) or demo.big_family_id, age_at_entry,
                        entered + building)
        finally:
            keyring.set_keyring(previous_keyring)


def _run(vault: Path, family_hint: str | None, age_at_entry: float,
         entered: float) -> dict[str, float]:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtTest import QTest

    from workbook.demo import demo_user
    from workbook.ui.main_window import MainWindow
    from workbook.ui.startup import make_app, resolve_vault

    _stage("imports")
    app = make_app()
    resolved, problem = resolve_vault(str(vault))
    if problem:
        raise SelfTestFailed(problem)
    window = MainWindow(resolved, problem)
    try:
        window.show()
        if not QTest.qWaitForWindowExposed(window, 10_000):
            raise SelfTestFailed("the sign-in window was not shown")
        app.processEvents()
        window.sign_in_page.repaint()
        start_to_sign_in = age_at_entry + (time.perf_counter() - entered) * 1000.0
        _stage("sign-in window")

        times: dict[str, float] = {}
        rss_at: dict[str, float] = {}

        def signed_in(_session: object) -> None:
            times.setdefault("signed_in", time.perf_counter())
            rss_at.setdefault("unlock", current_rss_mb())

        window.ops.signed_in.connect(signed_in)
        window.home_loaded.connect(lambda: times.setdefault("home", time.perf_counter()))
        social = demo_user("social")
        page = window.sign_in_page
        page.username.setText(os.environ.get("WORKBOOK_USER", social.username))
        page.passphrase.setText(os.environ.get("WORKBOOK_PASSPHRASE", social.passphrase))
        QTest.keyClick(page.passphrase, Qt.Key.Key_Return)
        _wait(lambda: "home" in times or page.message.isVisible(), "signing in",
              wake=[window.home_loaded, window.ops.busy_changed])
        if "home" not in times:
            raise SelfTestFailed(f"could not sign in: {page.message.text()}")
        window.home_page.repaint()
        unlock_to_home = (time.perf_counter() - times["signed_in"]) * 1000.0
        _stage("unlock", rss_at.get("unlock"))
        _stage("home")
        _wait(lambda: window.home_page.search_ready, "building the search index",
              wake=[window.search_ready])
        _stage("search index built")

        if family_hint is not None and family_hint not in {
                f.family_id for f in window.home_loader.families}:
            raise SelfTestFailed(f"{FAMILY_VARIABLE} names no open family this person can read")
        family_id = family_hint or _first_family(window)
        open_family = _open_family(window, family_id)
        _stage("family opened")
        _render_every_page(window)
        _stage("every page rendered")

        window.show_home()
        search = window.home_page.search_box
        search.setFocus()
        keystrokes = []
        for ch in _search_text(window):
            started = time.perf_counter()
            QTest.keyClicks(search, ch)
            window.home_page.results_view.repaint()
            keystrokes.append((time.perf_counter() - started) * 1000.0)
        if window.home_page.search_model.rowCount() == 0:
            raise SelfTestFailed("the search found nothing for a family that exists")
        _stage("searched")

        locked: list[bool] = []
        window.lock_finished.connect(lambda: locked.append(True))
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        _wait(lambda: bool(locked), "locking", wake=[window.lock_finished])
        if window.windowTitle() != "Workbook" or window.home_page.my_families_model.rowCount():
            raise SelfTestFailed("locking left something of the session on screen")
        _stage("locked")
        figures = {
            "start_to_sign_in_ms": round(start_to_sign_in, 1),
            "unlock_to_home_ms": round(unlock_to_home, 1),
            "open_family_ms": round(open_family, 1),
            "search_keystroke_ms": round(max(keystrokes), 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()
    return figures


def _wait(done: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS,
          wake: Sequence[Any] = ()) -> None:
    """Run the event loop until `done()`. A real QEventLoop, not QTest.qWait: the loop lets
    the worker thread run Python while it waits, as the application's own loop does.

    `done()` is checked whenever one of the `wake` signals fires, and otherwise every
    `POLL_MS`: a tighter poll would take the interpreter lock from the worker hundreds of
    times a second (the application's own loop does not), and slowed what is being measured
    by a fifth."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + seconds
    loop = QEventLoop()
    tick = QTimer()
    tick.setInterval(POLL_MS)
    tick.timeout.connect(loop.quit)
    for signal in wake:
        signal.connect(loop.quit)
    tick.start()
    try:
        while not done():
            if time.monotonic() > deadline:
                raise SelfTestFailed(f"timed out while {what}")
            loop.exec()
    finally:
        tick.stop()
        for signal in wake:
            signal.disconnect(loop.quit)


def _first_family(window: Any) -> str:
    """The demo's long-running family (reference DEMO-0001) if this person has it, so the
    figure covers the biggest workbook; otherwise the first of my families."""
    model = window.home_page.my_families_model
    for row in model.rows():
        if row.reference == LONG_RUNNING_REFERENCE:
            return str(row.family_id)
    if model.rowCount():
        return str(model.row_at(0).family_id)
    families = window.home_loader.families
    if families:
        return str(families[0].family_id)
    raise SelfTestFailed("the signed-in person can read no family")


class _PaintWatch:
    """Notes whether `widget` is painted once `ready()` holds."""

    def __init__(self, widget: Any, ready: Callable[[], bool]) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.seen = False
        watch = self

        class _Filter(QObject):
            def eventFilter(self, _watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's
                if event.type() == QEvent.Type.Paint and ready():
                    watch.seen = True
                return False

        self._widget = widget
        self._filter = _Filter(widget)
        widget.installEventFilter(self._filter)

    def stop(self) -> None:
        self._widget.removeEventFilter(self._filter)
        self._filter.deleteLater()


def _open_family(window: Any, family_id: str) -> float:
    """Asking for the family to the end of the view's first paint after it said it had
    loaded: the event-loop pass that painted it (the wait's own, or the next one), or a forced
    repaint if neither did. Not a further pass once the paint is seen: the work that waited
    for the paint (home's next background step, on a vault whose home is still filling in)
    runs there, after the person sees the family, and added 7-13 ms to a 20,000-family
    vault's figure (issue 19). Not to a `grab()` either: rendering into an image with no
    background of its own draws every glyph afresh, in a cache of its own, and added 20-35
    ms that no person waits for."""
    from PySide6.QtCore import QCoreApplication

    loaded: list[str] = []
    view = window.family.ensure()
    painted = _PaintWatch(view, lambda: bool(loaded))
    signal = getattr(view, "loaded", None)
    if signal is not None:
        signal.connect(loaded.append)
    started = time.perf_counter()
    window.open_family(family_id)
    if signal is not None:
        _wait(lambda: bool(loaded), "opening a family", wake=[signal])
    else:
        _wait(lambda: window.ops.pending == 0, "opening a family",
              wake=[window.ops.busy_changed])
        loaded.append(family_id)
    if not painted.seen:
        QCoreApplication.processEvents()
        if not painted.seen:
            view.repaint()
    elapsed = (time.perf_counter() - started) * 1000.0
    painted.stop()
    view.grab()  # every part of the view renders, outside the figure
    if not window.family_view_available:
        print(f"Note: the family workbook view is {window.family_view_problem}; a placeholder "
              "was shown.", file=sys.stderr)
    return elapsed


def _render_every_page(window: Any) -> None:
    """Show each page the family view offers (every section, the chronology, the household
    with its genogram) and paint it, waiting for any work a page starts."""
    from PySide6.QtWidgets import QListWidget, QTabWidget

    view = window.family_view
    if view is None or not window.family_view_available:
        return
    navigator = getattr(view, "navigator", None)
    shown = 0
    if isinstance(navigator, QListWidget):
        for row in range(navigator.count()):
            navigator.setCurrentRow(row)
            _wait(lambda: window.ops.pending == 0, "showing a section",
                  wake=[window.ops.busy_changed])
            view.grab()
            shown += 1
    for tabs in view.findChildren(QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _wait(lambda: window.ops.pending == 0, "showing a tab",
                  wake=[window.ops.busy_changed])
            view.grab()
            shown += 1
    if shown == 0:
        view.grab()
    print(f"Rendered {shown} family pages.", file=sys.stderr)


def _search_text(window: Any) -> str:
    """Three letters of a family's surname that this person can see."""
    model = window.home_page.my_families_model
    name = str(model.row_at(0).name) if model.rowCount() else "the"
    words = [w for w in name.split() if w.lower() not in ("the", "family")]
    return (words[0] if words else name)[:3].lower()
