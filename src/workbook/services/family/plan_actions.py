"""Finishing plan actions: done, cancelled (with a reason), reopened, reassigned and re-dated.

An overdue action is one not done (nor cancelled) whose due date has passed; marking it done
records the day, so that the board can tell how many actions were overdue at the end of each
past month. Each change is a new version over the action's heads (Records.supersede, audited),
so the action's history keeps every owner, date and status it had.

Who may change an action: its owner, the family's case owner, or a supervisor (Act
CHANGE_ANY_ACTION). Owner and case owner are read from the signed, verified versions of the
action and of the family, never from a cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import REFUSALS, Act
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.access.people import People
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.families import ACTION_STATUSES
from workbook.services.family.records import Heads, heads_of_record

if TYPE_CHECKING:
    from workbook.services.session import Session

MAX_REASON = 2_000


def set_action_status(session: Session, action_id: str, status: str) -> str:
    """A new version of the action with `status` (open, done or cancelled); returns its id.
    Cancelling through here records no reason: `cancel` asks for one."""
    status = status.strip().lower()
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"unknown action status {status[:40]!r}; use one of "
                           f"{', '.join(ACTION_STATUSES)}")
    return _change(session, action_id, "action_status_changed",
                   lambda p: _with_status(session, p, status))


def mark_done(session: Session, action_id: str) -> str:
    """The action is done today (the session clock's day)."""

    def change(payload: dict[str, Any]) -> dict[str, Any]:
        _not_already(payload, "done")
        return _with_status(session, payload, "done")

    return _change(session, action_id, "action_status_changed", change)


def cancel(session: Session, action_id: str, reason: str) -> str:
    """The action will not be done, and why: the reason is kept in the action's version."""
    reason = validation.text(reason, "reason for cancelling")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason for cancelling is too long ({len(reason)} characters; "
                           f"at most {MAX_REASON})")

    def change(payload: dict[str, Any]) -> dict[str, Any]:
        _not_already(payload, "cancelled")
        payload = _with_status(session, payload, "cancelled")
        payload["cancel_reason"] = reason
        return payload

    return _change(session, action_id, "action_status_changed", change)


def reassign(session: Session, action_id: str, owner: str) -> str:
    """Give the action to another active practitioner, named by username or full name."""
    new_owner = People(session).find_owner(owner)

    def change(payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("owner") == new_owner.user_id:
            raise InvalidInput(f"{new_owner.full_name} already owns this action")
        payload["owner"] = new_owner.user_id
        return payload

    return _change(session, action_id, "action_reassigned", change)


def redate(session: Session, action_id: str, due: str) -> str:
    """Move the action's due date (YYYY-MM-DD)."""
    due = validation.iso_date(due, "due date")

    def change(payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("due") == due:
            raise InvalidInput("the action is already due on that day")
        payload["due"] = due
        return payload

    return _change(session, action_id, "action_redated", change)


def may_change(session: Session, action_id: str) -> bool:
    """Whether I may change this action (for what a screen offers; the change checks again)."""
    try:
        heads = _action_heads(session, action_id)
    except NotFound:
        return False
    return _allowed(session, heads)


# --- the one path -------------------------------------------------------------------------
def _change(session: Session, action_id: str, event: str,
            change: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
    heads = _action_heads(session, action_id)
    if not _allowed(session, heads):
        raise NotPermitted(REFUSALS[Act.CHANGE_ANY_ACTION])
    head = heads.head
    payload = change(dict(head.payload))
    version = session.records.supersede(heads, payload, kind=RecordKind.ACTION, event=event,
                                        ids={"action": head.record_id})
    session.events.emit("action_changed", family_id=head.family_id, action_id=head.record_id)
    return version.version_id


def _action_heads(session: Session, action_id: str) -> Heads:
    action_id = validation.record_id(action_id, "action id")
    versions = session.records.of_record(action_id)
    if not versions or versions[0].kind != "action" or versions[0].section != Section.PLAN.value:
        raise NotFound(f"no plan action {action_id} that you can read")
    return heads_of_record(action_id, versions)


def _allowed(session: Session, heads: Heads) -> bool:
    """The owner (the signed head's), the family's case owner (its signed head's) or a
    supervisor by the signed role."""
    if session.may(Act.CHANGE_ANY_ACTION):
        return True
    if heads.head.payload.get("owner") == session.user_id:
        return True
    return case_owner(session, heads.head.family_id) == session.user_id


def case_owner(session: Session, family_id: str) -> str:
    """The family's case owner (a user id) from its verified head, "" when I cannot read it."""
    versions = [v for v in session.records.of_record(family_id) if v.kind == "family"]
    if not versions:
        return ""
    return str(heads_of_record(family_id, versions).head.payload.get("case_owner", ""))


def _not_already(payload: dict[str, Any], status: str) -> None:
    if payload.get("status", "open") == status:
        raise InvalidInput(f"the action is already {status}")


def _with_status(session: Session, payload: dict[str, Any], status: str) -> dict[str, Any]:
    payload["status"] = status
    payload["closed_on"] = session.now()[:10] if status != "open" else ""
    if status != "cancelled":
        payload.pop("cancel_reason", None)
    return payload
