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

from datetime import date
from typing import TYPE_CHECKING

from workbook.services.clock import civil_date
from workbook.services.errors import NotFound
from workbook.services.supervision import digest_closed, digest_pages
from workbook.services.supervision.digest_folder import KINDS, Folder
from workbook.services.supervision.digest_rebuild import Rebuild
from workbook.services.supervision.digest_state import (
    FORMAT,
    SAVE_AFTER,
    BoardDigest,
    DigestHolder,
    collector_paused,
    holder,
    store,
    wanted_sections,
)
from workbook.vault import board_digest_store

if TYPE_CHECKING:
    from workbook.services.session import Session

__all__ = ["FORMAT", "BoardDigest", "DigestHolder", "Load", "Rebuild", "collector_paused",
           "current", "holder", "kept", "load_needed", "rebuild_needed", "store",
           "wanted_sections", "work_needed"]


def current(session: Session, *, fresh: bool = False, today: date | None = None
            ) -> BoardDigest:
    """The digest brought up to date with the vault: from memory, else from the stored blob,
    else built from scratch; then every version logged since folded in. Stored again once it
    was rebuilt or many versions were folded in, and at sign-out: storing a blob of a few MB
    after every change would cost more than folding the change in again. With `fresh`, built
    from scratch and neither read from nor stored anywhere (the reference the tests compare
    the kept digest with). `today` (the session's by default) decides the first month of the
    chart the digest must be able to draw: a digest built later than that is built again."""
    today = today or civil_date(session.clock())
    if fresh:
        return Rebuild(session, keep=False, today=today).run()
    digest = kept(session, today)
    if digest is None:
        digest = Rebuild(session, today=today).run()
        digest.unsaved = SAVE_AFTER
        _settle(session, digest, today)
    return digest


def kept(session: Session, today: date | None = None) -> BoardDigest | None:
    """The digest this person keeps, brought up to date with the vault - from memory, else
    read back whole from its stored pages, then every version logged since folded in - or
    None when it must be built from scratch (a first sign-in, new keys, a disposal): for a
    reader that has a quicker way than a rebuild when there is none (home's plan actions)."""
    today = today or civil_date(session.clock())
    digest = _usable(session, today)
    if digest is None:
        return None
    conn = session.conn
    if digest.seq < board_digest_store.last_seq(conn):
        # A version that fails verification must not leave half a fold.
        holder(session).digest = None
        new = board_digest_store.headers_since(conn, digest.seq)
        Folder(session, digest, wanted_sections(session)).fold(h for _seq, h in new)
        digest.unsaved += len(new)
        digest.seq = max([digest.seq, *(s for s, _h in new)])
    _settle(session, digest, today)
    return digest


def _settle(session: Session, digest: BoardDigest, today: date) -> None:
    """The digest made the session's, its chart's first month moved on to `today`'s, and
    stored once enough was folded in since it was last."""
    if digest.anchor < (anchor := digest_closed.anchor_of(today)):
        # The chart moved on: families closed before its first month count nowhere now.
        digest.closed.forget_before(anchor)
        digest.anchor = anchor
    holder(session).digest = digest
    if digest.unsaved >= SAVE_AFTER:
        store(session, digest)


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


def load_needed(session: Session) -> Load | None:
    """Reading the stored digest back a page a step, if this sign-in has not yet."""
    mine = holder(session)
    return Load(session) if mine.digest is None and not mine.loaded else None


def work_needed(session: Session) -> Load | Rebuild | None:
    """What must be done, in steps, before the board reads in one short job: read the stored
    digest back a page at a time (a sign-in), else build it (a first sign-in, new keys, a
    disposal, a stored digest that does not open), else nothing. The GUI steps it on its
    worker and asks again once it is done, so that a family opened meanwhile waits for one
    step at most (issue 19)."""
    return load_needed(session) or rebuild_needed(session)


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
