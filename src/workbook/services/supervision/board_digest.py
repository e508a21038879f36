"""The supervisor's board kept as a per-person digest (docs/decisions/0004-board-digest.md).

The board needs a handful of facts per record (a family's name and status, an action's due
date, an entry's milestone or urgent mark) but the vault holds them inside tens of thousands of
encrypted, signed versions. Opening all of them at every sign-in takes seconds, so each person
keeps the facts they were able to read in one blob, encrypted under a key derived from their own
private seed (as verification receipts are), and folds in only the versions logged since
(`version_log.seq`), each opened and verified through `Records.open_each` as any other read.

The digest is thrown away and built again from the vault whenever what it was built from no
longer holds: the keys held or the sections the policy lets this person read changed (a revoked
grant must leave no readable fact behind), a version was removed (a disposal), or the blob does
not open or parse. None of those is ever an error for the person: they only cost a rebuild."""

from __future__ import annotations

import gc
import itertools
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import fields
from workbook.crypto.symmetric import hkdf, wrap
from workbook.domain.roles import Section
from workbook.services.clock import civil_date
from workbook.services.errors import NotFound
from workbook.services.family.time_limits import STEPS_SECTION
from workbook.services.supervision import digest_closed, digest_pages, digest_visits
from workbook.services.supervision.digest_closed import ClosedHistory
from workbook.services.supervision.digest_folder import (
    KINDS,
    Folder,
    Rec,
)
from workbook.vault import board_digest_store, version_store
from workbook.vault.database import (
    BUSY_TIMEOUT_MS,
    OperationalError,
    VaultBusy,
    set_busy_timeout,
    transaction,
)
from workbook.vault.version_store import VersionHeader

if TYPE_CHECKING:
    from workbook.services.session import Session

FORMAT = 4   # 2: an entry's facts carry its type; 3: closed families kept as history only;
             # 4: stored as a head and pages (digest_pages.py)
SAVE_WAIT_MS = 250          # a busy vault: save next time rather than keep the reader waiting
SAVE_AFTER = 500            # versions folded in before the digest is stored again (and at lock)
_SERIALS = itertools.count(1)


@dataclass
class BoardDigest:
    """The facts one person can read, and what they were worked out from."""

    seq: int = 0                                   # the last version_log.seq folded in
    removals: int = 0                              # version_removals.count when built
    held: list[list[Any]] = field(default_factory=list)    # session.keys.held()
    readable: list[str] = field(default_factory=list)      # sections the policy lets me read
    kinds: dict[str, dict[str, Rec]] = field(
        default_factory=lambda: {k: {} for k in KINDS})
    unsaved: int = 0                               # versions folded since last stored
    changes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    serial: int = field(default_factory=lambda: next(_SERIALS))   # which digest, in memory
    # The first month (ISO day) whose chart the digest can draw, and the closed families'
    # part of it (digest_closed): no record of a closed family is kept.
    anchor: str = ""
    closed: ClosedHistory = field(default_factory=ClosedHistory)
    # What folds changed, in order: (kind, record id or None for many); the board's kept
    # parts read on from where they stopped (board_parts.py). In memory only.
    log: list[tuple[str, str | None]] = field(default_factory=list)

    def head(self, token: str, pages: int) -> dict[str, Any]:
        """What the stored head holds: everything but the records (digest_pages.py)."""
        return {"format": FORMAT, "seq": self.seq, "removals": self.removals,
                "held": self.held, "readable": self.readable, "anchor": self.anchor,
                "closed": self.closed.families, "pages": pages, "token": token}

    @classmethod
    def from_head(cls, data: dict[str, Any]) -> BoardDigest:
        """A digest with no records yet, from a head `digest_pages.parse_head` accepted."""
        return cls(int(data["seq"]), int(data["removals"]), list(data["held"]),
                   list(data["readable"]), anchor=str(data["anchor"]),
                   closed=ClosedHistory(data["closed"]))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the board parses and works out hundreds of
    thousands of small lists and tuples: they form no cycles, but each full pass of the
    collector walks every live object, and those passes cost more than the work itself
    (about half of a first board's time on the benchmark vault)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def digest_key(seed: bytes | bytearray, vault_id: str, user_id: str) -> bytes:
    return hkdf(seed, fields("workbook board digest v1", vault_id, user_id))


def digest_ad(vault_id: str, user_id: str) -> bytes:
    return fields("workbook board digest row v1", vault_id, user_id, FORMAT)


def seal(digest: BoardDigest, key: bytes, ad: bytes, vault_id: str, user_id: str
         ) -> tuple[bytes, list[bytes]]:
    """The digest's head and pages, each sealed (digest_pages.py says how they are bound)."""
    token = secrets.token_hex(16)
    pages = digest_pages.pages_of(digest.kinds)
    sealed = [wrap(key, digest_pages.encode(page),
                   digest_pages.page_ad(vault_id, user_id, FORMAT, token, n, len(pages)))
              for n, page in enumerate(pages)]
    return wrap(key, digest_pages.encode(digest.head(token, len(pages))), ad), sealed


class DigestHolder:
    """The session's digest in memory, so a second read does not even decrypt the blob; goes
    with the session's other managers at lock."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.digest: BoardDigest | None = None
        self.loaded = False
        self.parts: object = None   # the board's last working (board_parts.Parts)
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            keypair = self.session.require_keys()
            self._key = digest_key(keypair.seed.value, self.session.vault_id,
                                   self.session.user_id)
        return self._key

    @property
    def ad(self) -> bytes:
        return digest_ad(self.session.vault_id, self.session.user_id)

    def before_lock(self) -> None:
        """Store what was folded in since the digest was last stored (Session.lock)."""
        if self.digest is not None and self.digest.unsaved:
            store(self.session, self.digest)


def holder(session: Session) -> DigestHolder:
    found: DigestHolder = session._manager("board_digest", DigestHolder)
    return found


def wanted_sections(session: Session) -> dict[str, frozenset[str]]:
    """Which sections' versions of each kind the board reads, by the policy and keys held."""
    readable = {s.value for s in session.records.readable_sections()}
    return {
        "family": frozenset(readable & {Section.HOUSEHOLD.value}),
        "review": frozenset(readable & {Section.SUPERVISION.value}),
        "action": frozenset(readable & {Section.PLAN.value}),
        "entry": frozenset(readable - {Section.HOUSEHOLD.value, Section.PLAN.value}),
    }


def current(session: Session, *, fresh: bool = False, today: date | None = None
            ) -> BoardDigest:
    """The digest brought up to date with the vault: from memory, else from the stored blob,
    else built from scratch; then every version logged since folded in. Stored again once it
    was rebuilt or many versions were folded in, and at sign-out: storing a blob of a few MB
    after every change would cost more than folding the change in again. With `fresh`, built
    from scratch and neither read from nor stored anywhere (the reference the tests compare
    the kept digest with). `today` (the session's by default) decides the first month of the
    chart the digest must be able to draw: a digest built later than that is built again."""
    conn = session.conn
    today = today or civil_date(session.clock())
    if fresh:
        return Rebuild(session, keep=False, today=today).run()
    mine = holder(session)
    digest = _usable(session, today)
    last = board_digest_store.last_seq(conn)
    if digest is None:
        digest = Rebuild(session, today=today).run()
        digest.unsaved = SAVE_AFTER
    elif digest.seq < last:
        mine.digest = None  # a version that fails verification must not leave half a fold
        new = board_digest_store.headers_since(conn, digest.seq)
        Folder(session, digest, wanted_sections(session)).fold(h for _seq, h in new)
        digest.unsaved += len(new)
        digest.seq = max([digest.seq, *(s for s, _h in new)])
    if digest.anchor < (anchor := digest_closed.anchor_of(today)):
        # The chart moved on: families closed before its first month count nowhere now.
        digest.closed.forget_before(anchor)
        digest.anchor = anchor
    mine.digest = digest
    if digest.unsaved >= SAVE_AFTER:
        store(session, digest)
    return digest


def _usable(session: Session, today: date | None = None) -> BoardDigest | None:
    """This person's digest (from memory, else read back whole from the stored head and
    pages) if it still holds for the keys held, the sections readable, the versions removed
    and the chart's first month on `today` (the session's by default); None if it must be
    built again."""
    mine = holder(session)
    if mine.digest is None and not mine.loaded:
        Load(session, today).run()
    digest = mine.digest
    if digest is None or not _holds(session, digest, today):
        return None
    return digest


def _holds(session: Session, digest: BoardDigest, today: date | None = None) -> bool:
    readable = sorted(set().union(*wanted_sections(session).values()))
    return not (
        digest.held != [list(h) for h in session.keys.held()] or digest.readable != readable
        or digest.removals != board_digest_store.removals(session.conn)
        or digest.seq > board_digest_store.last_seq(session.conn)
        or digest.anchor > digest_closed.anchor_of(today or civil_date(session.clock())))


def rebuild_needed(session: Session) -> Rebuild | None:
    """A rebuild to run in steps (`Rebuild.step`) if this person's digest must be built again -
    a first sign-in, new keys, a disposal - else None."""
    return Rebuild(session) if _usable(session) is None else None


def work_needed(session: Session) -> Load | Rebuild | None:
    """What must be done, in steps, before the board reads in one short job: read the stored
    digest back a page at a time (a sign-in), else build it (a first sign-in, new keys, a
    disposal, a stored digest that does not open), else nothing. The GUI steps it on its
    worker and asks again once it is done, so that a family opened meanwhile waits for one
    step at most (issue 19)."""
    mine = holder(session)
    if mine.digest is None and not mine.loaded:
        return Load(session)
    return rebuild_needed(session)


class Load:
    """The stored digest read back a page a step (digest_pages.PagedRead); once done it is
    the session's, if it opened whole and still holds; if not, the next `work_needed` is a
    rebuild. What the session reads meanwhile is never half a digest: `current()` reads the
    stored one whole, and a digest the session already has is kept over this one."""

    def __init__(self, session: Session, today: date | None = None) -> None:
        self.session = session
        mine = holder(session)
        self._read = digest_pages.PagedRead(
            session.conn, session.user_id, session.vault_id, mine.key, mine.ad, FORMAT, KINDS,
            lambda head: _holds(session, BoardDigest.from_head(head), today))

    def step(self, session: Session) -> bool:
        """The head, or one page; True once done."""
        if session is not self.session or session.closed:
            raise NotFound("the board's stored digest belonged to another sign-in")
        with collector_paused():
            if not self._read.step():
                return False
        mine = holder(session)
        if not mine.loaded and mine.digest is None and self._read.head is not None:
            digest = BoardDigest.from_head(self._read.head)
            digest.kinds = self._read.kinds
            mine.digest = digest
        mine.loaded = True
        return True

    def run(self) -> None:
        while not self.step(self.session):
            pass


class Rebuild:
    """The digest built from scratch, in steps: the first reads the family records' clear
    headers; then, `PLAN_FAMILIES` families a step, their heads are found, and the next steps
    open up to `heads` of them; then the records of the open families (and the actions of
    families closed since the chart's first month, for its history only) are found, a few
    hundred families a step, and opened the same way. A record's versions all belong to its
    family, so finding heads family by family finds the same heads (issue 19: one step found
    every open family's heads at once, 13.8 s on a vault where a worker is on 20,000 open
    families, while a family opened meanwhile waited). `last` is read before the
    headers, so anything logged after it is either read here too (folding it again later
    changes nothing) or folded in by the next `current()`; a disposal or a change of keys
    between steps makes the next `current()` build again. When done, the digest is the
    session's and is stored. A closed family costs its family record's head, nothing more,
    unless it closed within the chart's months."""

    STEP_HEADS = 500
    PLAN_FAMILIES = 200

    def __init__(self, session: Session, *, keep: bool = True,
                 today: date | None = None) -> None:
        conn = session.conn
        self.session = session
        self._keep = keep   # False: a reference built for comparison, never the session's
        self.wanted = wanted_sections(session)
        self.digest = BoardDigest(board_digest_store.last_seq(conn),
                                  board_digest_store.removals(conn),
                                  [list(h) for h in session.keys.held()],
                                  sorted(set().union(*self.wanted.values())),
                                  anchor=digest_closed.anchor_of(
                                      today or civil_date(session.clock())))
        self._folder = Folder(session, self.digest, self.wanted)
        self._to_open: list[tuple[str, dict[str, tuple[str, str, str]]]] | None = None
        # What is left to find heads in: (FAMILY_RECORDS, OPEN or HISTORY, families).
        self._to_plan: list[tuple[str, list[str]]] = []
        self._family_headers: dict[str, list[VersionHeader]] = {}
        self._families_read = False
        self._closing: dict[str, str] = {}   # closed families whose history the chart needs
        self._history: dict[str, Rec] = {}   # their actions' facts
        self.total = 0
        self.opened = 0

    @property
    def done(self) -> bool:
        return (self._families_read and self._to_open is not None and not self._to_open
                and not self._to_plan)

    def step(self, session: Session, heads: int = STEP_HEADS) -> bool:
        """One step; True once the digest is complete (and now the session's)."""
        if session is not self.session or session.closed:
            self._to_open, self._to_plan = [], []
            self._families_read = True
            raise NotFound("the board's rebuild belonged to another sign-in")
        with collector_paused():
            if self._to_open is None:
                self._to_open = []
                self._family_headers = self._families_to_read()
                self._queue(FAMILY_RECORDS, list(self._family_headers))
                return self._next()
            if not self._to_open:
                self._plan_next()
                return self._next()
            kind, chunk = self._to_open.pop(0)
            if len(chunk) > heads:
                rest = dict(itertools.islice(chunk.items(), heads, None))
                chunk = dict(itertools.islice(chunk.items(), heads))
                self._to_open.insert(0, (kind, rest))
            if kind == HISTORY:
                self._folder.open("action", chunk, into=self._history)
            else:
                self._folder.open(kind, chunk)
            self.opened += len(chunk)
            return self._next()

    def run(self) -> BoardDigest:
        """Every step at once (the CLI, a board read with no digest, the tests' reference)."""
        while not self.step(self.session, heads=1 << 30):
            pass
        return self.digest

    def _queue(self, phase: str, family_ids: Iterable[str]) -> None:
        ids = sorted(family_ids)
        size = max(1, self.PLAN_FAMILIES)
        self._to_plan.extend((phase, ids[i:i + size]) for i in range(0, len(ids), size))

    def _plan_next(self) -> None:
        """The heads to open of the next few hundred families queued."""
        assert self._to_open is not None
        phase, chunk = self._to_plan.pop(0)
        if phase == FAMILY_RECORDS:
            found = self._plan(("family",), (h for fid in chunk
                                             for h in self._family_headers.pop(fid)))
        elif phase == HISTORY:
            found = [(HISTORY, heads) for _kind, heads in self._plan(
                ("action",), self._folder.headers_of(chunk, ("action",)))]
        else:
            found = self._plan(("review", "action", "entry"), self._folder.headers_of(chunk))
        self._to_open.extend(found)
        self.total += sum(len(heads) for _kind, heads in found)

    def _plan(self, kinds: Iterable[str], headers: Iterable[VersionHeader]
              ) -> list[tuple[str, dict[str, tuple[str, str, str]]]]:
        grouped = self._folder.group(headers)
        return [(kind, found) for kind, found in self._folder.heads_to_open(grouped).items()
                if found and kind in kinds]

    def _families_to_read(self) -> dict[str, list[VersionHeader]]:
        """The family records' headers of the families the digest may need: open ones, in
        conflict, or closed since the chart's first month ends (a version of the family
        record written since). Which are open comes from the person's verified list of
        families (`families.all`, decision 0010), which home keeps anyway: a closed family's
        record is not opened again here."""
        if not self.wanted["family"]:
            return {}
        since = digest_closed.month_end(date.fromisoformat(self.digest.anchor)).isoformat()
        listed = {f.family_id: f for f in self.session.families.all()}
        by_family: dict[str, list[VersionHeader]] = {}
        for h in version_store.headers_of_kind(self.session.conn, "family"):
            by_family.setdefault(h.family_id, []).append(h)
        return {fid: found for fid, found in by_family.items()
                if (summary := listed.get(fid)) is None or summary.status == digest_closed.OPEN
                or summary.conflict or any(h.created_at > since for h in found)}

    def _next(self) -> bool:
        """Whether the build is complete: once the family records are read, the open
        families' records and the history are queued; once nothing is left, finished."""
        if self._to_open or self._to_plan:
            return False
        if not self._families_read:
            self._families_read = True
            kept, self._closing = self._folder.split_families()
            self._queue(OPEN_RECORDS, kept)
            self._queue(HISTORY, self._closing)
            if self._to_plan:
                return False
        return self._finish()

    def _finish(self) -> bool:
        digest_visits.drop_unneeded(self.digest.kinds["entry"], STEPS_SECTION)
        self._folder.keep_history(self._closing, self._history)
        if self._keep:
            mine = holder(self.session)
            mine.digest = self.digest
            mine.loaded = True
            self.digest.unsaved = SAVE_AFTER
        return True


HISTORY = "history"   # a rebuild's step that reads closed families' actions for the chart
FAMILY_RECORDS = "family records"   # a rebuild's step that finds family records' heads
OPEN_RECORDS = "open records"   # one that finds the heads of open families' other records


def store(session: Session, digest: BoardDigest) -> None:
    """Best effort, in its own short write: a busy vault only means more folding next time."""
    mine = holder(session)
    head, pages = seal(digest, mine.key, mine.ad, session.vault_id, session.user_id)
    conn = session.conn
    try:
        if session._write_depth:
            board_digest_store.save(conn, session.user_id, head, pages)
        else:
            set_busy_timeout(conn, SAVE_WAIT_MS)
            try:
                with transaction(conn):
                    board_digest_store.save(conn, session.user_id, head, pages)
            finally:
                set_busy_timeout(conn, BUSY_TIMEOUT_MS)
    except (VaultBusy, OperationalError):
        return
    digest.unsaved = 0
