"""Retention and disposal (docs/retention.md).

Closing a family starts its retention period (years per family type, from the policy).
Families past retention appear in the disposal review. Disposal takes two people: a team
manager proposes it, an administrator confirms it, and they are never the same person. The
confirmation removes the family's content from every table that holds it, then rebuilds the
database file, and leaves only a tombstone: the family id, its type, dates, who proposed and
who confirmed, how many versions went and a digest of their ids, signed by the administrator.
`audit verify` accepts a missing version only if a tombstone that verifies accounts for it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act, may
from workbook.domain.display import uk_date
from workbook.domain.outcomes import MAX_LESSONS, NOT_RECORDED, OUTCOMES, outcome_choice
from workbook.domain.record_kind import RecordKind
from workbook.domain.retention import Disposal
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput, NotFound, NotPermitted, TamperingDetected
from workbook.services.family.records import Heads, heads_of_record
from workbook.services.upkeep import retention_log
from workbook.services.upkeep.retention_log import closing_message
from workbook.services.upkeep.tombstones import (  # noqa: F401 - verify_disposal: one import for audit
    DisposalState,
    disposal_message,
    disposal_state,
    is_disposed,
    proposal_message,
    sweep_family,
    verify_disposal,
    versions_digest,
)
from workbook.vault import accounts, retention_store, version_store
from workbook.vault.retention_store import DisposalRow, ProposalRow, RetentionRow

if TYPE_CHECKING:
    from workbook.services.session import Session


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class ReviewItem:
    """One closed family in the disposal review: ids, type and dates, never content."""

    family_id: str
    family_type: str
    closed_at: str
    dispose_after: str
    closed_by: str
    due: bool
    proposed_by: str
    proposed_at: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Retention:
    """Closing families, the disposal review, and two-person disposal."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- closing ---------------------------------------------------------------------------
    def _family_heads(self, family_id: str, doing: str) -> Heads:
        """The family record's newest head and all its heads (a new version's parents), or
        why it cannot be changed."""
        disposal = self._disposal_state(family_id)
        if disposal is not None and disposal.verified:
            raise NotFound(f"family {family_id} was disposed of on "
                           f"{disposal.disposed_at[:10]}")
        versions = [v for v in self.s.records.of_record(family_id) if v.kind == "family"]
        if not versions:
            if version_store.family_exists(self.s.conn, family_id):
                raise NotPermitted(f"{doing} needs the household section's key")
            raise NotFound(f"no family {family_id} in this vault")
        return heads_of_record(family_id, versions)

    def close(self, family_id: str, family_type: str, *, outcome: str = "", reason: str = "",
              lessons: str = "", outcome_required: bool = False) -> RetentionRow:
        """Close the family: its retention period starts. The closing version also holds the
        outcome (domain/outcomes.py; "not-recorded" when a script gives none, unless
        `outcome_required`, as the screen's form asks), its reason and the lessons learned."""
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        self.s.require(Act.CLOSE_FAMILY)
        family_type = family_type.strip()
        years = self.s.policy.retention_years.get(family_type)
        if years is None:
            raise InvalidInput(f"unknown family type {family_type[:40]!r}; the policy knows: "
                               + ", ".join(self.s.policy.family_types()))
        if outcome_required and not outcome.strip():
            raise InvalidInput("choose the outcome: what changed for the family")
        evaluation = closing_evaluation(outcome, reason, lessons)
        heads = self._family_heads(family_id, "closing a family")
        head = heads.head
        if head.payload.get("status") == "closed":
            raise InvalidInput(f"family {family_id} is already closed")
        now = self.s.now()
        dispose_after = add_years(datetime.fromisoformat(now).date(), years).isoformat()
        keypair = self.s.require_certified()
        unsigned = RetentionRow(family_id, family_type, now, dispose_after, self.s.user_id, b"")
        row = RetentionRow(family_id, family_type, now, dispose_after, self.s.user_id,
                           keypair.sign(closing_message(self.s.vault_id, unsigned)))
        payload = dict(head.payload)
        payload.update({"status": "closed", "closed_at": now, "family_type": family_type,
                        **evaluation})
        recorded = {} if evaluation["outcome"] == NOT_RECORDED \
            else {"outcome": evaluation["outcome"]}
        with self.s.write():
            self.s.records.supersede(
                heads, payload, kind=RecordKind.FAMILY, event="family_closed",
                ids={"family_type": family_type, "dispose_after": dispose_after, **recorded},
                family_id=family_id, section=Section.HOUSEHOLD.value)
            retention_store.put_retention(self.s.conn, row)
            retention_log.record(self.s.conn, retention_log.closed(row))
        self.s.events.emit("family_closed", family_id=family_id)
        return row

    def close_as_transferred(self, heads: Heads, family_type: str, team: str, on: str
                             ) -> RetentionRow:
        """The family went to `team` (services/sharing/transfers.py): closed as "transferred"
        in the caller's transaction, and its retention period starts as at any closing. The
        caller has checked who may; `family_type` is one the policy knows."""
        family_id = heads.head.family_id
        now = self.s.now()
        years = self.s.policy.retention_years[family_type]
        dispose_after = add_years(datetime.fromisoformat(now).date(), years).isoformat()
        unsigned = RetentionRow(family_id, family_type, now, dispose_after, self.s.user_id, b"")
        row = RetentionRow(family_id, family_type, now, dispose_after, self.s.user_id,
                           self.s.require_certified().sign(
                               closing_message(self.s.vault_id, unsigned)))
        payload = dict(heads.head.payload)
        # The outcome in the words of issue 15's closing ("transferred"), for the outcomes
        # by month to count it with the other closings.
        payload.update({"status": "transferred", "closed_at": now, "family_type": family_type,
                        "transferred_to": team, "transferred_on": on,
                        "outcome": "transferred",
                        "outcome_reason": f"transferred to {team} on {uk_date(on)}"})
        self.s.records.supersede(
            heads, payload, kind=RecordKind.FAMILY, event="family_transferred",
            ids={"family_type": family_type, "dispose_after": dispose_after, "team": team},
            family_id=family_id, section=Section.HOUSEHOLD.value)
        retention_store.put_retention(self.s.conn, row)
        retention_log.record(self.s.conn, retention_log.closed(row))
        return row

    # --- the review ------------------------------------------------------------------------
    def _require_reviewer(self) -> None:
        self.s.require_keys()
        self.s.require(Act.REVIEW_DISPOSALS)

    def review(self, *, include_not_due: bool = False) -> list[ReviewItem]:
        """Closed families past retention (all closed families with include_not_due),
        with any proposal waiting for confirmation."""
        self._require_reviewer()
        today = civil_date(self.s.clock()).isoformat()
        names = {u.user_id: u.username for u in accounts.all_users(self.s.conn)}
        out = []
        for row in retention_store.all_retention(self.s.conn):
            if not self._closing_ok(row):
                continue
            due = row.dispose_after <= today
            if not due and not include_not_due:
                continue
            proposal = retention_store.proposal_of(self.s.conn, row.family_id)
            out.append(ReviewItem(
                row.family_id, row.family_type, row.closed_at, row.dispose_after,
                names.get(row.closed_by, row.closed_by), due,
                names.get(proposal.proposed_by, proposal.proposed_by) if proposal else "",
                proposal.proposed_at if proposal else ""))
        return out

    def _disposal_state(self, family_id: str) -> DisposalState | None:
        return disposal_state(self.s.conn, self.s.vault_id, self.s.trust, family_id)

    def _closing_ok(self, row: RetentionRow) -> bool:
        return self.s.trust.verify_by(row.closed_by, row.signature,
                                      closing_message(self.s.vault_id, row))

    def _due(self, family_id: str) -> RetentionRow:
        family_id = validation.record_id(family_id, "family id")
        state = self._disposal_state(family_id)
        if state is not None and state.verified:
            raise InvalidInput(f"family {family_id} was already disposed of")
        if state is not None:
            # A row nobody signed blocks this one act (its tombstone could not be written
            # beside it), loudly and by name; it hides nothing and stops no other work.
            raise TamperingDetected(f"family {family_id} has a disposal record that is not "
                                    f"signed ({state.problem}); it cannot be disposed of "
                                    "until that row is removed")
        row = retention_store.retention_of(self.s.conn, family_id)
        if row is None:
            raise NotFound(f"family {family_id} is not closed, so it has no retention period")
        if not self._closing_ok(row):
            raise TamperingDetected(f"the closing record of family {family_id} was altered")
        today = civil_date(self.s.clock()).isoformat()
        if row.dispose_after > today:
            raise InvalidInput(f"family {family_id} is kept until {row.dispose_after}; it "
                               "cannot be disposed of before then")
        return row

    # --- proposing -------------------------------------------------------------------------
    def propose(self, family_id: str) -> ProposalRow:
        keypair = self.s.require_certified()
        self.s.require(Act.PROPOSE_DISPOSAL)
        retention = self._due(family_id)
        if retention_store.proposal_of(self.s.conn, retention.family_id) is not None:
            raise InvalidInput(f"disposal of family {retention.family_id} is already proposed")
        unsigned = ProposalRow(retention.family_id, self.s.user_id, self.s.now(), b"")
        row = ProposalRow(unsigned.family_id, unsigned.proposed_by, unsigned.proposed_at,
                          keypair.sign(proposal_message(self.s.vault_id, unsigned,
                                                        retention.dispose_after)))
        with self.s.write():
            retention_store.put_proposal(self.s.conn, row)
            retention_log.record(self.s.conn, retention_log.proposed(row))
            self.s.audit("disposal_proposed", {"family": row.family_id})
        return row

    def withdraw(self, family_id: str) -> None:
        """A team manager or administrator stops a proposed disposal."""
        self._require_reviewer()
        self.s.require_certified()
        family_id = validation.record_id(family_id, "family id")
        proposal = retention_store.proposal_of(self.s.conn, family_id)
        if proposal is None:
            raise NotFound(f"no disposal of family {family_id} is proposed")
        with self.s.write():
            retention_store.delete_proposal(self.s.conn, family_id)
            retention_log.record(self.s.conn, retention_log.ending(
                self.s, retention_log.WITHDRAWN, family_id, proposal.signature))
            self.s.audit("disposal_withdrawn", {"family": family_id})

    # --- confirming ------------------------------------------------------------------------
    def confirm(self, family_id: str) -> Disposal:
        keypair = self.s.require_certified()
        self.s.require(Act.CONFIRM_DISPOSAL)
        self.s.require_account_manager()  # an administrator the owner approved
        retention = self._due(family_id)
        family_id = retention.family_id
        proposal = retention_store.proposal_of(self.s.conn, family_id)
        if proposal is None:
            raise InvalidInput(f"no disposal of family {family_id} is proposed: a team manager "
                               "proposes it first")
        if proposal.proposed_by == self.s.user_id:
            raise NotPermitted("the person who proposed a disposal cannot also confirm it")
        if not self.s.trust.verify_by(proposal.proposed_by, proposal.signature,
                                      proposal_message(self.s.vault_id, proposal,
                                                       retention.dispose_after)):
            raise TamperingDetected(f"the disposal proposal of family {family_id} was altered")
        if not may(self.s.membership().role_of(proposal.proposed_by), Act.PROPOSE_DISPOSAL):
            raise NotPermitted("the disposal was proposed by someone who is no longer a team "
                               "manager; a team manager must propose it again")
        names = {u.user_id: u.username for u in accounts.all_users(self.s.conn)}
        with self.s.write():
            version_ids = retention_store.version_ids_of(self.s.conn, family_id)
            unsigned = DisposalRow(
                family_id, retention.family_type, retention.closed_at, retention.dispose_after,
                proposal.proposed_by, proposal.proposed_at, proposal.signature, self.s.user_id,
                self.s.now(), len(version_ids), versions_digest(version_ids), b"")
            row = DisposalRow(**{**unsigned.__dict__, "signature": keypair.sign(
                disposal_message(self.s.vault_id, unsigned))})
            removed = sweep_family(self.s.conn, family_id)
            retention_store.put_disposal(self.s.conn, row, version_ids)
            self.s.audit("family_disposed", {"family": family_id,
                                             "family_type": retention.family_type,
                                             "versions": len(version_ids)})
        rebuilt = retention_store.vacuum(self.s.conn)
        self.s.events.emit("family_disposed", family_id=family_id)
        return Disposal(
            family_id, retention.family_type, retention.closed_at, retention.dispose_after,
            names.get(proposal.proposed_by, proposal.proposed_by), proposal.proposed_at,
            names.get(self.s.user_id, self.s.user_id), row.disposed_at, len(version_ids),
            removed, hashlib.sha256(row.signature).hexdigest()[:32], rebuilt)

    def compact(self) -> bool:
        """Rebuild the database file and empty its log now (after a disposal that found the
        vault too busy to do it); True when done."""
        self._require_reviewer()
        done = retention_store.vacuum(self.s.conn)
        with self.s.write():
            self.s.audit("vault_compacted", {"done": done})
        return done

    def disposals(self) -> list[DisposalRow]:
        """Every disposals row, signed or not (`unsigned_disposals` names the ones that are
        not: they are shown as a warning, never believed)."""
        self._require_reviewer()
        return retention_store.all_disposals(self.s.conn)

    def unsigned_disposals(self) -> dict[str, str]:
        """Family id -> what is wrong, for each disposals row whose signatures do not hold:
        "disposal record not signed", kept visible so the planted row can be removed."""
        self._require_reviewer()
        out = {}
        for row in retention_store.all_disposals(self.s.conn):
            state = self._disposal_state(row.family_id)
            if state is not None and not state.verified:
                out[row.family_id] = state.problem
        return out

    def disposal(self, family_id: str) -> Disposal:
        """A past disposal, from its tombstone, for printing its certificate again."""
        self._require_reviewer()
        family_id = validation.record_id(family_id, "family id")
        row = retention_store.disposal_of(self.s.conn, family_id)
        if row is None:
            raise NotFound(f"family {family_id} has not been disposed of")
        problem = verify_disposal(self.s.conn, self.s.vault_id, self.s.trust, family_id)
        if problem:
            raise TamperingDetected(problem)
        names = {u.user_id: u.username for u in accounts.all_users(self.s.conn)}
        return Disposal(
            row.family_id, row.family_type, row.closed_at, row.dispose_after,
            names.get(row.proposed_by, row.proposed_by), row.proposed_at,
            names.get(row.confirmed_by, row.confirmed_by), row.disposed_at, row.version_count,
            {}, hashlib.sha256(row.signature).hexdigest()[:32], True)

    # --- reopening -------------------------------------------------------------------------
    def reopen(self, family_id: str) -> str:
        """Work starts again on a closed family: its retention period (and any proposal to
        dispose of it) ends; closing it again starts a new one."""
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        self.s.require(Act.REOPEN_FAMILY)
        heads = self._family_heads(family_id, "reopening a family")
        head = heads.head
        if head.payload.get("status") != "closed":
            raise InvalidInput(f"family {family_id} is not closed")
        payload = dict(head.payload)
        payload["status"] = "open"
        for key in ("closed_at", "outcome", "outcome_reason", "lessons"):
            payload.pop(key, None)
        with self.s.write():
            version = self.s.records.supersede(
                heads, payload, kind=RecordKind.FAMILY, event="family_reopened", ids={},
                family_id=family_id, section=Section.HOUSEHOLD.value)
            closing = retention_store.retention_of(self.s.conn, family_id)
            if closing is not None:
                retention_log.record(self.s.conn, retention_log.ending(
                    self.s, retention_log.REOPENED, family_id, closing.signature))
            retention_store.delete_retention(self.s.conn, family_id)
        self.s.events.emit("family_reopened", family_id=family_id)
        return version.version_id


def closing_evaluation(outcome: str, reason: str, lessons: str) -> dict[str, str]:
    """The outcome, reason and lessons a closing version holds, or one line saying what is
    wrong: an outcome must be one of OUTCOMES and needs a reason."""
    reason, lessons = reason.strip(), lessons.strip()
    if not outcome.strip():
        if lessons or reason:
            raise InvalidInput("give the outcome (--outcome: " + ", ".join(OUTCOMES)
                               + ") with the reason and lessons learned")
        return {"outcome": NOT_RECORDED}
    try:
        chosen = outcome_choice(outcome)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    out = {"outcome": chosen,
           "outcome_reason": validation.text(reason, "reason for the outcome")}
    if lessons:
        if len(lessons) > MAX_LESSONS:
            raise InvalidInput(f"the lessons learned are too long ({len(lessons)} characters; "
                               f"at most {MAX_LESSONS})")
        out["lessons"] = validation.text(lessons, "lessons learned")
    return out


def write_certificate(session: Session, disposal: Disposal, out: Path) -> None:
    """Render the disposal certificate in memory and write it, private, to the file the person
    chose; nothing is written anywhere else."""
    from workbook.reports.disposal_certificate import render_disposal_certificate
    from workbook.vault import meta
    from workbook.vault.files import write_private

    write_private(out, render_disposal_certificate(
        disposal, team=meta.get_text(session.conn, "team"), printed_by=session.user.full_name,
        printed_at=session.clock()))
