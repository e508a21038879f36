"""The list of every family (`families.all`, and home's families), kept per person so that it
costs what changed, not every family record the vault has kept for ten years (issue 19).

The list is worked out from the family records' versions, decrypted and verified (through
`Records.open_each`, the household section's rule). It is then kept:

- in the session, so listing again (the agenda, the duplicate check, home's refresh) folds in
  only the versions the version log (migration 005) names since;
- in the vault, as one blob per person encrypted and authenticated (AES-256-GCM) under a key
  derived from that person's own key-pair seed, bound to the vault, the person and the format
  (`meta` key "family_list.<user id>"), so the next sign-in decrypts one blob and folds in
  what colleagues added meanwhile instead of reading every family again.

A holder of the database key can neither read nor forge the blob: one that does not open, or
was made for other keys held, another removal count (a disposal) or a log position the vault
has not reached, is ignored and the list is read again from the versions. Putting back an
older blob only makes more to fold in; holding back a log row delays a new family version in
this list until a fresh reading (as for the board digest, decision 0004). The family view
verifies everything it shows. A changed family is read again whole (`Records.of_record`:
every version of its record, verified), so nothing but the summary is kept."""

from __future__ import annotations

import json
import secrets
from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.symmetric import hkdf, unwrap, wrap
from workbook.domain.history import record_state
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services import collector
from workbook.services.authority import RecordVersion
from workbook.services.family import family_order
from workbook.services.family.closed_by_log import split_by_log
from workbook.vault import board_digest_store, meta, version_store
from workbook.vault.database import (
    BUSY_TIMEOUT_MS,
    Connection,
    OperationalError,
    VaultBusy,
    set_busy_timeout,
    transaction,
)

if TYPE_CHECKING:
    from workbook.services.session import Session

FAMILY = RecordKind.FAMILY.value
HOUSEHOLD = Section.HOUSEHOLD.value
FORMAT = 5  # 3: the closed families in a blob of their own; 4: each blob's rows as columns;
# 5: the families a fresh reading left unread named in the closed blob, counted in the open one
CLOSED = "closed"
META_PREFIX = "family_list."
CLOSED_SUFFIX = ".closed"  # under META_PREFIX, so a disposal's deletion takes it too
SAVE_WAIT_MS = 250
_ID, _STATUS = itemgetter(0), itemgetter(3)  # of a FamilySummary
READ_STEP = 500  # families whose records a fresh reading reads at once


_no_cyclic_collection = collector.paused  # tens of thousands of small objects, no cycles


class FamilySummary(NamedTuple):
    """One family of the list. A named tuple, not a dataclass: a sign-in makes one for every
    family the vault keeps (20,000 after ten years), and a frozen dataclass's construction
    costs about twice as much (45 against 24 ms for 20,000 on the 2-core machine)."""

    family_id: str
    name: str
    reference: str
    status: str
    conflict: bool


class FamilyList:
    """Every family this person can read: its summary and case owner (a user id)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._shown: dict[str, FamilySummary] = {}
        self._owner: dict[str, str] = {}  # family id -> case owner's user id, as `_shown`
        # Loaded (ids, case owners) not yet in `_owner`: listing every family needs none.
        self._owners_loaded: list[tuple[list[str], list[str]]] = []
        # `_shown` in the list's order as loaded, merged, folded in; None after a reading.
        self._sorted: list[FamilySummary] | None = None
        self._seq = -1
        self._state: list[Any] | None = None  # keys held, removal count
        self._unsaved = False
        self._loaded = False
        # The closed families stay in their own stored blob, named by the token the open
        # list's blob holds, until every family is asked for: a sign-in's home needs the open
        # few hundred of a ten years' list, not the decryption and parsing of the rest.
        self._closed_token: str | None = None
        self._closed_count = 0
        self._changed: set[str] = set()  # folded in since: newer than the closed blob
        # After a fresh reading: the families the verified retention log says are closed
        # (closed_by_log.py), not read until every family is asked for. Kept in the closed
        # blob (nineteen thousand ids at 20,000 families: parsing them took a third of a later
        # sign-in's home); while it is unparsed, only their number is known.
        self._unread: set[str] = set()
        self._unread_count = 0

    def summaries(self) -> list[FamilySummary]:
        """Every family whose household this person can read, not deleted, by name."""
        self._refresh()
        return self.summaries_kept()

    def open_families(self) -> list[tuple[FamilySummary, str]]:
        """The families not closed, by name, each with its case owner's user id: home's first
        step, which leaves the closed ones (most of a vault's ten years) unparsed."""
        self._refresh()
        order = self._in_order()  # in C: the harsh vault's 20,000 open families
        with _no_cyclic_collection():
            found = list(compress(order, map(CLOSED.__ne__, map(_STATUS, order))))
            return list(zip(found, map(self._owners().__getitem__, map(_ID, found)), strict=True))

    def closed_settled(self) -> set[str]:
        """The families closed, their record in no conflict - without reading those a first
        sign-in left unread: the verified retention log says they are closed, and their
        closing is their record's one head (closed_by_log.py). The board digest's build
        leaves them out, so that it costs the open families, not ten years' closed ones."""
        self._refresh()
        self._parse_closed_blob()
        return {family_id for family_id, found in self._shown.items()
                if found.status == CLOSED and not found.conflict} | self._unread

    def unread(self) -> int:
        """How many closed families a first sign-in left unread (closed by the verified
        retention log; their names are in their records only): read when every family is
        asked for."""
        self._refresh()
        return len(self._unread) + self._kept_unread()

    def _kept_unread(self) -> int:
        """Those of the closed blob, while it is unparsed."""
        return self._unread_count if self._closed_token is not None else 0

    def count(self) -> int:
        """How many families `summaries` lists; while the closed ones are unparsed, counted as
        stored (a family closed or reopened since may be counted twice): enough to weigh the
        open families against all, which is what it is for."""
        self._refresh()
        return len(self._shown) + len(self._unread) + self._kept_unread() + (
            self._closed_count if self._closed_token is not None else 0)

    def summaries_kept(self) -> list[FamilySummary]:
        """`summaries` as last brought up to date, without asking the vault."""
        self._parse_closed()
        return list(self._in_order())

    def case_owners(self) -> dict[str, str]:
        """Family id -> its case owner's user id, for the families `summaries` lists."""
        self._refresh()
        self._parse_closed()
        return dict(self._owners())

    def read_unread(self, families: int = READ_STEP) -> bool:
        """Read up to `families` of the families a first sign-in left unread (closed, by the
        verified retention log); True once none is left. Search's build steps through them,
        so that a family opened meanwhile waits for a few hundred, not ten years' worth."""
        self._parse_closed_blob()
        if self._unread:
            self.s.trust.verified.load_kind(self.s.conn, FAMILY)
            with _no_cyclic_collection():
                self._read_families(sorted(self._unread)[:max(1, families)])
            self._unsaved = True
        return not self._unread

    def before_lock(self) -> None:
        """Store the list if it changed since it was stored (Session.lock asks)."""
        if self._unsaved and self._state is not None:
            self._store()

    def _in_order(self) -> list[FamilySummary]:
        """The families parsed so far in the list's order: kept, or sorted after a reading."""
        if self._sorted is None:
            self._sorted = sorted(self._shown.values(), key=family_order.key)
        return self._sorted

    def _owners(self) -> dict[str, str]:
        """Family id -> case owner, the loaded ones put in (`_set` asks first: theirs is older)."""
        for ids, owners in self._owners_loaded:
            self._owner.update(zip(ids, owners, strict=True))
        self._owners_loaded = []
        return self._owner

    # --- keeping it current ------------------------------------------------------------------
    def _refresh(self) -> None:
        conn = self.s.conn
        state = [[list(h) for h in self.s.keys.held()], board_digest_store.removals(conn)]
        seq = board_digest_store.last_seq(conn)  # before reading: later versions fold in next
        if not self._loaded:
            self._loaded = True
            with _no_cyclic_collection():
                self._load(state, seq)
        if state != self._state or seq < self._seq:
            with _no_cyclic_collection():
                self._read_all()
            self._state, self._unsaved = state, True
            self._seq = seq
            # Stored now, the families left unread named as such: a sign-in that ends before
            # they are read (search's build reads them) must not make the next one read again.
            self._store()
        elif seq > self._seq:
            changed = {h.family_id for _seq, h in board_digest_store.headers_since(conn, self._seq)
                       if h.kind == FAMILY}
            for family_id in changed:
                self._set(family_id, [v for v in self.s.records.of_record(family_id)
                                      if v.kind == FAMILY and v.section == HOUSEHOLD])
            self._seq = seq
            self._unsaved = self._unsaved or bool(changed)

    def _parse_closed(self) -> None:
        """Bring the closed families of their stored blob into the list (once), except those
        folded in since, which are newer. A blob that does not open with the token the open
        list's blob named (another sign-in stored both since, or it was altered) means a
        fresh reading. The families a fresh reading left unread are read now."""
        self._parse_closed_blob()
        if self._unread:
            # Most of the vault: the kind's receipts in one pass, not a few hundred families'
            # at a time.
            self.s.trust.verified.load_kind(self.s.conn, FAMILY)
            with _no_cyclic_collection():
                self._read_families(sorted(self._unread))  # each read is no longer unread
            self._unsaved = True

    def _parse_closed_blob(self) -> None:
        token, self._closed_token = self._closed_token, None
        if token is not None:
            try:
                with _no_cyclic_collection():
                    self._add_closed(token)
            except (AuthenticationFailed, ValueError, KeyError, TypeError, IndexError):
                with _no_cyclic_collection():
                    self._read_all()
                self._unsaved = True
            self._changed.clear()

    def _add_closed(self, token: str) -> None:
        """The stored closed families, merged into the list (they are stored in its order),
        except those folded in since or otherwise listed already: theirs is newer."""
        blob = meta.get_blob(self.s.conn, META_PREFIX + self.s.user_id + CLOSED_SUFFIX)
        if blob is None:
            raise ValueError("the closed families' blob is missing")
        key, _ad = self._key_and_ad()
        stored = json.loads(unwrap(key, blob, self._closed_ad(token), "family list"))
        ids, found, owners = _columns(stored)
        unread = stored["unread"]
        if not isinstance(unread, list) or not all(isinstance(f, str) for f in unread):
            raise TypeError("the families left unread are not a list of ids")
        newer = self._changed | self._shown.keys()
        self._unread = {family_id for family_id in unread if family_id not in newer}
        if not newer.isdisjoint(ids):
            keep = [family_id not in newer for family_id in ids]
            ids, found, owners = (list(compress(ids, keep)), list(compress(found, keep)),
                                  list(compress(owners, keep)))
        shown = dict(zip(ids, found, strict=True))
        in_order, keys = family_order.ordered(found)
        self._shown.update(shown)
        self._owners_loaded.append((ids, owners))
        if self._sorted is not None:
            self._sorted = family_order.merged(self._sorted, in_order, keys)

    def _read_all(self) -> None:
        """A fresh reading: every family record, verified - except the families the verified
        retention log shows closed (closed_by_log.py), left for when every family is asked
        for, so that a first sign-in's home costs the open families."""
        self._shown, self._owner, self._owners_loaded, self._sorted = {}, {}, [], None
        self._closed_token, self._changed = None, set()
        now, self._unread = split_by_log(self.s)
        self._read_families(now)

    def _read_families(self, family_ids: list[str]) -> None:
        """These families' records, verified, a few hundred at a time (ordered when asked)."""
        self._sorted = None
        conn = self.s.conn
        for start in range(0, len(family_ids), READ_STEP):
            chunk = family_ids[start:start + READ_STEP]
            self.s.trust.verified.load_families(conn, chunk, FAMILY)
            by_record: dict[str, list[RecordVersion]] = {f: [] for f in chunk}
            rows = version_store.of_families_kind(conn, chunk, FAMILY)
            for version in self.s.records.open_each(rows, section=HOUSEHOLD):
                by_record.setdefault(version.record_id, []).append(version)
            for family_id, versions in by_record.items():
                self._set(family_id, versions)

    def _set(self, family_id: str, versions: list[RecordVersion]) -> None:
        """The family as its verified versions give it now, placed in the list's order."""
        self._unread.discard(family_id)
        if self._closed_token is not None:
            self._changed.add(family_id)
        old, new = self._shown.pop(family_id, None), None
        self._owners().pop(family_id, None)
        if versions:
            state = record_state(family_id, versions)
            p = next(v for v in versions if v.version_id == state.heads[-1]).payload
            if not p.get("deleted"):
                new = FamilySummary(
                    family_id, str(p.get("name", "")), str(p.get("reference", "")),
                    str(p.get("status", "open")), state.in_conflict)
                self._shown[family_id] = new
                self._owner[family_id] = str(p.get("case_owner", ""))
        if self._sorted is not None:
            family_order.place(self._sorted, old, new)

    # --- the stored blob ---------------------------------------------------------------------
    def _key_and_ad(self) -> tuple[bytes, bytes]:
        keypair = self.s.require_keys()
        vault_id, user_id = self.s.vault_id, self.s.user_id
        return (hkdf(keypair.seed.value, fields("workbook family list v1", vault_id, user_id)),
                fields("workbook family list row v1", vault_id, user_id, FORMAT))

    def _closed_ad(self, token: str) -> bytes:
        """The closed families' blob is bound to the one open list's blob that names it."""
        return fields("workbook family list closed v1", self.s.vault_id, self.s.user_id,
                      FORMAT, token)

    def _load(self, state: list[Any], seq: int) -> None:
        blob = meta.get_blob(self.s.conn, META_PREFIX + self.s.user_id)
        if blob is None:
            return
        try:
            key, ad = self._key_and_ad()
            data = json.loads(unwrap(key, blob, ad, "family list"))
            if data["state"] != state or not 0 <= data["seq"] <= seq:
                return
            ids, found, owners = _columns(data["open"])
            shown = dict(zip(ids, found, strict=True))
            in_order = family_order.ordered(found)[0]
            token, count = data["closed"], int(data["closed_count"])
            unread = data["unread_count"]
            if not isinstance(token, str) or type(unread) is not int or unread < 0:
                return
        except (AuthenticationFailed, ValueError, KeyError, TypeError, IndexError):
            return
        self._shown, self._owner, self._sorted = shown, {}, in_order
        self._owners_loaded = [(ids, owners)]
        self._closed_token, self._closed_count, self._changed = token, count, set()
        self._unread, self._unread_count = set(), unread
        self._state, self._seq, self._unsaved = state, int(data["seq"]), False

    def _store(self) -> None:
        """Best effort, in its own short write: a busy vault means a fresh reading next time."""
        key, ad = self._key_and_ad()
        self._parse_closed_blob()  # the families still unread stay so, named as such
        kept = self._in_order()

        def columns(closed: bool) -> dict[str, Any]:
            return _as_columns([f for f in kept if (f.status == CLOSED) == closed],
                               self._owners())

        closed, token = columns(True), secrets.token_hex(16)
        closed["unread"] = sorted(self._unread)
        body = json.dumps({"state": self._state, "seq": self._seq, "open": columns(False),
                           "closed": token, "closed_count": len(closed["id"]),
                           "unread_count": len(self._unread)},
                          separators=(",", ":")).encode()
        blobs = {META_PREFIX + self.s.user_id: wrap(key, body, ad),
                 META_PREFIX + self.s.user_id + CLOSED_SUFFIX: wrap(
                     key, json.dumps(closed, separators=(",", ":")).encode(),
                     self._closed_ad(token))}
        conn = self.s.conn
        try:
            if self.s._write_depth:
                _put(conn, blobs)
            else:
                set_busy_timeout(conn, SAVE_WAIT_MS)
                try:
                    with transaction(conn):
                        _put(conn, blobs)
                finally:
                    set_busy_timeout(conn, BUSY_TIMEOUT_MS)
        except (VaultBusy, OperationalError):
            return
        self._unsaved = False


# --- a blob's families, as columns -----------------------------------------------------------
def _as_columns(found: list[FamilySummary], owner: dict[str, str]) -> dict[str, Any]:
    """In the list's order: "id", "name", "reference"; "status" and "owner" as [distinct
    values, each family's index] (a dozen workers, two statuses: a third less to parse, one
    string each, not one a family); "conflict", the indexes of families in conflict."""
    ids = [f.family_id for f in found]
    return {"id": ids, "name": [f.name for f in found],
            "reference": [f.reference for f in found],
            "status": _table([f.status for f in found]),
            "conflict": [at for at, f in enumerate(found) if f.conflict],
            "owner": _table([owner[family_id] for family_id in ids])}


def _table(values: list[str]) -> list[list[Any]]:
    distinct = sorted(set(values))
    index = {value: at for at, value in enumerate(distinct)}
    return [distinct, [index[value] for value in values]]


def _columns(columns: Any) -> tuple[list[str], list[FamilySummary], list[str]]:
    """A stored blob's families (ids, summaries, case owners), in the order stored. Raises
    ValueError, TypeError, KeyError or IndexError for any other shape."""
    ids, names, references = columns["id"], columns["name"], columns["reference"]
    statuses, owners = _expanded(columns["status"]), _expanded(columns["owner"])
    conflicts = [False] * len(ids)
    for at in columns["conflict"]:
        if not 0 <= at < len(ids):
            raise IndexError("a family in conflict out of the stored list")
        conflicts[at] = True
    if not len(ids) == len(names) == len(references) == len(statuses) == len(owners):
        raise ValueError("the stored family list's columns differ in length")
    found: list[FamilySummary] = list(map(tuple.__new__, repeat(FamilySummary), zip(
        ids, names, references, statuses, conflicts, strict=True)))
    return ids, found, owners


def _expanded(column: Any) -> list[str]:
    distinct, indexes = column
    if not isinstance(distinct, list) or not all(isinstance(value, str) for value in distinct):
        raise TypeError("a stored family list's value is not text")
    return list(map(distinct.__getitem__, indexes))


def _put(conn: Connection, blobs: dict[str, bytes]) -> None:
    for key, blob in blobs.items():
        meta.put(conn, key, blob)
