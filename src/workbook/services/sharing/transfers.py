"""Transferring a family to another organisation (issue 15; docs/bundle-format.md,
"Transfers").

The case owner (or a supervisor) starts a transfer to a pinned partner. Every restricted section
that may hold the family's records must answer before the bundle goes: its holder seals the
section's versions to the partner now (`add_section`, a part the case owner cannot open) or
declines with a reason. `finish` writes one bundle the partner's `workbook receive` accepts,
records the transfer in the family's sharing log, and closes the family here as "transferred to
TEAM on dd/mm/yyyy" (read-only from then on; retention starts). The transfer is one record of
kind `transfer` in the family's sharing-log section, a new signed version at each step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act, may
from workbook.domain.display import uk_date
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Transfer
from workbook.domain.roles import CORE_SECTIONS, Section, parse_section
from workbook.services import validation
from workbook.services.authority import RECOVERY, RecordVersion
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import Heads, heads_of_record
from workbook.services.sharing.partners import Partner
from workbook.services.sharing.transfer_parts import (
    ADDED,
    DECLINED,
    FINISHED,
    READY,
    WAITING,
    seal_part,
)
from workbook.vault import accounts, version_store

if TYPE_CHECKING:
    from workbook.services.session import Session
    from workbook.services.sharing.transfer_finish import FinishResult

_MAX_TEXT = 4000


@dataclass(frozen=True)
class TransferShown:
    """A transfer as `transfer show` prints it: people by full name, dates dd/mm/yyyy."""

    id: str
    family_id: str
    record: Transfer
    names: dict[str, str]

    @property
    def state(self) -> str:
        return self.record.state

    @property
    def still_to_answer(self) -> list[str]:
        return [x for x in self.record.waiting_for if self.record.answer(x) is None]

    def answers(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for section in self.record.waiting_for:
            given = self.record.answer(section)
            if given is None:
                out.append({"section": section, "answer": None})
                continue
            out.append({"section": section, "answer": given.get("answer"),
                        "by": self.names.get(str(given.get("by")), str(given.get("by"))),
                        "at": str(given.get("at", "")), "on": uk_date(str(given.get("at", ""))),
                        "reason": str(given.get("reason", "")),
                        "versions": len(given.get("part", {}).get("versions", []))
                        if isinstance(given.get("part"), dict) else 0})
        return out

    def to_json(self) -> dict[str, Any]:
        t = self.record
        return {"id": self.id, "family_id": self.family_id, "partner": t.partner,
                "team": t.team, "purpose": t.purpose, "lawful_basis": t.lawful_basis,
                "state": t.state, "waiting_for": self.still_to_answer,
                "sections": list(t.waiting_for), "answers": self.answers(),
                "started_by": self.names.get(t.started_by, t.started_by),
                "started_at": t.started_at,
                "finished_by": self.names.get(t.finished_by, t.finished_by) if t.finished_by
                else "", "finished_at": t.finished_at}


@dataclass(frozen=True)
class _Found:
    family_id: str
    heads: Heads
    record: Transfer
    versions: tuple[RecordVersion, ...]  # every version of the transfer, verified


class Transfers:
    def __init__(self, session: Session) -> None:
        self.s = session

    # --- starting --------------------------------------------------------------------------
    def start(self, family: str, *, to: str, purpose: str, lawful_basis: str) -> TransferShown:
        self.s.require_practitioner()
        family_id = validation.record_id(family, "family id")
        head = self.family_head(family_id)
        self.require_owner_or_supervisor(head.head.payload)
        status = str(head.head.payload.get("status", "open"))
        if status != "open":
            raise InvalidInput(f"family {family_id} is {status}: only an open family can be "
                               "transferred")
        partner = self.s.partners.resolve(to)
        purpose = _text(purpose, "purpose of the transfer")
        lawful_basis = _text(lawful_basis, "lawful basis")
        for other in self._of_family(family_id):
            if other.record.state != FINISHED:
                raise InvalidInput(f"family {family_id} already has a transfer under way "
                                   f"({other.heads.head.record_id})")
        record = Transfer(partner=partner.vault_id, team=partner.team, purpose=purpose,
                          lawful_basis=lawful_basis, bundle=new_id(), state=WAITING,
                          started_by=self.s.user_id, started_at=self.s.now(),
                          waiting_for=tuple(self._to_answer(family_id)))
        if not record.waiting_for:
            record = _with(record, state=READY)
        transfer_id = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=transfer_id, kind=RecordKind.TRANSFER.value,
                section=Section.SHARING_LOG.value, payload=record.to_payload())
            self.s.audit("transfer_started", {"family": family_id, "transfer": transfer_id,
                                              "partner": partner.vault_id,
                                              "version": version.version_id})
        return self._shown(transfer_id, family_id, record)

    def _to_answer(self, family_id: str) -> list[str]:
        """The restricted sections that must answer. A section this person holds answers only
        if it holds records of the family (they can see whether it does); one they do not hold
        must answer if anyone here holds it, since they cannot tell whether it has records."""
        holders = self.s.trust.holders
        out = []
        rows = [r for r in version_store.of_family(self.s.conn, family_id)]
        for section in Section:
            if section in CORE_SECTIONS:
                continue
            if self.s.records.can_read(section.value):
                if next(self.s.records.open_each(rows, section=section.value), None) is not None:
                    out.append(section.value)
                continue
            epoch = self.s.trust.current_epoch(section.value)
            held = holders.of(section.value, epoch) if holders is not None else {}
            if any(h != RECOVERY for h in held):
                out.append(section.value)
        return out

    # --- answering -------------------------------------------------------------------------
    def add_section(self, transfer_id: str, section: str) -> TransferShown:
        """The holder seals the section's versions to the partner now."""
        found, section = self._answerable(transfer_id, section)
        partner = self.s.partners.resolve(found.record.partner)
        card = self.s.partners.card_of(partner)
        if section not in card.sections:
            raise InvalidInput(f"{partner.team}'s identity card has no key for section "
                               f"{section}: ask them for a current card")
        with self.s.write():
            part = seal_part(self.s, card, found.record, found.family_id, section)
            answer = {"answer": ADDED, "by": self.s.user_id, "at": self.s.now(), "part": part}
            return self._answer(found, section, answer, len(part["versions"]))

    def decline(self, transfer_id: str, section: str, reason: str) -> TransferShown:
        found, section = self._answerable(transfer_id, section)
        reason = _text(reason, "reason for declining")
        answer = {"answer": DECLINED, "by": self.s.user_id, "at": self.s.now(),
                  "reason": reason}
        return self._answer(found, section, answer, 0)

    def _answerable(self, transfer_id: str, section: str) -> tuple[_Found, str]:
        self.s.require_practitioner()
        found = self.find(transfer_id)
        try:
            name = parse_section(section).value
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if found.record.state == FINISHED:
            raise InvalidInput(f"transfer {transfer_id} is finished: it cannot be changed")
        if name not in found.record.waiting_for:
            raise InvalidInput(f"transfer {transfer_id} is not waiting for section {name}")
        given = found.record.answer(name)
        if given is not None:
            by = self._names().get(str(given.get("by")), "someone")
            raise InvalidInput(f"section {name} has already answered this transfer "
                               f"({given.get('answer')} by {by} on "
                               f"{uk_date(str(given.get('at', '')))})")
        if not self.s.records.can_read(name):
            raise NotPermitted(f"only a holder of section {name} can answer for it")
        return found, name

    def _answer(self, found: _Found, section: str, answer: dict[str, Any], versions: int
                ) -> TransferShown:
        answers = [*found.record.answers, {"section": section, **answer}]
        done = {a["section"] for a in answers}
        state = READY if all(x in done for x in found.record.waiting_for) else WAITING
        record = _with(found.record, answers=answers, state=state)
        transfer_id = found.heads.head.record_id
        self.s.records.supersede(
            found.heads, record.to_payload(), kind=RecordKind.TRANSFER,
            event=f"transfer_section_{answer['answer']}",
            ids={"transfer": transfer_id, "section": section, "versions": versions},
            family_id=found.family_id)
        return self._shown(transfer_id, found.family_id, record)

    # --- finishing -------------------------------------------------------------------------
    def finish(self, transfer_id: str, out: Path, family_type: str = "") -> FinishResult:
        from workbook.services.sharing.transfer_finish import finish

        return finish(self, transfer_id, out, family_type)

    # --- reading ---------------------------------------------------------------------------
    def show(self, transfer_id: str) -> TransferShown:
        self.s.require_practitioner()
        found = self.find(transfer_id)
        return self._shown(found.heads.head.record_id, found.family_id, found.record)

    def all(self) -> list[TransferShown]:
        """Every transfer this person can read, newest first."""
        self.s.require_practitioner()
        versions = self.s.records.open_many(version_store.of_kind(self.s.conn,
                                                                  RecordKind.TRANSFER.value))
        by_record: dict[str, list[Any]] = {}
        for version in versions:
            by_record.setdefault(version.record_id, []).append(version)
        shown = []
        for record_id, group in by_record.items():
            head = heads_of_record(record_id, group).head
            shown.append(self._shown(record_id, head.family_id,
                                     Transfer.from_payload(head.payload)))
        return sorted(shown, key=lambda x: x.record.started_at, reverse=True)

    def current(self, family: str) -> TransferShown | None:
        """The family's transfer still under way (the transfer panel's subject), or None."""
        self.s.require_practitioner()
        family_id = validation.record_id(family, "family id")
        for found in self._of_family(family_id):
            if found.record.state != FINISHED:
                return self._shown(found.heads.head.record_id, family_id, found.record)
        return None

    def may_start(self, family: str) -> bool:
        """Whether this person may start a transfer of the family (what a screen shows)."""
        try:
            self.require_owner_or_supervisor(
                self.family_head(validation.record_id(family, "family id")).head.payload)
        except (NotPermitted, NotFound, InvalidInput):
            return False
        return True

    def find(self, transfer_id: str) -> _Found:
        transfer_id = validation.record_id(transfer_id, "transfer id")
        versions = [v for v in self.s.records.of_record(transfer_id)
                    if v.kind == RecordKind.TRANSFER]
        if not versions:
            raise NotFound(f"no transfer {transfer_id}")
        heads = heads_of_record(transfer_id, versions)
        return _Found(heads.head.family_id, heads, _merged(heads, versions), tuple(versions))

    def _of_family(self, family_id: str) -> list[_Found]:
        rows = [r for r in version_store.of_family(self.s.conn, family_id)
                if r.kind == RecordKind.TRANSFER.value]
        ids = sorted({r.record_id for r in rows})
        return [self.find(x) for x in ids]

    # --- shared with finishing -------------------------------------------------------------
    def family_head(self, family_id: str) -> Heads:
        versions = [v for v in self.s.records.of_record(family_id)
                    if v.kind == RecordKind.FAMILY]
        if not versions:
            if version_store.family_exists(self.s.conn, family_id):
                raise NotPermitted("transferring a family needs the household section's key")
            raise NotFound(f"no family {family_id} in this vault")
        return heads_of_record(family_id, versions)

    def require_owner_or_supervisor(self, family: dict[str, Any]) -> None:
        """The signed family record's case owner, or a team manager or senior social worker
        (who may close a family, as a transfer does)."""
        if family.get("case_owner") != self.s.user_id and \
                not may(self.s.signed_role, Act.CLOSE_FAMILY):
            raise NotPermitted("only the family's case owner, a team manager or a senior "
                               "social worker can transfer a family")

    def partner_of(self, record: Transfer) -> Partner:
        return self.s.partners.resolve(record.partner, include_removed=True)

    def today(self) -> str:
        return civil_date(self.s.clock()).isoformat()

    def _names(self) -> dict[str, str]:
        return {u.user_id: u.full_name or u.username for u in accounts.all_users(self.s.conn)}

    def _shown(self, transfer_id: str, family_id: str, record: Transfer) -> TransferShown:
        return TransferShown(transfer_id, family_id, record, self._names())


def _merged(heads: Heads, versions: list[RecordVersion]) -> Transfer:
    """The newest head, with the answers of every current head: two holders who answered at
    once (on two devices) both count, and the next version is written over both heads."""
    record = Transfer.from_payload(heads.head.payload)
    if len(heads.ids) == 1:
        return record
    answers = list(record.answers)
    seen = {a.get("section") for a in answers}
    for version in versions:
        if version.version_id in heads.ids:
            for answer in Transfer.from_payload(version.payload).answers:
                if answer.get("section") not in seen:
                    seen.add(answer.get("section"))
                    answers.append(answer)
    done = all(x in seen for x in record.waiting_for)
    state = record.state if record.state == FINISHED else (READY if done else WAITING)
    return _with(record, answers=answers, state=state)


def _with(record: Transfer, **changes: Any) -> Transfer:
    return Transfer.from_payload({**record.to_payload(), **changes})


def _text(value: str, what: str) -> str:
    value = validation.text(value, what)
    if len(value) > _MAX_TEXT:
        raise InvalidInput(f"the {what} is too long (at most {_MAX_TEXT} characters)")
    return value


def await_case_owner(s: Session, families: list[str], team: str) -> None:
    """A family received by transfer is this team's now, but its case owner was the sender's:
    the family record gets a version with no case owner, "awaiting a case owner" until one is
    appointed here. Someone without the household key leaves it for a colleague who has it."""
    for family_id in families:
        versions = [v for v in s.records.of_record(family_id) if v.kind == RecordKind.FAMILY]
        if not versions or not s.records.can_read(Section.HOUSEHOLD.value):
            continue
        heads = heads_of_record(family_id, versions)
        if heads.head.payload.get("received_from") == team and \
                not heads.head.payload.get("case_owner"):
            continue
        payload = {**heads.head.payload, "status": "open", "case_owner": "",
                   "received_from": team}
        s.records.supersede(heads, payload, kind=RecordKind.FAMILY,
                            event="family_received_by_transfer", ids={"team": team},
                            family_id=family_id, section=Section.HOUSEHOLD.value)


def awaiting_case_owner(family: dict[str, Any]) -> bool:
    """Received by transfer and no case owner appointed here yet."""
    return bool(family.get("received_from")) and not family.get("case_owner")
