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
"changed" time or a conflict; the family view verifies everything before it shows it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date

from workbook.domain.history import record_state
from workbook.domain.roles import Role, Section
from workbook.services.clock import civil_date
from workbook.services.record_codec import RecordVersion, open_row
from workbook.services.session import Session
from workbook.services.supervision_board import DueFamily, LimitRow, board
from workbook.services.time_limits import AT_RISK, BREACHED
from workbook.vault import accounts, meta, version_store

IDLE_LOCK_KEY = "idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 5
MAX_IDLE_MINUTES = 240
RECENT_LIMIT = 12
CASE_OWNER = "case owner"
PLAN_ACTION = "plan action"
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
    families: list[HomeFamily]  # every family this person can read, by name
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
    """Minutes of inactivity before the app locks (vault setting, default 5, at most 240)."""
    raw = meta.get_text(session.conn, IDLE_LOCK_KEY, str(DEFAULT_IDLE_MINUTES)).strip()
    try:
        minutes = int(raw)
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    if minutes < 1:
        return DEFAULT_IDLE_MINUTES
    return min(minutes, MAX_IDLE_MINUTES)


# --- the two steps ------------------------------------------------------------------------
def _readable(session: Session, section: str) -> bool:
    return session.role is not Role.ADMIN and not session.must_replace_passphrase \
        and session.records.can_read(section)


def family_overview(session: Session) -> HomeOverview:
    """The first, quick step: every family I can read, and mine as case owner. Plan actions
    (`action_overview`) add the families where I own an action, and my overdue actions."""
    if session.role is Role.ADMIN:
        return HomeOverview([], [], [], ADMIN_NOTE)
    household = Section.HOUSEHOLD.value
    if not _readable(session, household):
        return HomeOverview([], [], [], NO_KEYS_NOTE)
    names = {u.user_id: u.username for u in accounts.all_users(session.conn)}
    families = []
    for version in _heads(session, "family", household).values():
        p = version.payload
        if p.get("deleted"):
            continue
        owned = p.get("case_owner") == session.user_id
        families.append(HomeFamily(
            version.family_id, str(p.get("name", "")), str(p.get("reference", "")),
            str(p.get("status", "open")), names.get(str(p.get("case_owner", "")), ""),
            CASE_OWNER if owned else ""))
    families.sort(key=_by_name)
    return HomeOverview(families, [f for f in families if f.mine], [])


def action_overview(session: Session, first: HomeOverview,
                    today: date | None = None) -> HomeOverview:
    """The second step: my open actions whose due date has passed (most overdue first), and
    "my families" widened to those where I own an open plan action."""
    plan = Section.PLAN.value
    if not first.families or not _readable(session, plan):
        return first
    today = today or civil_date(session.clock())
    families = {f.family_id: f for f in first.families}
    overdue: list[HomeAction] = []
    with_my_actions: set[str] = set()
    for action in _heads(session, "action", plan).values():
        p = action.payload
        family = families.get(action.family_id)
        if p.get("owner") != session.user_id or p.get("deleted") or family is None:
            continue
        status = str(p.get("status", "open"))
        if status != "open":
            continue
        with_my_actions.add(action.family_id)
        days = _days_overdue(str(p.get("due", "")), today)
        if days > 0:
            overdue.append(HomeAction(action.record_id, action.family_id, family.name,
                                      str(p.get("text", "")), str(p.get("due", "")),
                                      status, days))
    overdue.sort(key=lambda a: (a.due, a.family_name.casefold(), a.action_id))
    mine = []
    for family in first.families:
        why = " and ".join(w for w, yes in ((CASE_OWNER, family.mine == CASE_OWNER),
                                             (PLAN_ACTION, family.family_id in with_my_actions))
                           if yes)
        if why:
            mine.append(replace(family, mine=why))
    return HomeOverview(first.families, mine, overdue, first.note)


def overview(session: Session, today: date | None = None) -> HomeOverview:
    """Families I can read; mine (case owner, or owner of an open plan action in it); my
    open actions whose due date has passed. Both steps in one call."""
    return action_overview(session, family_overview(session), today)


def activity(session: Session, families: list[HomeFamily],
             limit: int = RECENT_LIMIT) -> HomeActivity:
    """Recently changed families (newest readable version first) and families with records in
    conflict, among `families` (those the overview found readable)."""
    if not families:
        return HomeActivity([], [])
    known = {f.family_id: f for f in families}
    readable = {s.value for s in session.records.readable_sections()}
    keys = session.keys
    newest: dict[str, str] = {}
    # Most records have one version: keep just its id, and sets only for records with more.
    single: dict[str, str] = {}
    several: dict[str, tuple[str, set[str], set[str]]] = {}
    tags: dict[str, dict[bytes, tuple[str, int]]] = {}
    for kind in KINDS:
        for row in version_store.headers_of_kind(session.conn, kind):
            if row.family_id not in known or row.sealed or row.section_tag is None:
                continue
            family_tags = tags.get(row.family_id)
            if family_tags is None:
                family_tags = keys.tags_for_family(row.family_id)
                tags[row.family_id] = family_tags
            found = family_tags.get(row.section_tag)
            if found is None or found[0] not in readable:
                continue
            if row.created_at > newest.get(row.family_id, ""):
                newest[row.family_id] = row.created_at
            record = row.record_id
            if record not in several and record not in single and row.parents == "[]":
                single[record] = row.version_id
                continue
            if record not in several:
                first = single.pop(record, None)
                several[record] = (row.family_id, {first} if first else set(), set())
            _fid, ids, parents = several[record]
            ids.add(row.version_id)
            if row.parents != "[]":
                parents.update(json.loads(row.parents))
    changed = sorted(newest.items(), key=lambda item: (item[1], item[0]), reverse=True)
    recent = [ChangedFamily(fid, known[fid].name, known[fid].reference, at)
              for fid, at in changed[:limit]]
    in_conflict: dict[str, int] = {}
    for fid, ids, parents in several.values():
        if len(ids - parents) > 1:
            in_conflict[fid] = in_conflict.get(fid, 0) + 1
    conflicts = [ConflictFamily(fid, known[fid].name, known[fid].reference, count)
                 for fid, count in in_conflict.items()]
    conflicts.sort(key=lambda c: (c.name.casefold(), c.family_id))
    return HomeActivity(recent, conflicts)


def home_summary(session: Session, today: date | None = None,
                 limit: int = RECENT_LIMIT) -> HomeSummary:
    """Both steps in one call (tests, the command line)."""
    first = overview(session, today)
    second = activity(session, first.families, limit)
    return HomeSummary(first.my_families, first.overdue_actions, second.recently_changed,
                       second.conflicts, note=first.note)


# --- helpers ------------------------------------------------------------------------------
def _heads(session: Session, kind: str, section: str) -> dict[str, RecordVersion]:
    """The newest head of every record of `kind` in `section`, decrypted and verified."""
    opened: dict[str, list[RecordVersion]] = {}
    tags: dict[str, dict[bytes, tuple[str, int]]] = {}
    session.trust.verified.load_kind(session.conn, kind)  # signatures checked at an earlier sign-in
    for row in version_store.of_kind(session.conn, kind):
        family_tags = tags.get(row.family_id)
        if family_tags is None:
            family_tags = session.keys.tags_for_section(section, row.family_id)
            tags[row.family_id] = family_tags
        version = open_row(row, session.keys, session.trust, family_tags)
        if version is not None and version.section == section:
            opened.setdefault(version.record_id, []).append(version)
    out = {}
    for record_id, items in opened.items():
        state = record_state(record_id, items)
        out[record_id] = next(v for v in items if v.version_id == state.heads[-1])
    return out


def _days_overdue(due: str, today: date) -> int:
    try:
        return (today - date.fromisoformat(due)).days
    except ValueError:
        return 0


def _by_name(family: HomeFamily) -> tuple[str, str]:
    return (family.name.casefold(), family.family_id)


@dataclass(frozen=True)
class HomeDeadlines:
    """Of my families: those due for review this month, and time limits at risk or breached.
    The whole unit's are on the supervisor's board."""

    due_for_review: list[DueFamily]
    time_limits: list[LimitRow]


def deadlines(session: Session, mine: list[HomeFamily]) -> HomeDeadlines:
    """The supervisor's board narrowed to my families. The board comes from this person's
    digest (services/board_digest.py), so this costs what the board costs - well under a
    second, and far less memory than reading my families' versions would; nothing for the
    administrator or before keys are there."""
    if session.role is Role.ADMIN or session.must_replace_passphrase or not mine:
        return HomeDeadlines([], [])
    chosen = {f.family_id for f in mine}
    result = board(session)
    return HomeDeadlines([f for f in result.due_families if f.family_id in chosen],
                         [t for t in result.time_limits
                          if t.family_id in chosen and t.state in (AT_RISK, BREACHED)])
