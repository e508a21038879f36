"""How the board's digest (services/supervision/board_digest.py) reads records: which heads to
open from the clear header index, opening them through the one read rule, and folding in the
versions logged since - a closed family leaving, a reopened one read back whole (decisions 0004
and 0011). Kept apart from the digest's storage and keys so that each stays readable."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from workbook.domain.history import HistoryPoint, head_ids
from workbook.domain.roles import Section
from workbook.services.authority import RecordVersion
from workbook.services.family.milestones import MILESTONES
from workbook.services.family.time_limits import CLOCK_STEPS, STEPS_SECTION
from workbook.services.supervision import digest_closed, digest_visits
from workbook.vault import version_store
from workbook.vault.version_store import VersionHeader

if TYPE_CHECKING:
    from workbook.services.session import Session
    from workbook.services.supervision.board_digest import BoardDigest

KINDS = ("family", "review", "action", "entry")
CLOSED_ACTION = ("done", "cancelled")
# Above this many heads of a kind to open, load the kind's receipts first (a rebuild). Fewer
# are mostly versions this person has never read, for which receipts cannot help: checking
# their signatures costs less than loading 20,000 receipts.
OPEN_WITH_RECEIPTS = 1000

# One record in the digest: [family id, head section, facts, first written (families only)].
# facts: what the board uses of the record's head (see `_facts`). Entries are kept only while
# they can start a time limit (a milestone, an urgent concern). A record's versions are not
# kept: when one is added, the record's headers are read again from the index (a few per
# family).
Rec = list[Any]
# Sections whose entries of one version may start a clock: milestones, the statutory steps.
CLOCK_SECTIONS = frozenset({Section.REFERRAL_ASSESSMENT.value, Section.CHANNEL.value,
                            STEPS_SECTION})
FAMILY, SECTION, FACTS, FIRST = range(4)
# In the digest's log (`BoardDigest.log`): a family some of whose entries left the digest
# unlogged (visits no clock needs, `digest_visits.drop_unneeded`).
ENTRIES_OF = "entries of"


@lru_cache(maxsize=8192)
def _parents(text: str) -> tuple[str, ...]:
    parsed = json.loads(text)
    if not isinstance(parsed, list):
        return ()
    return tuple(str(p) for p in parsed)


class Folder:
    """Finds the heads of records that gained versions and reads them into the digest."""

    def __init__(self, session: Session, digest: BoardDigest,
                 wanted: dict[str, frozenset[str]]) -> None:
        self.session = session
        self.digest = digest
        self.wanted = wanted
        self.everyday = wanted["entry"] - CLOCK_SECTIONS
        self.tags = session.records.family_tags()
        self._logging = False

    def _changed(self, kind: str, record_id: str | None) -> None:
        """A record of `kind` (None: any number of them) changed in the digest. While
        folding, logged, so that the board's kept parts work out again only what changed
        (services/supervision/board_parts.py); a build makes a new digest, worked out whole."""
        self.digest.changes[kind] += 1
        if self._logging:
            self.digest.log.append((kind, record_id))

    def _readable(self, h: VersionHeader) -> str | None:
        """The section of a header if the board reads it, else None."""
        sections = self.wanted.get(h.kind)
        if not sections or h.sealed:
            return None
        found = self.tags(h.family_id).get(h.section_tag or b"")
        return found[0] if found is not None and found[0] in sections else None

    def group(self, headers: Iterable[VersionHeader]
              ) -> dict[tuple[str, str], list[tuple[VersionHeader, str]]]:
        """From scratch: `headers` holds every version of the records it names."""
        grouped: dict[tuple[str, str], list[tuple[VersionHeader, str]]] = {}
        for h in headers:
            section = self._readable(h)
            if section is not None:
                grouped.setdefault((h.kind, h.record_id), []).append((h, section))
        return grouped

    def fold(self, new: Iterable[VersionHeader]) -> None:
        """Versions added since the digest was made. Family records first: a family that
        closed leaves the digest but for its history (`keep_history`), one that opened (or
        reopened) has all its records read. Then the other records of the open families; a
        closed family's are not read, unless its actions change its history."""
        self._logging = True
        try:
            self._fold_all(list(new))
        finally:
            self._logging = False

    def _fold_all(self, new: list[VersionHeader]) -> None:
        # What a few new versions touch, never a pass over every family: a fold after one
        # change costs that change on a vault of 20,000 open families (issue 19).
        families = self.digest.kinds["family"]
        changed = {h.family_id for h in new if h.kind == "family" and self._readable(h)}
        was_open = {fid for fid in changed if fid in families}
        self._fold([h for h in new if h.kind == "family"])
        opened = {fid for fid in changed
                  if fid in families and digest_closed.is_open(families[fid][FACTS])}
        history = self.digest.closed.families
        closing = {fid: history[fid][0] for fid in {h.family_id for h in new
                                                     if h.kind == "action"} if fid in history}
        for fid in changed:
            self.digest.closed.drop(fid)
            closing.pop(fid, None)
            if fid in opened:
                continue
            rec = families.pop(fid, None)
            day = None if rec is None else digest_closed.closing_day(rec[FACTS])
            if day is not None and digest_closed.counts_after(self.digest.anchor, day):
                closing[fid] = day
        self._forget((changed - opened) & was_open)
        reopened = opened - was_open
        if reopened:
            for kind, found in self.heads_to_open(self.group(self.headers_of(reopened))).items():
                if found:
                    self.open(kind, found)
            digest_visits.drop_unneeded(self.digest.kinds["entry"], STEPS_SECTION, reopened)
        self._fold([h for h in new if h.kind != "family" and h.family_id in families
                    and h.family_id not in reopened])
        if closing:
            actions: dict[str, Rec] = {}
            heads = self.heads_to_open(self.group(self.headers_of(closing, ("action",))))
            self.open("action", heads["action"], into=actions)
            self.keep_history(closing, actions)

    def _forget(self, family_ids: set[str]) -> None:
        """Families closed: their records leave the digest (one pass, however many)."""
        if not family_ids:
            return
        for kind in ("review", "action", "entry"):
            records = self.digest.kinds[kind]
            for record_id in [r for r, rec in records.items() if rec[FAMILY] in family_ids]:
                del records[record_id]
        for kind in KINDS:
            self._changed(kind, None)

    def split_families(self) -> tuple[set[str], dict[str, str]]:
        """After a build read every family record: the open ones stay; the others leave,
        and of those closed since the chart's first month, the day each closed."""
        families = self.digest.kinds["family"]
        closing: dict[str, str] = {}
        for fid in [fid for fid, rec in families.items()
                    if not digest_closed.is_open(rec[FACTS])]:
            day = digest_closed.closing_day(families.pop(fid)[FACTS])
            if day is not None and digest_closed.counts_after(self.digest.anchor, day):
                closing[fid] = day
        return set(families), closing

    def headers_of(self, family_ids: Iterable[str],
                   kinds: Iterable[str] = ("review", "action", "entry")
                   ) -> Iterator[VersionHeader]:
        """The headers of these kinds in these families the board may need: every version
        of their families, reviews and actions; of their entries, those of the sections
        where one version may start a clock, and the edited ones (urgent marks, responses)."""
        ids = sorted(family_ids)
        conn = self.session.conn
        for kind in kinds:
            sections = self.wanted[kind]
            everyday = self.everyday if kind == "entry" else frozenset()
            tags = [tag for fid in ids for tag, (s, _e) in self.tags(fid).items()
                    if s in sections and s not in everyday]
            if tags:
                yield from version_store.headers_of_tags(conn, kind, tags)
            edited = [tag for fid in ids for tag, (s, _e) in self.tags(fid).items()
                      if s in everyday]
            if edited:
                yield from version_store.headers_of_edited_tags(conn, kind, edited)

    def keep_history(self, closing: dict[str, str], actions: dict[str, Rec]) -> None:
        """The chart's part of each closed family (id -> closing day), from its actions."""
        by_family: dict[str, list[list[Any]]] = {fid: [] for fid in closing}
        for rec in actions.values():
            if rec[FAMILY] in by_family:
                by_family[rec[FAMILY]].append(rec[FACTS])
        for fid, day in closing.items():
            self.digest.closed.put(fid, day, digest_closed.overdue_by_month(
                by_family[fid], day, self.digest.anchor))
        if closing:
            self._changed("action", None)

    def _fold(self, new: list[VersionHeader]) -> None:
        """Their records' headers are read again (every epoch's tag of the section, in the
        family) and their heads worked out again."""
        if not new:
            return
        touched: dict[tuple[str, str], VersionHeader] = {}
        for h in new:
            if self._readable(h) is not None:
                touched[(h.kind, h.record_id)] = h
        by_kind: dict[str, set[bytes]] = {}
        for (kind, _record_id), h in touched.items():
            section = self.tags(h.family_id)[h.section_tag or b""][0]
            by_kind.setdefault(kind, set()).update(
                tag for tag, (s, _e) in self.tags(h.family_id).items() if s == section)
        grouped: dict[tuple[str, str], list[tuple[VersionHeader, str]]] = {}
        for kind, tags in by_kind.items():
            for h in version_store.headers_of_tags(self.session.conn, kind, sorted(tags)):
                key = (kind, h.record_id)
                readable = self._readable(h) if key in touched else None
                if readable is not None:
                    grouped.setdefault(key, []).append((h, readable))
        for key in touched:
            if key not in grouped:  # gone since it was logged (a disposal): nothing to read
                self.digest.kinds[key[0]].pop(key[1], None)
                self._changed(*key)
        entries = self.digest.kinds["entry"]
        before = digest_visits.with_conference(entries, STEPS_SECTION)
        for kind, heads in self.heads_to_open(grouped).items():
            if heads:
                self.open(kind, heads)
        gained = digest_visits.with_conference(entries, STEPS_SECTION) - before
        if gained:
            self._reread_case_notes(gained)
        families = {h.family_id for h in touched.values()}
        if digest_visits.drop_unneeded(entries, STEPS_SECTION, families):
            self.digest.changes["entry"] += 1
            self.digest.log.extend((ENTRIES_OF, family_id) for family_id in families)

    def _reread_case_notes(self, families: set[str]) -> None:
        """Families with their first conference: their visits (dropped while they had none)
        are read again, as the clocks after a conference need them."""
        tags = sorted(tag for fid in families for tag, (s, _e) in self.tags(fid).items()
                      if s == STEPS_SECTION)
        grouped: dict[tuple[str, str], list[tuple[VersionHeader, str]]] = {}
        for h in version_store.headers_of_tags(self.session.conn, "entry", tags):
            section = self._readable(h)
            if section is not None:
                grouped.setdefault(("entry", h.record_id), []).append((h, section))
        self.open("entry", self.heads_to_open(grouped)["entry"])

    def heads_to_open(self, grouped: dict[tuple[str, str], list[tuple[VersionHeader, str]]]
                      ) -> dict[str, dict[str, tuple[str, str, str]]]:
        """Each record's head to read (version id -> record id, family id, first written), by
        kind; records that no longer need one are dropped from the digest."""
        to_open: dict[str, dict[str, tuple[str, str, str]]] = {k: {} for k in KINDS}
        for (kind, record_id), versions in grouped.items():
            records = self.digest.kinds[kind]
            self._changed(kind, record_id)
            first = min(h.created_at for h, _s in versions)
            if len(versions) == 1:
                head, section = versions[0]
            else:
                unique = {h.version_id: (h, s) for h, s in versions}
                newest = head_ids([HistoryPoint(h.version_id, _parents(h.parents), h.created_at)
                                   for h, _s in unique.values()])[-1]
                head, section = unique[newest]
            if (kind == "entry" and len(versions) == 1 and section in self.everyday
                    and not _parents(head.parents)):
                records.pop(record_id, None)  # an everyday entry never edited: no time limit
                continue
            records.pop(record_id, None)
            to_open[kind][head.version_id] = (record_id, head.family_id, first)
        return to_open

    def open(self, kind: str, heads: dict[str, tuple[str, str, str]],
             into: dict[str, Rec] | None = None) -> None:
        """Read, decrypt and verify the heads (version id -> record id, family id, first
        written) and keep their facts (in the digest, or `into`)."""
        session = self.session
        if len(heads) > OPEN_WITH_RECEIPTS:
            # These families' receipts only: the kind's for the whole vault would be every
            # closed family's too (issue 19: 150 MB of a first build at 20,000 families).
            session.trust.verified.load_families(
                session.conn, {family_id for _r, family_id, _f in heads.values()}, kind)
        records = self.digest.kinds[kind] if into is None else into
        keys = sorted((fid, kind, vid) for vid, (_r, fid, _f) in heads.items())
        # Read a slice of rows at a time: a first build opens every case note of the vault,
        # and holding all their stored rows at once would pass the desktop's memory target.
        rows = (row for start in range(0, len(keys), OPEN_SLICE)
                for row in version_store.by_keys(session.conn, keys[start:start + OPEN_SLICE]))
        for version in session.records.open_each(rows, held=True):
            record_id, family_id, first = heads[version.version_id]
            facts = _facts(version, first)
            if kind == "entry" and not _may_start_a_limit(facts, version.section):
                continue
            records[record_id] = [family_id, version.section, facts,
                                  first if kind == "family" else ""]


OPEN_SLICE = 2000  # stored rows read and opened at a time


def _facts(version: RecordVersion, first_created: str) -> list[Any]:
    """What the board uses of a record's head, by kind: plain strings and flags."""
    p = version.payload
    deleted = bool(p.get("deleted"))
    if version.kind == "family":
        status = str(p.get("status", "open"))
        closed_on = "" if status == "open" else str(p.get("closed_at") or version.created_at)
        return [str(p.get("name", "")), str(p.get("reference", "")),
                str(p.get("case_owner", "")), status, deleted, closed_on[:10]]
    if version.kind == "review":
        return [str(p.get("status", "")), str(p.get("date")), str(p.get("next_review", "")),
                deleted]
    if version.kind == "action":
        return _action_facts(version, first_created)
    response = p.get("response")
    return [str(p.get("milestone", "")), str(p.get("date")), bool(p.get("urgent")),
            str(p.get("urgent_at")),
            str(response.get("at")) if isinstance(response, dict) else "", deleted,
            str(p.get("type", ""))]


def _may_start_a_limit(entry_facts: list[Any], section: str) -> bool:
    """Only milestones, urgent concerns and the statutory steps recorded as case notes
    (strategy discussion, conference, core group, visit) start or stop a time limit: other
    entries are not kept."""
    return (bool(entry_facts[2]) or entry_facts[0] in MILESTONES
            or (entry_facts[6] in CLOCK_STEPS and section == STEPS_SECTION))


# Where an action's facts hold what home reads of them (services/home/my_actions.py).
ACTION_DUE, ACTION_OPEN, ACTION_TEXT, ACTION_OWNER = 0, 3, 4, 5


def _action_facts(version: RecordVersion, first_created: str) -> list[Any]:
    """[due, closed on ("" while open), first written, still open, text, owner] as ISO dates,
    which compare as the dates do; [] for what the board does not count (no due date, or
    deleted)."""
    p = version.payload
    due = action_due(p)
    if due is None:
        return []
    closed = ""
    if not action_open(p):
        closed_on = _iso(p.get("closed_on"))
        closed = (closed_on.isoformat() if closed_on is not None
                  else date.fromisoformat(version.created_at[:10]).isoformat())
    created = date.fromisoformat(first_created[:10]).isoformat()
    return [due.isoformat(), closed, created, action_open(p),
            str(p.get("text", "")), str(p.get("owner", ""))]


def action_due(payload: dict[str, Any]) -> date | None:
    """An action's due date; None for one that counts nowhere (no due date, deleted). Home's
    plan actions read by the same rule, whether from the digest or from the versions."""
    due = _iso(payload.get("due"))
    return None if due is None or payload.get("deleted") else due


def action_open(payload: dict[str, Any]) -> bool:
    """Neither done nor cancelled."""
    return str(payload.get("status", "open")) not in CLOSED_ACTION


def _iso(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
