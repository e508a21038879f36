"""Writing and reading record versions: the one place that decides whether a person writes
in the clear-to-holders form or as a sealed envelope, and which rows they may read.

Every feature opens stored versions through `Records.open_many` (the only caller of the
authority's `_open_row`) and writes a record's next version through `Records.supersede`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from workbook.domain.history import record_state
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services.authority import (
    RecordVersion,
    SignedVersion,
    encrypt_for_holder,
    seal_for_section,
    sign_version,
)
from workbook.services.authority import _open_row as open_one
from workbook.services.authority import _peek_date as peek_date
from workbook.services.errors import InvalidInput, NotPermitted, TamperingDetected
from workbook.services.family.transferred import Seen, refuse_if_transferred
from workbook.services.upkeep.tombstones import refuse_if_disposed
from workbook.vault import version_store
from workbook.vault.database import RowMalformed
from workbook.vault.version_store import VersionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

KINDS = tuple(k.value for k in RecordKind)
Tags = dict[bytes, tuple[str, int]]


class Heads(NamedTuple):
    """Where a record stands: the newest of its current heads (what a change starts from)
    and every current head (what its next version is written over)."""

    head: RecordVersion
    ids: tuple[str, ...]


def heads_of_record(record_id: str, versions: Sequence[RecordVersion]) -> Heads:
    """From the versions of one record the caller has read (and checked are what it expects),
    so the change it makes starts from the head a reader is shown."""
    state = record_state(record_id, versions)
    head = next(v for v in versions if v.version_id == state.heads[-1])
    return Heads(head, tuple(state.heads))


class Records:
    """Versions in and out, for one session. Callers hold the transaction.

    Holds each family's section tags for the keys held (an HKDF per section and epoch, worked
    out once per family): forgotten when the keys held change (a grant, a rotation) and at
    lock, with the session's other managers."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._tags: dict[str, Tags] = {}
        self._section_tags: dict[tuple[str, str], Tags] = {}
        self._held: list[tuple[str, int]] = []
        self._transferred: Seen = {}  # family -> (its family versions, why read-only)

    def before_lock(self) -> None:
        """Tags are worked out from section secrets: they go with the keys."""
        self._tags.clear()
        self._section_tags.clear()
        self._transferred.clear()

    def write(
        self, *, family_id: str, record_id: str, kind: str, section: str,
        payload: dict[str, Any], parents: tuple[str, ...] = (),
    ) -> SignedVersion:
        self.s.require_practitioner()
        keypair = self.s.require_certified()
        if kind not in KINDS:
            raise InvalidInput(f"unknown record kind {kind!r}")
        try:
            Section(section)
        except ValueError:
            raise InvalidInput(f"unknown section {section!r}") from None
        if not self.s.policy.may_write(self.s.role):
            raise NotPermitted("your role may not add to the workbook")
        refuse_if_disposed(self.s, family_id)  # only a signed tombstone refuses
        refuse_if_transferred(self.s, family_id, self._transferred)  # signed versions decide
        version = sign_version(
            keypair, family_id=family_id, record_id=record_id, kind=kind, section=section,
            parents=parents, author=self.s.user_id, device=self.s.device,
            created_at=self.s.now(), payload=payload,
        )
        epoch = self.s.trust.current_epoch(section)
        if self.s.keys.holds(section):
            row = encrypt_for_holder(version, self.s.keys, epoch)
        else:
            public = self.s.trust.section_public(section, epoch)
            if public is None:
                raise NotPermitted(f"the keys of section {section} cannot be verified")
            row = seal_for_section(version, public, epoch)
        if not version_store.insert(self.s.conn, row) and \
                not version_store.has_version(self.s.conn, version.version_id):
            # Never report success for a version that is not there (a trigger in the file,
            # say, dropped it): the caller's transaction rolls back and the person is told.
            raise TamperingDetected(f"the vault did not store the new version of family "
                                    f"{family_id}: something in the database refused it "
                                    "silently; nothing was saved")
        # The writer's own signature, just made with their certified key: verified by
        # construction, so their later reads (and shares) need not check it again.
        self.s.trust.verified.mark(version.version_id, family_id, kind)
        return version

    def can_read(self, section: str) -> bool:
        """The single permission rule for reading: the policy allows it and the key is held."""
        return (
            self.s.policy.may_read(self.s.role, Section(section))
            and self.s.keys.holds(section)
        )

    def readable_sections(self) -> list[Section]:
        return [s for s in Section if self.can_read(s.value)]

    # --- the one read path ------------------------------------------------------------------
    def family_tags(self) -> Callable[[str], Tags]:
        """Each family's section tags for the keys held now (tag -> section, epoch), for a
        pass that sorts stored headers by section before opening any."""
        held = self.s.keys.held()
        if held != self._held:
            self.before_lock()
            self._held = held
        return self._family_tags

    def _family_tags(self, family_id: str) -> Tags:
        found = self._tags.get(family_id)
        if found is None:
            found = self._tags[family_id] = self.s.keys.tags_for_family(family_id)
        return found

    def _one_section_tags(self, section: str, family_id: str) -> Tags:
        found = self._section_tags.get((section, family_id))
        if found is None:
            found = self.s.keys.tags_for_section(section, family_id)
            self._section_tags[(section, family_id)] = found
        return found

    def open_many(self, rows: Iterable[VersionRow], *, section: str | None = None,
                  held: bool = False) -> list[RecordVersion]:
        """`open_each`, as a list."""
        return [version for _row, version in self.open_pairs(rows, section=section, held=held)]

    def open_each(self, rows: Iterable[VersionRow], *, section: str | None = None,
                  held: bool = False) -> Iterator[RecordVersion]:
        """`open_pairs`, the versions alone."""
        for _row, version in self.open_pairs(rows, section=section, held=held):
            yield version

    def open_pairs(self, rows: Iterable[VersionRow], *, section: str | None = None,
                   held: bool = False) -> Iterator[tuple[VersionRow, RecordVersion]]:
        """Each stored row (of one family or many) decrypted and verified, one at a time (a
        pass over the whole vault keeps only what it needs of each); a row of a section
        this person holds no key for is left out, one that fails a check raises
        TamperingDetected. Which of the opened versions are kept:

        - by default, those the read rule (`can_read`) lets this person read;
        - `section`: only that section's, read with its tags alone: the caller has already
          decided the section may be read (the list of families, home, the search index);
        - `held`: every one the keys held open, the rule left to the caller, which keeps the
          sections it worked out from the rule itself (the board and its digest).

        Each comes with its stored row, for an export that re-encrypts what it read."""
        tags_of = self.family_tags()
        keys, trust = self.s.keys, self.s.trust
        allowed: dict[str, bool] = {}  # the rule per section, asked once per pass
        for row in rows:
            if section is not None:
                version = open_one(row, keys, trust, self._one_section_tags(section, row.family_id))
                if version is not None and version.section == section:
                    yield row, version
                continue
            version = open_one(row, keys, trust, tags_of(row.family_id))
            if version is None:
                continue
            if not held:
                ok = allowed.get(version.section)
                if ok is None:
                    ok = allowed[version.section] = self.can_read(version.section)
                if not ok:
                    continue
            yield row, version

    def of_family(self, family_id: str) -> list[RecordVersion]:
        """Every version of the family this person may read, verified. Versions of sections
        the person holds a key for but the policy no longer grants are left out."""
        self.s.require_practitioner()
        with malformed_as_tampering(family_id):
            rows = version_store.of_family(self.s.conn, family_id)
        return self.open_rows(family_id, rows)

    def open_rows(self, family_id: str, rows: Iterable[VersionRow]) -> list[RecordVersion]:
        """`of_family` over rows of the family already read (a family opened in parts opens
        its rows a chunk at a time): each verified, those the person may not read left out."""
        self.s.require_practitioner()
        with malformed_as_tampering(family_id):
            self.s.trust.verified.load_family(self.s.conn, family_id)
        return self.open_many(_of_one_family(family_id, rows))

    def peek_dates(self, family_id: str,
                   rows: Iterable[VersionRow]) -> dict[str, tuple[str, bool]]:
        """Version id -> (the date it gives, whether it holds a structured assessment) for
        entry rows of one family, decrypted but NOT verified (`record_codec.peek_date`): a
        first look uses it only to choose which rows it opens first, never to show or decide
        anything."""
        self.s.require_practitioner()
        tags = self.family_tags()(family_id)
        out = {}
        for row in _of_one_family(family_id, rows):
            found = peek_date(row, tags, self.s.keys)
            if found is not None:
                out[row.version_id] = found
        return out

    def of_record(self, record_id: str) -> list[RecordVersion]:
        self.s.require_practitioner()
        with malformed_as_tampering(f"of record {record_id}"):
            rows = version_store.of_record(self.s.conn, record_id)
        return self.open_many(rows)

    # --- the one write path -------------------------------------------------------------------
    def supersede(
        self, heads: Heads, payload: dict[str, Any], *, kind: RecordKind, event: str,
        ids: Mapping[str, object], family_id: str | None = None, section: str | None = None,
    ) -> SignedVersion:
        """Write `payload` as the record's next version over all its current heads, audited
        as `event` with `ids`, the family and the new version, in the caller's transaction
        (or one of its own). The family and section are the head's unless given. The caller
        emits its event once the transaction is over."""
        head = heads.head
        family_id = head.family_id if family_id is None else family_id
        with self.s.write():
            version = self.write(
                family_id=family_id, record_id=head.record_id, kind=kind.value,
                section=head.section if section is None else section, payload=payload,
                parents=heads.ids,
            )
            self.s.audit(event, {"family": family_id, **ids, "version": version.version_id})
        return version


def _of_one_family(family_id: str, rows: Iterable[VersionRow]) -> Iterator[VersionRow]:
    for row in rows:
        if row.family_id != family_id:
            raise InvalidInput("a row of another family cannot be opened with this one")
        yield row


@contextmanager
def malformed_as_tampering(family_id: str) -> Iterator[None]:
    """A version (or receipt) row with a cell of the wrong type is shown as tampering, as a
    version failing its signature is: the family is not shown with that row quietly left out
    or a TypeError in its place."""
    try:
        yield
    except RowMalformed as exc:
        raise TamperingDetected(f"family {family_id} cannot be shown: {exc}") from None


def group_by_record(versions: list[RecordVersion]) -> dict[str, list[RecordVersion]]:
    grouped: dict[str, list[RecordVersion]] = defaultdict(list)
    for version in versions:
        grouped[version.record_id].append(version)
    return grouped
