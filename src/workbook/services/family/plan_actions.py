"""Closing and reopening plan actions. An overdue action is one not done (nor cancelled) whose
due date has passed; marking it done records the day, so that the board can tell how many
actions were overdue at the end of each past month."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.errors import InvalidInput, NotFound
from workbook.services.family.families import ACTION_STATUSES
from workbook.services.family.records import heads_of_record

if TYPE_CHECKING:
    from workbook.services.session import Session


def set_action_status(session: Session, action_id: str, status: str) -> str:
    """A new version of the action with `status` (open, done or cancelled); returns its id."""
    action_id = validation.record_id(action_id, "action id")
    status = status.strip().lower()
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"unknown action status {status[:40]!r}; use one of "
                           f"{', '.join(ACTION_STATUSES)}")
    versions = session.records.of_record(action_id)
    if not versions or versions[0].kind != "action" or versions[0].section != Section.PLAN.value:
        raise NotFound(f"no plan action {action_id} that you can read")
    heads = heads_of_record(action_id, versions)
    head = heads.head
    payload = dict(head.payload)
    payload["status"] = status
    payload["closed_on"] = session.now()[:10] if status != "open" else ""
    version = session.records.supersede(heads, payload, kind=RecordKind.ACTION,
                                        event="action_status_changed", ids={"action": action_id})
    session.events.emit("action_changed", family_id=head.family_id, action_id=action_id)
    return version.version_id
