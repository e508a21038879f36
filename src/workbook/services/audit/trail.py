"""Reading and verifying the audit chain (P7).

`verify` walks every event from the start: hash chain, then signature by the acting user's
registered key (or the vault's audit key for events before anyone holds keys, or the recovery
key). It names the first broken link. `list` shows who, when, what kind and ids - never
content, and restricted section names only to those who can open them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.domain.acts import Act
from workbook.services.audit.completeness import Unaudited
from workbook.services.audit.completeness import check as check_completeness
from workbook.services.audit.reads import audit_detail_info, unpad_note
from workbook.vault import accounts, audit_log, version_store
from workbook.vault.audit_log import GENESIS, AuditRow
from workbook.vault.database import RowMalformed
from workbook.vault.keyfile import KeyFile
from workbook.vault.migrations import current_version
from workbook.vault.schema_pin import schema_differences

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    events: int
    first_broken: int | None
    problem: str
    unapproved_signers: int
    # Versions without a (trustworthy) write event: services/audit/completeness.py.
    unaudited_versions: tuple[Unaudited, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "first_broken": self.first_broken,
                "problem": self.problem, "unapproved_signers": self.unapproved_signers,
                "unaudited_versions": [u.to_json() for u in self.unaudited_versions]}


PRINT_EVENTS = frozenset({"print", "save_pdf", "subject_access"})
VAULT_SIGNABLE = frozenset({"sign_in", "sign_in_failed", "journal_damaged",
                            "audit_rollback_detected"})


def schema_status(session: Session) -> dict[str, Any]:
    """The `"schema"` field of `audit verify --json`: whether the vault's structure is still
    exactly its migration level's (it was at connect; this looks again, now)."""
    differences = schema_differences(session.conn)
    return {"pinned": not differences, "level": current_version(session.conn),
            "differences": differences}


class AuditTrail:
    def __init__(self, session: Session) -> None:
        self.s = session

    def verify(self) -> AuditReport:
        self.s.require_keys()
        try:
            return self._verify()
        except RowMalformed as exc:
            # A cell of the wrong type (vault/cells.py) breaks the chain where it stands: the
            # report names the event (for an audit row) and the table and column, not OK.
            where = f"event {exc.seq}: " if exc.seq is not None else ""
            return AuditReport(False, audit_log.count(self.s.conn), exc.seq, f"{where}{exc}", 0)

    def _verify(self) -> AuditReport:
        self._disposals: dict[str, str] = {}  # family id -> problem with its tombstone
        rows = audit_log.rows(self.s.conn)
        history = accounts.key_history(self.s.conn)
        recovery = KeyFile.load(self.s.vault_dir).recovery_public
        prev = GENESIS
        unapproved = 0
        for expected_seq, row in enumerate(rows, start=1):
            problem = self._check(row, expected_seq, prev, history, recovery)
            if not problem:
                problem = self._missing_version(row)
            if problem:
                return AuditReport(False, len(rows), row.seq, problem, unapproved)
            if row.signer not in ("vault", "recovery") and self.s.trust.current_key(
                row.signer
            ) is None:
                unapproved += 1
            prev = row.hash
        return self._completeness(rows, unapproved)

    def _completeness(self, rows: list[AuditRow], unapproved: int) -> AuditReport:
        """The other way round, once the chain holds: every version has its write event."""
        # A received version's write event is on its writer's chain, which travels.
        unaudited, problems = check_completeness(self.s.conn, rows, self._disposal_problem,
                                                 self.s.replicas.written_elsewhere())
        if not unaudited and not problems:
            return AuditReport(True, len(rows), None, "", unapproved)
        lines = problems + [u.problem for u in unaudited]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        return AuditReport(False, len(rows), None, lines[0] + more, unapproved,
                           tuple(unaudited))

    def _disposal_problem(self, family: str) -> str | None:
        """None if `family` was never disposed of; "" if by a valid signed disposal."""
        from workbook.services.upkeep.retention import verify_disposal
        from workbook.vault.retention_store import disposal_of

        if family not in self._disposals:
            if disposal_of(self.s.conn, family) is None:
                return None
            self._disposals[family] = verify_disposal(
                self.s.conn, self.s.vault_id, self.s.trust, family)
        return self._disposals[family]

    def _missing_version(self, row: AuditRow) -> str:
        """Every write names the version it made; a version deleted outside Workbook (to roll
        a record back quietly) is missing here."""
        version = row.ids.get("version")
        if not isinstance(version, str) or not version:
            return ""
        if not version_store.has_version(self.s.conn, version):
            from workbook.services.upkeep.retention import verify_disposal
            from workbook.vault.retention_store import disposed_family_of_version

            # A version removed by a signed, two-person disposal is accounted for; any other
            # missing version is a quiet rollback.
            family = disposed_family_of_version(self.s.conn, version)
            if family is not None:
                if family not in self._disposals:
                    self._disposals[family] = verify_disposal(
                        self.s.conn, self.s.vault_id, self.s.trust, family)
                problem = self._disposals[family]
                if not problem:
                    return ""
                return f"event {row.seq} recorded version {version}: {problem}"
            return (f"event {row.seq} recorded version {version}, which is missing from the "
                    "vault: a record was rolled back outside Workbook")
        return ""

    def _check(self, row: AuditRow, expected_seq: int, prev: bytes,
               history: dict[str, list[bytes]], recovery: PublicKeys) -> str:
        if row.seq != expected_seq:
            return f"event {expected_seq} is missing (found {row.seq} in its place)"
        if row.prev_hash != prev:
            return f"event {row.seq} does not follow event {row.seq - 1} (chain broken)"
        digest = audit_log.event_hash(prev, row.seq, row.at, row.user_id, row.event,
                                      row.ids_json, row.detail, row.signer)
        if digest != row.hash:
            return f"event {row.seq} was altered (its hash does not match its content)"
        if row.signer == "vault":
            # Anyone signed in holds the vault's audit key: it may only sign events that
            # happen before a person has keys of their own.
            if row.event not in VAULT_SIGNABLE:
                return f"event {row.seq} ({row.event}) is signed with the vault key, not a person's"
            candidates = [self.s.audit_key.public]
        elif row.signer == "recovery":
            candidates = [recovery]
        else:
            if row.signer != row.user_id:
                return f"event {row.seq} is signed by someone other than its actor"
            certified = self.s.trust.keys_of(row.signer) + [
                PublicKeys(k) for k in sorted(self.s.trust.withdrawn.get(row.signer, set()))
            ]
            # Once a person has a current certified key, only certified (or withdrawn) keys
            # count: a key planted in user_keys by someone with the database key is never
            # believed. Between a reset and re-approval they have none, and their own new key
            # is accepted (and counted as unapproved).
            candidates = certified
            if self.s.trust.current_key(row.signer) is None:
                candidates = certified + [PublicKeys(k) for k in history.get(row.signer, [])]
        for key in candidates:
            try:
                key.verify(row.signature, row.hash)
                return ""
            except AuthenticationFailed:
                continue
        return f"event {row.seq} has a signature that does not verify"

    def events(self, limit: int | None = None) -> list[dict[str, Any]]:
        self.s.require_keys()
        self.s.require(Act.READ_AUDIT_LOG)
        names = {u.user_id: u.username for u in accounts.all_users(self.s.conn)}
        rows = audit_log.rows(self.s.conn)
        if limit is not None and limit > 0:
            rows = rows[-limit:]
        out = []
        for row in rows:
            item: dict[str, Any] = {
                "seq": row.seq, "time": row.at, "user": names.get(row.user_id, row.user_id),
                "user_id": row.user_id, "event": row.event, "ids": row.ids,
            }
            section = self._open_detail(row)
            if section:
                item["section"] = section
            notes = self._open_print_detail(row)
            printed = [n["section"] for n in notes if n.get("printed")]
            if printed:
                item["restricted_sections"] = printed
            chosen = [n["section"] for n in notes if n.get("chosen")]
            if chosen:  # put in a home-visit summary by the printing person's choice
                item["chosen_sections"] = chosen
            out.append(item)
        return out

    def _open_print_detail(self, row: AuditRow) -> list[dict[str, Any]]:
        """What a print, saved PDF or subject access export held of each restricted section
        whose key this person holds (services/printing.py seals one note per section)."""
        if row.detail is None or row.event not in PRINT_EVENTS:
            return []
        try:
            notes = json.loads(row.detail)["restricted"]
        except (ValueError, KeyError, TypeError):
            return []
        out = []
        for note in notes if isinstance(notes, list) else []:
            opened = self._open_sealed(note)
            if opened.get("section"):
                out.append({"section": str(opened["section"]),
                            "printed": bool(opened.get("printed")),
                            "chosen": bool(opened.get("chosen"))})
        return out

    def _open_sealed(self, note: Any) -> dict[str, Any]:
        try:
            epoch, sealed = int(note["epoch"]), unb64(note["sealed"])
        except (ValueError, KeyError, TypeError):
            return {}
        for held_section, held_epoch in self.s.keys.held():
            if held_epoch != epoch:
                continue
            for keypair in self.s.keys.keypairs(held_section, epoch):
                try:
                    opened = keypair.open(sealed, audit_detail_info(self.s.vault_id,
                                                                    held_section))
                    data = json.loads(unpad_note(opened))
                    return data if isinstance(data, dict) else {}
                except (AuthenticationFailed, ValueError):
                    continue
        return {}

    def _open_detail(self, row: AuditRow) -> str:
        if row.detail is None or row.event != "section_read":
            return ""
        try:
            data = json.loads(row.detail)
        except ValueError:
            return ""
        return str(self._open_sealed(data).get("section", ""))
