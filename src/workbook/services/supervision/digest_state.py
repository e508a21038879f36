"""The board digest's state: what it holds, whose it is, how it is sealed and stored
(docs/decisions/0004-board-digest.md; board_digest.py keeps it current, digest_rebuild.py
builds it from scratch)."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import fields
from workbook.crypto.symmetric import hkdf, wrap
from workbook.domain.roles import Section
from workbook.services import collector
from workbook.services.supervision import digest_pages
from workbook.services.supervision.digest_closed import ClosedHistory
from workbook.services.supervision.digest_folder import KINDS, Rec
from workbook.vault import board_digest_store
from workbook.vault.database import (
    BUSY_TIMEOUT_MS,
    OperationalError,
    VaultBusy,
    set_busy_timeout,
    transaction,
)

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


collector_paused = collector.paused  # (services/collector.py says why)


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
