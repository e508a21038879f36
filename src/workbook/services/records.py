"""Writing and reading record versions: the one place that decides whether a person writes
in the clear-to-holders form or as a sealed envelope, and which rows they may read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services.authority import (
    RecordVersion,
    SignedVersion,
    encrypt_for_holder,
    open_row,
    seal_for_section,
    sign_version,
)
from workbook.services.errors import InvalidInput, NotPermitted, TamperingDetected
from workbook.services.tombstones import refuse_if_disposed
from workbook.vault import version_store
from workbook.vault.database import RowMalformed
from workbook.vault.version_store import VersionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

KINDS = tuple(k.value for k in RecordKind)


class Records:
    """Versions in and out, for one session. Callers hold the transaction."""

    def __init__(self, session: Session) -> None:
        self.s = session

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
        tags = self.s.keys.tags_for_family(family_id)
        with malformed_as_tampering(family_id):
            self.s.trust.verified.load_family(self.s.conn, family_id)
        out = []
        allowed: dict[str, bool] = {}  # the rule per section, asked once per family
        for row in rows:
            if row.family_id != family_id:
                raise InvalidInput("a row of another family cannot be opened with this one")
            version = open_row(row, self.s.keys, self.s.trust, tags)
            if version is None:
                continue
            ok = allowed.get(version.section)
            if ok is None:
                ok = allowed[version.section] = self.can_read(version.section)
            if ok:
                out.append(version)
        return out

    def of_record(self, record_id: str) -> list[RecordVersion]:
        self.s.require_practitioner()
        out = []
        with malformed_as_tampering(f"of record {record_id}"):
            rows = version_store.of_record(self.s.conn, record_id)
        for row in rows:
            version = open_row(row, self.s.keys, self.s.trust)
            if version is not None and self.can_read(version.section):
                out.append(version)
        return out


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
