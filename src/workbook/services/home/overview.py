"""What the home screen shows after sign-in (issue 3, "Home"): my families, my overdue actions,
recently changed families and families with conflicts to resolve, all from what this person
can read; plus the idle-lock setting of the vault.

"Due for review" and "time limits at risk" need supervision records and time-limit rules that
come later; the summary carries them as empty lists so the screen can show labelled panels.

Three steps, so that the home screen appears quickly and fills in: `family_overview` (the
families, decrypted and verified; mine as case owner), `action_overview` (plan actions: my
overdue ones, and families where I own one) and `activity` (recently changed, conflicts).
`activity` reads only the clear headers of the versions (time, parents, section tag), never
their content: a row counts only if its section tag is one this person can compute for a
section the policy lets them read, so restricted sections never make a family look recently
changed to someone who cannot read them (sealed-envelope rows, whose section is hidden, are not
counted). Headers are not signed on their own, so a holder of the database key could fake a
"changed" time or a conflict; the family view verifies everything before it shows it.

Closed families (by their verified head) are not anybody's work: they are in the list of
families (`families.all`) and search, not on home, and their actions and activity are not
read; home's first step does not even make a row of them. When they are
most of the vault (a county's ten years, issue 19), the second and third steps read only the
open families' rows (`_only`), so they cost what is open, not what was ever kept."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from workbook.domain.acts import Act
from workbook.domain.history import record_state
from workbook.domain.policy import DEFAULT_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES
from workbook.domain.roles import Section
from workbook.domain.timescales import days_overdue
from workbook.services import collector
from workbook.services.clock import civil_date
from workbook.services.family.time_limits import AT_RISK, BREACHED
from workbook.services.home import my_actions
from workbook.services.supervision import board_digest
from workbook.services.supervision.board import DueFamily, LimitRow, board
from workbook.vault import accounts, version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

IDLE_LOCK_KEY = "idle_lock_minutes"  # the old plain setting: ignored since issue 12
DEFAULT_IDLE_MINUTES = DEFAULT_IDLE_LOCK_MINUTES
MAX_IDLE_MINUTES = MAX_IDLE_LOCK_MINUTES
RECENT_LIMIT = 12
CASE_OWNER = "case owner"
PLAN_ACTION = "plan action"
CLOSED = "closed"
KINDS = ("family", "person", "entry", "action", "review")

ADMIN_NOTE = ("The administrator's account manages accounts and devices and reads no case "
              "records, so no families are shown here.")
NO_KEYS_NOTE = ("You do not hold the household key yet, so no families are shown. A colleague "
                "who holds it approves your access once you have read them your fingerprint.")


@dataclass(frozen=True)
class HomeFamily:
    """A family on the home screen."""

    family_id: str
    name: str
    reference: str
    status: str
    case_owner: str  # username
    mine: str = ""  # why it is in "my families": "case owner", "plan action" or both


@dataclass(frozen=True)
class HomeAction:
    """One of my plan actions."""

    action_id: str
    family_id: str
    family_name: str
    text: str
    due: str  # ISO date
    status: str
    days_overdue: int


@dataclass(frozen=True)
class ChangedFamily:
    family_id: str
    name: str
    reference: str
    changed_at: str  # ISO timestamp (UTC) of the newest version this person can read


@dataclass(frozen=True)
class ConflictFamily:
    family_id: str
    name: str
    reference: str
    records: int  # how many records have more than one current version


@dataclass
class HomeOverview:
    families: list[HomeFamily]  # every open family this person can read, by name
    my_families: list[HomeFamily]
    overdue_actions: list[HomeAction]
    note: str = ""


@dataclass
class HomeActivity:
    recently_changed: list[ChangedFamily]
    conflicts: list[ConflictFamily]


@dataclass
class HomeSummary:
    my_families: list[HomeFamily]
    overdue_actions: list[HomeAction]
    recently_changed: list[ChangedFamily]
    conflicts: list[ConflictFamily]
    due_for_review: list[HomeFamily] = field(default_factory=list)
    time_limits_at_risk: list[HomeFamily] = field(default_factory=list)
    note: str = ""


# --- settings -----------------------------------------------------------------------------
def idle_lock_minutes(session: Session) -> int:
    """Minutes of inactivity before the app locks: from the signed policy ([session], 1 to 30,
    default 5). `meta.idle_lock_minutes` is a plain row anyone signed in can rewrite, so it is
    ignored: it cannot keep a screen unlocked longer (nor, planted, shorter)."""
    return session.policy.idle_lock_minutes


# --- the two steps ------------------------------------------------------------------------
def readable(session: Session, section: str) -> bool:
    """Whether home may read `section` for this person (never the administrator)."""
    return session.may(Act.CASEWORK) and not session.must_replace_passphrase \
        and session.records.can_read(section)


def family_overview(session: Session) -> HomeOverview:
    """The first, quick step: every open family I can read, and mine as case owner. Plan actions
    (`action_overview`) add the families where I own an action, and my overdue actions."""
    if not session.may(Act.CASEWORK):
        return HomeOverview([], [], [], ADMIN_NOTE)
    household = Section.HOUSEHOLD.value
    if not readable(session, household):
        return HomeOverview([], [], [], NO_KEYS_NOTE)
    names = {u.user_id: u.username for u in accounts.all_users(session.conn)}
    # The families' list kept per person (services/family/family_list.py): a sign-in decrypts
    # one blob and folds in what changed, rather than every family record of ten years. The
    # closed ones (most of a vault that keeps ten years) are not even parsed: they are left
    # to the list of families and search.
    families = []
    with collector.paused():
        for f, owner in session.families.open_with_owners():
            families.append(HomeFamily(f.family_id, f.name, f.reference, f.status,
                                       names.get(owner, ""),
                                       CASE_OWNER if owner == session.user_id else ""))
    return HomeOverview(families, [f for f in families if f.mine], [])


def action_overview(session: Session, first: HomeOverview,
                    today: date | None = None) -> HomeOverview:
    """The second step: my open actions whose due date has passed (most overdue first), and
    "my families" widened to those where I own an open plan action - from the board digest I
    keep, else from the open families' action versions (services/home/my_actions.py)."""
    plan = Section.PLAN.value
    if not first.families or not readable(session, plan):
        return first
    today = today or civil_date(session.clock())
    heads = my_actions.from_digest(session, today)
    if heads is None:
        heads = record_heads(session, "action", plan, my_actions.my_open_action(session),
                             _only(session, _open(first.families)))
    return with_my_actions(first, heads, today)


def with_my_actions(first: HomeOverview, heads: dict[str, tuple[str, tuple[str, ...]]],
                    today: date) -> HomeOverview:
    """`first` with my overdue actions and my families widened, from the heads of my open
    actions (record id -> (family id, (text, due))): from the digest, or read at once or a few
    families a step."""
    families = _open(first.families)
    overdue: list[HomeAction] = []
    with_actions: set[str] = set()
    mine = []
    # Tens of thousands of small objects made beside a freshly loaded digest: the collector's
    # passes over that heap cost more than the work (harsh 20,000: 180-460 ms, 13 at 2,000).
    with collector.paused():
        for record_id, (family_id, (text, due)) in heads.items():
            family = families.get(family_id)
            if family is None:
                continue
            with_actions.add(family_id)
            days = days_overdue(due, today)
            if days > 0:
                overdue.append(HomeAction(record_id, family_id, family.name, text, due, "open",
                                          days))
        overdue.sort(key=lambda a: (a.due, a.family_name.casefold(), a.action_id))
        for f in first.families:
            why = " and ".join(w for w, yes in ((CASE_OWNER, f.mine == CASE_OWNER),
                                                 (PLAN_ACTION, f.family_id in with_actions))
                               if yes)
            if why:
                mine.append(HomeFamily(f.family_id, f.name, f.reference, f.status,
                                       f.case_owner, why))
    return HomeOverview(first.families, mine, overdue, first.note)


def overview(session: Session, today: date | None = None) -> HomeOverview:
    """Families I can read; mine (case owner, or owner of an open plan action in it); my
    open actions whose due date has passed. Both steps in one call."""
    return action_overview(session, family_overview(session), today)


def activity(session: Session, families: list[HomeFamily],
             limit: int = RECENT_LIMIT) -> HomeActivity:
    """Recently changed families (newest readable version first) and families with records in
    conflict, among `families` (those the overview found readable)."""
    known = _open(families)
    if not known:
        return HomeActivity([], [])
    count = ActivityCount(session, known)
    for headers, edited in _activity_headers(session, _only(session, known)):
        count.add(headers, edited)
    return count.result(limit)


class ActivityCount:
    """What `activity` finds, counted from headers as they are read - a kind at a time, or a
    few hundred families at a time (services/home/steps.py): a family's newest
    version and a record's conflict are decided by that family's own headers."""

    def __init__(self, session: Session, known: dict[str, HomeFamily]) -> None:
        self.known = known
        self._readable = {s.value for s in session.records.readable_sections()}
        self._keys = session.keys
        self._tags: dict[str, dict[bytes, tuple[str, int]]] = {}
        self._newest: dict[str, str] = {}
        self._several: dict[str, tuple[str, set[str], set[str]]] = {}

    def _counts(self, row: version_store.VersionHeader) -> bool:
        if row.family_id not in self.known or row.sealed or row.section_tag is None:
            return False
        family_tags = self._tags.get(row.family_id)
        if family_tags is None:
            family_tags = self._keys.tags_for_family(row.family_id)
            self._tags[row.family_id] = family_tags
        found = family_tags.get(row.section_tag)
        return found is not None and found[0] in self._readable

    def add(self, headers: Iterable[version_store.VersionHeader],
            edited: Iterable[version_store.VersionHeader]) -> None:
        """Conflicts need the versions of edited records only (a record is only ever created
        once, by one version without parents): an index holds just those, so the headers of
        the hundred thousand records never edited are streamed past without being kept."""
        newest, several = self._newest, self._several
        for row in headers:
            if self._counts(row) and row.created_at > newest.get(row.family_id, ""):
                newest[row.family_id] = row.created_at
        for row in edited:
            if not self._counts(row):
                continue
            _fid, ids, parents = several.setdefault(row.record_id, (row.family_id, set(), set()))
            ids.add(row.version_id)
            if row.parents != "[]":
                parents.update(json.loads(row.parents))

    def result(self, limit: int = RECENT_LIMIT) -> HomeActivity:
        known = self.known
        changed = sorted(self._newest.items(), key=lambda item: (item[1], item[0]), reverse=True)
        recent = [ChangedFamily(fid, known[fid].name, known[fid].reference, at)
                  for fid, at in changed[:limit]]
        in_conflict: dict[str, int] = {}
        for fid, ids, parents in self._several.values():
            if len(ids - parents) > 1:
                in_conflict[fid] = in_conflict.get(fid, 0) + 1
        conflicts = [ConflictFamily(fid, known[fid].name, known[fid].reference, count)
                     for fid, count in in_conflict.items()]
        conflicts.sort(key=lambda c: (c.name.casefold(), c.family_id))
        return HomeActivity(recent, conflicts)


def _activity_headers(session: Session, only: list[str] | None) -> Iterator[
        tuple[Iterable[version_store.VersionHeader], Iterable[version_store.VersionHeader]]]:
    """(every header, headers of the records with more than one version) per kind read: a
    pass over each kind's index, or, for `only` these families, their own headers once (the
    records with one version among them are then counted as they are: one head)."""
    if only is None:
        for kind in KINDS:
            yield (version_store.headers_of_kind(session.conn, kind),
                   version_store.headers_of_edited(session.conn, kind))
        return
    rows = [r for r in version_store.headers_of_families(session.conn, only) if r.kind in KINDS]
    yield rows, rows


def home_summary(session: Session, today: date | None = None,
                 limit: int = RECENT_LIMIT) -> HomeSummary:
    """Both steps in one call (tests, the command line)."""
    first = overview(session, today)
    second = activity(session, first.families, limit)
    return HomeSummary(first.my_families, first.overdue_actions, second.recently_changed,
                       second.conflicts, note=first.note)


# --- helpers ------------------------------------------------------------------------------
class _Head(NamedTuple):
    """What a home step keeps of one decrypted version: enough to find the record's head,
    and the few fields it shows (`picked`; None when the step has no use for the version).
    The version's whole payload is dropped as soon as it is read."""

    version_id: str
    parents: tuple[str, ...]
    created_at: str
    family_id: str
    picked: tuple[str, ...] | None


def _open(families: list[HomeFamily]) -> dict[str, HomeFamily]:
    return {f.family_id: f for f in families if f.status != CLOSED}


def _only(session: Session, chosen: dict[str, HomeFamily]) -> list[str] | None:
    """The chosen families' ids when they are at most half of all the person can read, open
    and closed (read a family at a time), else None (one pass over the kind is quicker)."""
    return list(chosen) if len(chosen) * 2 <= session.families.count() else None


def record_heads(session: Session, kind: str, section: str,
           pick: Callable[[dict[str, Any]], tuple[str, ...] | None],
           families: list[str] | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The newest head of every record of `kind` in `section` (in `families` only, if given),
    decrypted and verified: record id -> (family id, what `pick` took from it); records whose
    head `pick` has no use for are left out."""
    opened: dict[str, list[_Head]] = {}
    # Signatures checked at an earlier sign-in: the receipts of what is read, the kind's
    # across the vault or the chosen families' own (not ten years of closed families').
    if families is None:
        session.trust.verified.load_kind(session.conn, kind)
        rows: Iterable[version_store.VersionRow] = version_store.of_kind(session.conn, kind)
    else:
        session.trust.verified.load_families(session.conn, families, kind)
        rows = version_store.of_families_kind(session.conn, families, kind)
    for version in session.records.open_each(rows, section=section):
        opened.setdefault(version.record_id, []).append(_Head(
            version.version_id, version.parents, version.created_at, version.family_id,
            pick(version.payload)))
    out = {}
    for record_id, items in opened.items():
        head = items[0]
        if len(items) > 1:
            newest = record_state(record_id, items).heads[-1]
            head = next(v for v in items if v.version_id == newest)
        if head.picked is not None:
            out[record_id] = (head.family_id, head.picked)
    return out


@dataclass(frozen=True)
class HomeDeadlines:
    """Of my families: those due for review this month, and time limits at risk or breached.
    The whole unit's are on the supervisor's board."""

    due_for_review: list[DueFamily]
    time_limits: list[LimitRow]
    people: dict[str, str] = field(default_factory=dict)  # username -> full name


def deadlines_work(session: Session, mine: list[HomeFamily]
                   ) -> board_digest.Load | board_digest.Rebuild | None:
    """What the board digest needs before `deadlines` reads in one short job - read back
    from its stored pages (a sign-in), or built again (a first sign-in, new keys, a
    disposal) - or None: the GUI steps it on its worker, asking again once it is done, so
    that a family opened meanwhile waits for one step, not seconds (issue 19)."""
    if not session.may(Act.CASEWORK) or session.must_replace_passphrase or not mine:
        return None
    return board_digest.work_needed(session)


def deadlines(session: Session, mine: list[HomeFamily]) -> HomeDeadlines:
    """The supervisor's board narrowed to my families. The board comes from this person's
    digest (services/supervision/board_digest.py), so this costs what the board costs - well under a
    second, and far less memory than reading my families' versions would; nothing for the
    administrator or before keys are there."""
    if not session.may(Act.CASEWORK) or session.must_replace_passphrase or not mine:
        return HomeDeadlines([], [])
    chosen = {f.family_id for f in mine}
    result = board(session)
    return HomeDeadlines([f for f in result.due_families if f.family_id in chosen],
                         [t for t in result.time_limits
                          if t.family_id in chosen and t.state in (AT_RISK, BREACHED)],
                         result.people)
