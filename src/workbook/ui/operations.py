"""Every service call runs on one worker thread that owns the Session (STYLE.md item 5).

The GUI submits `fn(session) -> result` with a callback; the callback runs back on the GUI
thread and is the only place that touches widgets. One thread owns the SQLCipher connection,
so the connection is never shared between threads. Work that outlasts 100 ms shows the busy
indicator, so the window never looks frozen.

Two lanes: what a person asked for (open a family, save, search) runs before work the app does
for itself (home's later panels, the search index's steps, the deadlines' digest, a sync),
which is submitted as `background`. Background work is cut into steps, so a family opened while
home fills in waits for one step, not for home (issue 19: at 20,000 families, home's work for a
person on every family took seconds). Background work also waits while the answer to a request
is being shown: until its callback has run and the events it posted (the first paint) are
through and the window has painted it, the GUI thread has the interpreter to itself (a step
of the deadlines beside a family's first paint slowed it by a fifth on a 20,000-family vault).
Signing in, locking and
quitting are barriers: background work queued before them runs before them, as it was asked."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, QTimer, Signal, Slot

from workbook.services.access.sign_in import sign_in
from workbook.services.errors import WorkbookError
from workbook.services.session import Session
from workbook.ui.signed_in import SignedIn

Callback = Callable[[Any], None]
ErrorCallback = Callable[[str], None]
BUSY_AFTER_MS = 100
# How long background work waits for the repaint an answer caused; an answer that changed
# nothing on screen causes none.
PAINT_WAIT_MS = 100
Job = tuple[int, Callable[["_Worker"], Any]]


class _Lanes:
    """The jobs waiting for the worker: a person's first, then the app's own, each in order;
    the app's own not while a request's answer is being shown (`hold`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked: deque[Job] = deque()
        self._background: deque[Job] = deque()
        self._held = 0       # requests asked whose answers are not shown yet
        self._skipped = 0    # wakes that found only held background work

    def put(self, job: Job, background: bool, barrier: bool) -> int:
        """Queue `job`; the wakes to give besides its own (a barrier makes held background
        work asked: the wakes it found held are due now)."""
        with self._lock:
            skipped = 0
            if barrier:
                self._asked.extend(self._background)
                self._background.clear()
                skipped, self._skipped = self._skipped, 0
            (self._background if background else self._asked).append(job)
            return skipped

    def take(self) -> Job | None:
        with self._lock:
            if self._asked:
                return self._asked.popleft()
            if not self._background:
                return None
            if self._held:
                self._skipped += 1
                return None
            return self._background.popleft()

    def hold(self) -> None:
        with self._lock:
            self._held += 1

    def release(self) -> int:
        """One request's answer shown; the wakes to give again if nothing is held now."""
        with self._lock:
            self._held -= 1
            if self._held:
                return 0
            skipped, self._skipped = self._skipped, 0
            return skipped


class _Worker(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, lanes: _Lanes) -> None:
        super().__init__()
        self.session: Session | None = None
        self._lanes = lanes

    @Slot()
    def next_job(self) -> None:
        """One wake per job submitted; each runs the most urgent job waiting."""
        job = self._lanes.take()
        if job is not None:
            self.run(*job)

    def run(self, op_id: int, fn: Callable[[_Worker], Any]) -> None:
        try:
            result = fn(self)
        except WorkbookError as exc:
            self.failed.emit(op_id, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown as one line, never with content
            self.failed.emit(op_id, f"Something went wrong ({exc.__class__.__name__}); nothing "
                                    "more was changed.")
            return
        self.done.emit(op_id, result)


class Operations(QObject):
    """The GUI's handle on the worker thread and the signed-in session."""

    submit = Signal()
    busy_changed = Signal(bool)
    signed_in = Signal(object)   # the SignedInPerson: identity only, never the Session
    locked = Signal()
    # Emitted on the GUI thread just before the lock is queued: a view with unsaved work
    # (a draft typed less than a second ago) queues its save now, so it runs before the lock.
    lock_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("workbook-worker")
        self._lanes = _Lanes()
        self._worker = _Worker(self._lanes)
        self._worker.moveToThread(self._thread)
        self.submit.connect(self._worker.next_job)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._callbacks: dict[int, tuple[Callback | None, ErrorCallback | None]] = {}
        self._asked: set[int] = set()   # requests whose answers hold background work
        self._ids = itertools.count(1)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.timeout.connect(lambda: self.busy_changed.emit(True))
        self._unpainted = 0   # answers shown whose repaint has not come yet
        self._paint_wait = QTimer(self)
        self._paint_wait.setSingleShot(True)
        self._paint_wait.timeout.connect(self._painted)
        self._thread.start()

    # --- running work ----------------------------------------------------------------------
    def run(self, fn: Callable[[Session], Any], on_done: Callback | None = None,
            on_error: ErrorCallback | None = None, *, background: bool = False) -> int:
        """Run `fn(session)` on the worker; callbacks run on the GUI thread. `background`
        work waits while anything a person asked for is waiting."""

        def with_session(worker: _Worker) -> Any:
            if worker.session is None or worker.session.closed:
                raise WorkbookError("the workbook is locked")
            return fn(worker.session)

        return self._submit(with_session, on_done, on_error, background=background)

    def sign_in(self, vault_dir: Path, username: str, passphrase: str,
                on_done: Callback | None = None, on_error: ErrorCallback | None = None) -> int:
        """Sign in on the worker; `on_done` gets a `SignedIn` (the Session stays there)."""

        def do(worker: _Worker) -> SignedIn:
            if worker.session is not None and not worker.session.closed:
                worker.session.lock()
            worker.session = sign_in(vault_dir, username, passphrase)
            worker.session.use_desktop_page_cache()
            return SignedIn.of(worker.session)

        def done(result: SignedIn) -> None:
            self.signed_in.emit(result.person)
            if on_done is not None:
                on_done(result)

        return self._submit(do, done, on_error, barrier=True)

    def lock(self, on_done: Callback | None = None) -> int:
        self.lock_requested.emit()

        def do(worker: _Worker) -> None:
            if worker.session is not None:
                worker.session.lock()
                worker.session = None

        def done(_: Any) -> None:
            self.locked.emit()
            if on_done is not None:
                on_done(None)

        return self._submit(do, done, None, barrier=True)

    def _submit(self, fn: Callable[[_Worker], Any], on_done: Callback | None,
                on_error: ErrorCallback | None, *, background: bool = False,
                barrier: bool = False) -> int:
        op_id = next(self._ids)
        self._callbacks[op_id] = (on_done, on_error)
        if not self._busy_timer.isActive():
            self._busy_timer.start(BUSY_AFTER_MS)
        if not background:
            self._asked.add(op_id)
            self._lanes.hold()
        for _ in range(1 + self._lanes.put((op_id, fn), background, barrier)):
            self.submit.emit()
        return op_id

    @Slot(int, object)
    def _on_done(self, op_id: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(op_id, (None, None))
        self._settle()
        try:
            if on_done is not None:
                on_done(result)
        finally:
            self._shown(op_id)

    @Slot(int, str)
    def _on_failed(self, op_id: int, message: str) -> None:
        _, on_error = self._callbacks.pop(op_id, (None, None))
        self._settle()
        try:
            if on_error is not None:
                on_error(message)
        finally:
            self._shown(op_id)

    def _shown(self, op_id: int) -> None:
        """A request's callback has run: background work may go on once the window has
        painted what it changed. A zero timer alone fired before that paint in two opens of
        three (the paint is a low-priority posted event), so the first paint shared the
        interpreter with a background step after all."""
        if op_id not in self._asked:
            return
        self._asked.discard(op_id)
        self._unpainted += 1
        if self._unpainted == 1:
            app = QCoreApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self._paint_wait.start(PAINT_WAIT_MS)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._unpainted and event.type() == QEvent.Type.Paint:
            self._painted()
        return False

    def _painted(self) -> None:
        """The window is painting (or nothing came to paint): release the answers shown so
        far once the event loop is back, after the paint."""
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._paint_wait.stop()
        shown, self._unpainted = self._unpainted, 0
        QTimer.singleShot(0, self, lambda: self._release(shown))

    def _release(self, shown: int) -> None:
        for _ in range(shown):
            for _ in range(self._lanes.release()):
                self.submit.emit()

    def _settle(self) -> None:
        if not self._callbacks:
            self._busy_timer.stop()
            self.busy_changed.emit(False)

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def shutdown(self) -> None:
        """Lock and stop the worker; called when the application quits. Blocks (briefly) until
        the session is locked, so no key outlives the window."""
        self.lock_requested.emit()
        finished = threading.Event()

        def lock_now(worker: _Worker) -> None:
            try:
                if worker.session is not None:
                    worker.session.lock()
                    worker.session = None
            finally:
                finished.set()

        self._submit(lock_now, None, None, barrier=True)
        finished.wait(10)
        self._thread.quit()
        self._thread.wait(5000)
