"""Opening a family workbook: everything the signed-in person may read, verified, in a
deterministic shape that the CLI prints as JSON and the GUI shows. Reading a restricted section
is audited once per family opened, with the section's name sealed to that section (P7)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from workbook.domain.ids import FamilyId, RecordId, UserId, VersionId
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import RECORD_TYPES, Family
from workbook.domain.roles import Section
from workbook.domain.workbook import FamilyShown, FamilyWorkbook, Head, SectionContent, Shown
from workbook.services import validation
from workbook.services.audit.reads import RESTRICTED, audit_restricted_reads
from workbook.services.authority import RecordVersion
from workbook.services.errors import InvalidInput, NotFound
from workbook.services.family.families import heads_of
from workbook.services.family.records import group_by_record, malformed_as_tampering
from workbook.vault import accounts, audit_versions, version_store

if TYPE_CHECKING:
    from workbook.services.session import Session


class Workbooks:
    def __init__(self, session: Session) -> None:
        self.s = session
        self._names: dict[str, str] | None = None
        self._full_names: dict[str, str] | None = None

    def username(self, user_id: UserId | str) -> str:
        if self._names is None:
            self._names = {u.user_id: u.username for u in accounts.all_users(self.s.conn)}
        return self._names.get(user_id, user_id)

    def full_name(self, user_id: UserId | str) -> str:
        """A user id as the person's full name ("" for none; never the id)."""
        if self._full_names is None:
            self._full_names = {u.user_id: u.full_name or "a colleague"
                                for u in accounts.all_users(self.s.conn)}
        return self._full_names.get(user_id, "a former colleague") if user_id else ""

    def open(self, family_id: str, *, audit: bool = True) -> FamilyWorkbook:
        fid = FamilyId(validation.record_id(family_id, "family id"))
        self.s.require_practitioner()
        if not version_store.family_exists(self.s.conn, fid):
            raise NotFound(f"no family {fid} in this vault")
        versions = self.s.records.of_family(fid)
        readable = [s.value for s in self.s.records.readable_sections()]
        workbook = self._assemble(fid, versions, readable, self.audited(fid))
        if audit:
            self._audit_reads(fid, versions)
        return workbook

    def audited(self, family_id: str) -> set[str]:
        """The family's version ids that a write event names (one read of an index): any
        other version is shown as "not in the audit log" (`audit verify` names it)."""
        return audit_versions.audited_of_family(self.s.conn, family_id)

    def _assemble(
        self, family_id: FamilyId, versions: list[RecordVersion], readable: list[str],
        audited: set[str] | None = None,
    ) -> FamilyWorkbook:
        heads = _heads(versions)
        # Versions no write event names (usually none): the set is built once, in C.
        missing = set() if audited is None else {v.version_id for v in versions} - audited
        family = FamilyShown(family_id)
        found: dict[str, list[Shown[Any]]] = {s: [] for s in readable}
        for _record_id, record_heads in sorted(heads.items()):
            latest = record_heads[-1]
            if latest.payload.get("deleted") and len(record_heads) == 1:
                continue
            if latest.kind == RecordKind.FAMILY:
                record = Family.from_payload(latest.payload)
                owner = str(latest.payload.get("case_owner", ""))
                family = FamilyShown(
                    family_id, record, self.username(owner), len(record_heads) > 1,
                    family.unaudited or _unaudited(record_heads, missing),
                    self.full_name(owner))
                continue
            if latest.kind == RecordKind.TRANSFER:
                continue  # shown by `transfer show`; the sharing log's entry names it
            found.setdefault(latest.section, []).append(self._shown(latest, record_heads, missing))
        return FamilyWorkbook(family, {s: SectionContent.listing(items)
                                       for s, items in found.items()})

    def _shown(self, latest: RecordVersion, heads: list[RecordVersion],
               missing: set[str]) -> Shown[Any]:
        conflict = len(heads) > 1
        return Shown(
            RECORD_TYPES[latest.kind], self._public_payload(latest),
            RecordId(latest.record_id), VersionId(latest.version_id),
            self.username(latest.author), latest.created_at, latest.sealed,
            self._partner_team(latest.origin) if latest.origin else None, conflict,
            tuple(Head(RECORD_TYPES[h.kind], self._public_payload(h),
                       VersionId(h.version_id), self.username(h.author), h.created_at,
                       bool(missing) and h.version_id in missing)
                  for h in heads) if conflict else (),
            _unaudited(heads, missing))

    def _partner_team(self, vault_id: str) -> str:
        """"From <team>" for versions a partner vouched for (docs/bundle-format.md)."""
        if not hasattr(self, "_teams"):
            from workbook.services.sharing.partners import load_partners

            self._teams = {p.vault_id: p.team for p in load_partners(self.s).values()}
        return self._teams.get(vault_id, vault_id)

    def _public_payload(self, version: RecordVersion) -> dict[str, Any]:
        """The payload as the workbook shows it: an action's owner by username."""
        if version.kind == RecordKind.ACTION and "owner" in version.payload:
            payload = dict(version.payload)
            payload["owner"] = self.username(str(payload["owner"]))
            return payload
        return version.payload

    def _audit_reads(self, family_id: str, versions: list[RecordVersion], *,
                     opened: bool = True, audited: set[str] | None = None,
                     receipts: bool = True) -> set[str]:
        """Audit the opening (unless `opened` is False: a later part of one opening) and each
        restricted section read that `audited` does not hold yet; the sections audited. New
        verification receipts of this family are stored in the same write unless `receipts` is
        False (a first look leaves them to its later parts: storing hundreds of receipts would
        delay its first paint, and they are only ever a saving); other families' wait for
        sign-out."""
        done = audited or set()
        read_restricted = {v.section for v in versions if Section(v.section) in RESTRICTED} - done
        with self.s.write():
            if receipts:
                self.s.trust.verified.flush(self.s.conn, family_id)
            if opened:
                self.s.audit("family_opened", {"family": family_id})
            audit_restricted_reads(self.s, family_id, read_restricted)
        return done | read_restricted


def _unaudited(heads: list[RecordVersion], missing: set[str]) -> bool:
    if not missing:
        return False
    if len(heads) == 1:
        return heads[0].version_id in missing
    return any(h.version_id in missing for h in heads)


def _heads(versions: list[RecordVersion]) -> dict[str, list[RecordVersion]]:
    """`heads_of`, without working out the history of the many records that have one
    version only (a version never names itself as a parent, so it is that record's head)."""
    out: dict[str, list[RecordVersion]] = {}
    for record_id, items in group_by_record(versions).items():
        out[record_id] = items if len(items) == 1 else heads_of(items)[record_id]
    return out


# A first look must reach the screen in 150 ms even when no signature of the family has been
# checked yet (a first sign-in): each unchecked version costs an Ed25519 verification (about
# 0.15 ms), so it holds what the first screen shows and little more.
FIRST_ENTRIES = 60      # the newest entries a first look shows: more than a screenful
CHUNK_ROWS = 2500       # versions opened per later step
WHOLE_UP_TO = 500       # a family of no more versions than this opens whole, in one step
FIRST_ASSESSMENTS = 5   # the newest structured assessments a first look opens
UNREADABLE_FIRST = "\uffff"  # sorts after every date
SAFETY = Section.HOME_VISIT_SAFETY.value
ASSESSMENTS = Section.RISK_ASSESSMENT.value


class OpeningInParts:
    """Opening a big family in parts, so its workbook shows before every version is read.

    `first()` opens the family record, every person, action and other non-entry record, the
    home-visit safety entries (the header's flags), the newest structured assessments (the
    assessment panel; `_newest_assessments`), any sealed rows, and the newest
    `first_entries` entries by when they were written - each record with all its versions,
    so its heads and conflicts are already final. New verification receipts are stored
    with the later parts, not the first. `step()` opens up to `chunk` more versions; once
    `done`, `view()` is exactly what `Workbooks.open` returns. Every version is verified
    before any part is returned, and the reads are audited as one opening (P7): the opening
    once, each restricted section the first time a part reads it. A family of at most
    `whole_up_to` versions is opened whole by `first()`.

    Holds only what this session opened: any step asked of another session, or after
    `cancel()`, drops everything held and raises NotFound."""

    def __init__(self, family_id: str, *, first_entries: int = FIRST_ENTRIES,
                 chunk: int = CHUNK_ROWS, whole_up_to: int = WHOLE_UP_TO) -> None:
        self.family_id = FamilyId(validation.record_id(family_id, "family id"))
        self._first_entries = max(0, first_entries)
        self._chunk = max(1, chunk)
        self._whole_up_to = whole_up_to
        self._session: Session | None = None
        self._readable: list[str] = []
        self._rest: list[tuple[str, str, str]] = []   # (family, kind, version) still to open
        self._versions: list[RecordVersion] = []
        self._audited: set[str] = set()
        self._in_log: set[str] = set()   # version ids a write event names
        self._cancelled = False
        self._lock = threading.Lock()   # cancel() comes from the GUI thread, steps from the worker
        self.total = 0
        self.opened = 0

    @property
    def done(self) -> bool:
        return self._session is not None and not self._rest

    def cancel(self) -> None:
        """Drop everything opened so far; safe from any thread, and any later step fails."""
        with self._lock:
            self._cancelled = True
            self._forget()

    def first(self, session: Session) -> FamilyWorkbook:
        if self._session is not None:
            raise InvalidInput("this opening has already begun")
        session.require_practitioner()
        if not version_store.family_exists(session.conn, self.family_id):
            raise NotFound(f"no family {self.family_id} in this vault")
        self._session = session
        self._check(session)
        self._in_log = session.workbooks.audited(self.family_id)
        with malformed_as_tampering(self.family_id):
            headers = version_store.headers_of_family(session.conn, self.family_id)
        first_ids = self._first_records(session, headers)
        first: list[tuple[str, str, str]] = []
        rest: list[tuple[str, str, str]] = []
        for h in headers:
            (first if h.record_id in first_ids else rest).append(
                (h.family_id, h.kind, h.version_id))
        self._rest = rest
        self.total = len(headers)
        self._readable = [s.value for s in session.records.readable_sections()]
        self._open(session, first, opened=True)
        return self.view()

    def step(self, session: Session) -> FamilyWorkbook | None:
        """Open the next chunk; the whole workbook once the last is opened, else None."""
        with self._lock:
            self._check(session)
            chunk, self._rest = self._rest[:self._chunk], self._rest[self._chunk:]
        self._open(session, chunk, opened=False)
        return self.view() if self.done else None

    def view(self) -> FamilyWorkbook:
        """What has been opened so far, assembled as `Workbooks.open` assembles a family."""
        with self._lock:
            session, versions = self._session, list(self._versions)
        if session is None:
            raise NotFound(f"the opening of family {self.family_id} was cancelled")
        return session.workbooks._assemble(self.family_id, versions, self._readable,
                                           self._in_log)

    def _first_records(self, session: Session,
                       rows: list[version_store.VersionHeader]) -> set[str]:
        if len(rows) <= self._whole_up_to:
            return {r.record_id for r in rows}
        tags = session.keys.tags_for_family(self.family_id)
        safety = {t for t, (section, _) in tags.items() if section == SAFETY}
        risk = {t for t, (section, _) in tags.items() if section == ASSESSMENTS}
        chosen: set[str] = set()
        written: dict[str, str] = {}
        assessments: list[version_store.VersionHeader] = []
        for row in rows:
            if row.kind != "entry" or row.sealed or row.section_tag in safety:
                chosen.add(row.record_id)
            elif row.section_tag in risk:
                assessments.append(row)
            elif row.created_at > written.get(row.record_id, ""):
                written[row.record_id] = row.created_at
        newest = sorted((r for r in written if r not in chosen),
                        key=lambda r: (written[r], r), reverse=True)
        chosen.update(newest[:self._first_entries])
        chosen.update(self._newest_assessments(session, assessments))
        return chosen

    def _newest_assessments(self, session: Session,
                            rows: list[version_store.VersionHeader]) -> set[str]:
        """The risk-assessment records the assessment panel may show first: the few newest
        by the date they give that hold a structured assessment. The date is inside the
        encrypted payload, so the rows are decrypted (not verified) to choose them
        (`Records.peek_dates`); the chosen are then opened with every check. A family with
        only a few such records has them all."""
        records = {r.record_id for r in rows}
        if len(records) <= FIRST_ASSESSMENTS:
            return records
        with malformed_as_tampering(self.family_id):
            bodies = version_store.of_family_kind(session.conn, self.family_id, "entry",
                                                  [r.version_id for r in rows])
        dates = session.records.peek_dates(self.family_id, bodies)
        best: dict[str, tuple[str, str]] = {}
        for row in rows:
            # A row that does not decrypt is chosen first: its opening reports the tampering.
            date, assessment = dates.get(row.version_id, (UNREADABLE_FIRST, True))
            if assessment and (date, row.created_at) > best.get(row.record_id, ("", "")):
                best[row.record_id] = (date, row.created_at)
        ranked = sorted(best, key=lambda r: (best[r], r), reverse=True)
        return set(ranked[:FIRST_ASSESSMENTS])

    def _open(self, session: Session, keys: list[tuple[str, str, str]], *,
              opened: bool) -> None:
        by_kind: dict[str, list[str]] = {}
        for _family, kind, version_id in keys:
            by_kind.setdefault(kind, []).append(version_id)
        with malformed_as_tampering(self.family_id):
            rows = [row for kind, ids in sorted(by_kind.items()) for row in
                    version_store.of_family_kind(session.conn, self.family_id, kind, ids)]
        versions = session.records.open_rows(self.family_id, rows)
        with self._lock:
            self._check(session)
            self._versions.extend(versions)
        self.opened += len(keys)
        new_sections = {v.section for v in versions if Section(v.section) in RESTRICTED}
        if opened or self.done or new_sections - self._audited:
            self._audited = session.workbooks._audit_reads(
                self.family_id, versions, opened=opened, audited=self._audited,
                receipts=not opened or self.done)

    def _forget(self) -> None:
        self._session = None
        self._rest = []
        self._versions = []

    def _check(self, session: Session) -> None:
        if self._cancelled or session is not self._session or session.closed:
            self._forget()
            raise NotFound(f"the opening of family {self.family_id} was cancelled")
