"""Home's loading: what fills the home page, in what order, on the worker (issue 3, "Home").

Home fills in as the worker reads: my families first (what "home loaded" means), then plan
actions, approvals waiting, recent changes and conflicts; search is built in steps, and the
deadlines (from the supervisor's board digest) follow it. After a change the overview is read
again. Every answer is dropped once `stop()` ran (a lock), so nothing of a previous person's
cases reaches the page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from workbook.services.home import overview as home
from workbook.services.home.deadlines import DeadlineSteps
from workbook.services.home.for_me import SealedSteps, my_drafts
from workbook.services.home.search import IndexBuilder
from workbook.services.home.steps import ActionSteps, ActivitySteps
from workbook.services.supervision import board_digest
from workbook.ui.epoch import Epoch
from workbook.ui.home_page import HomePage
from workbook.ui.models.approvals_model import section_text
from workbook.ui.operations import Operations

REFRESH_FACTS = frozenset({"family_added", "person_added", "person_edited", "entry_added",
                           "entry_edited", "action_added", "action_edited", "action_changed",
                           "conflict_resolved",
                           "assessment_saved", "bundle_received"})
INDEX_FACTS = frozenset({"family_added", "person_added", "person_edited", "bundle_received"})


class HomeLoader(QObject):
    """Runs home's service calls on the worker and hands the answers to the page."""

    home_loaded = Signal()  # home shows my families (as case owner); the rest follows
    actions_loaded = Signal()  # my overdue actions, and families where I own an action
    activity_loaded = Signal()  # recently changed and conflicts are on screen
    search_ready = Signal()
    deadlines_loaded = Signal()  # reviews due and time limits at risk are on screen

    def __init__(self, ops: Operations, page: HomePage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.page = page
        self.families: list[home.HomeFamily] = []
        self._epoch = Epoch()  # stopping home (a lock) drops older answers
        self._guard = self._epoch.guard
        self._active = False
        self._index_wanted = False
        self._index_running = False
        self._refresh_index = False
        self._closed_asked = False  # a search asked for the closed families a first sign-in
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(400)
        self._refresh_timer.timeout.connect(self._refresh)
        page.approve_requested.connect(self.approve)
        page.closed_wanted.connect(self.search_closed)
        page.action_finisher.set_runner(self._run)

    def _run(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
             on_error: Callable[[str], None] | None = None, background: bool = False) -> None:
        self.ops.run(fn, on_done=self._guard(on_done),
                     on_error=self._guard(on_error or self._on_error), background=background)

    def _later(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
               on_error: Callable[[str], None] | None = None) -> None:
        """Home's work after its first paint: it waits while a person's request is waiting."""
        self._run(fn, on_done, on_error, background=True)

    # --- starting and stopping -------------------------------------------------------------
    def start(self, messages: Sequence[str]) -> None:
        """The person has reached home: show what is loading and ask the worker for it."""
        self._epoch.advance()
        self._active = True
        self.page.begin_loading(messages)
        self._run(home.family_overview, self._on_families)
        self.build_index()

    def stop(self) -> None:
        """On lock: drop every answer still to come and forget what was read."""
        self._epoch.advance()
        self._active = False
        self.families = []
        self._index_running = self._index_wanted = self._closed_asked = False
        self._refresh_timer.stop()

    # --- the first load --------------------------------------------------------------------
    def _on_families(self, first: home.HomeOverview) -> None:
        self.page.set_overview(first, actions_known=False)
        self.families = first.families
        self.home_loaded.emit()
        families = list(first.families)
        self._stepped(lambda s: ActionSteps(s, first), self._on_actions)
        self._later(lambda s: s.grants.pending(), self.page.set_pending, lambda _m: None)
        self._load_activity(families)

    def _on_actions(self, overview: home.HomeOverview) -> None:
        self.page.set_overview(overview)
        self.actions_loaded.emit()

    def _stepped(self, start: Callable[[Any], Any], on_done: Callable[[Any], None]) -> None:
        """Work done a few hundred families a worker job (issue 19: on a vault of 20,000 open
        families one job took seconds, and a family opened meanwhile waited for it): `start`
        makes the steps (`done`, `step(session)`, `result`); `on_done` gets the result."""

        def work_out(steps: Any) -> None:
            if steps.done:
                on_done(steps.result)
                return
            self._later(steps.step, lambda _done: work_out(steps))

        self._later(start, work_out)

    def _load_activity(self, families: list[home.HomeFamily]) -> None:
        """Recent changes and conflicts (overview.activity), in steps."""
        self._stepped(lambda s: ActivitySteps(s, families), self._on_activity)

    def _on_activity(self, activity: home.HomeActivity) -> None:
        self.page.set_activity(activity)
        self.refresh_drafts()
        families = list(self.families)
        self._stepped(lambda s: SealedSteps(s, families), self.page.set_sealed)
        self.activity_loaded.emit()

    def refresh_drafts(self) -> None:
        """My drafts, read again (drafts are saved as people type, with no event)."""
        if not self._active or not self.families:
            return
        families = list(self.families)
        self._later(lambda s: my_drafts(s, families), self.page.set_drafts)

    def _load_deadlines(self) -> None:
        """Reviews due and time limits at risk of my families, from the supervisor's board
        (kept as a digest, so quick), on the worker."""
        mine = list(self.page.my_families_model.rows())

        def read(_done: object = None) -> None:
            self._stepped(lambda s: DeadlineSteps(s, mine), self._on_deadlines)

        def step(work: board_digest.Load | board_digest.Rebuild | None) -> None:
            if work is None:
                read()
                return
            self._later(work.step, lambda done: ask() if done else step(work))

        def ask() -> None:
            self._later(lambda s: home.deadlines_work(s, mine), step)

        ask()

    def _on_deadlines(self, deadlines: home.HomeDeadlines) -> None:
        self.page.set_deadlines(deadlines)
        self.deadlines_loaded.emit()

    def _on_error(self, message: str) -> None:
        self.page.note.setText(message)
        self.page.note.show()

    # --- search ----------------------------------------------------------------------------
    def build_index(self) -> None:
        """Search is built in steps on the worker, so opening a family never waits long.
        The closed families a first sign-in left unread are read only once a person
        searches (`search_closed`): until then the index covers the open ones."""
        if self._index_running:
            self._index_wanted = True
            return
        self._index_running = True
        self._index_wanted = False
        closed = self._closed_asked

        def step(builder: IndexBuilder) -> None:
            if builder.done:
                self._index_running = False
                # Shown even if a newer build follows: a search typed meanwhile has results.
                self.page.set_index(builder.index, builder.closed_waiting)
                if self._index_wanted:
                    self.build_index()
                    return
                self.search_ready.emit()
                self._load_deadlines()
                return
            self._later(builder.step, lambda _done: step(builder), self._index_failed)

        self._later(lambda s: IndexBuilder(s, closed=closed), step, self._index_failed)

    def search_closed(self) -> None:
        """A person searched while the index left closed families out: build it again with
        them (reading them, a few hundred a step), the open-only index answering meanwhile."""
        if self._closed_asked or not self._active:
            return
        self._closed_asked = True
        self.build_index()

    def _index_failed(self, message: str) -> None:
        self._index_running = False
        self.page.results_count.setText(f"Search is not available: {message}")

    # --- after a change --------------------------------------------------------------------
    def on_fact(self, name: str, _payload: dict[str, Any]) -> None:
        if not self._active or name not in REFRESH_FACTS:
            return
        self._refresh_index = self._refresh_index or name in INDEX_FACTS
        self._refresh_timer.start()

    def _refresh(self) -> None:
        """After a change: both steps at once, so "my families" does not shrink and grow."""
        if not self._active:
            return
        self._later(home.overview, self._on_refreshed)
        if self._refresh_index:
            self._refresh_index = False
            self.build_index()

    def _on_refreshed(self, overview: home.HomeOverview) -> None:
        self._on_actions(overview)
        self.families = overview.families
        families = list(overview.families)
        self._load_activity(families)
        if not self._index_running:
            self._load_deadlines()

    # --- approving a colleague -------------------------------------------------------------
    def approve(self, username: str, fingerprint: str) -> None:
        person = next((p.full_name for p in self.page.approvals_model.rows()
                       if p.username == username), "the colleague")

        def done(sections: list[str]) -> None:
            if sections:
                names = ", ".join(section_text(s) for s in sections)
                self.page.show_approval_result(
                    f"approved: {person} now holds the keys to {names}")
            else:
                self.page.show_approval_result(
                    f"{person}'s keys were certified; no section you hold was pending")
            self.ops.run(lambda s: s.grants.pending(), on_done=self._guard(self.page.set_pending))

        self._run(lambda s: s.grants.approve(username, fingerprint=fingerprint), done,
                  self.page.show_approval_result)
