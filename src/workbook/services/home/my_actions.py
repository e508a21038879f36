"""Home's plan actions - my open ones, which make a family mine and may be overdue - read from
the board digest this person keeps (services/supervision/board_digest.py) when there is one,
and from the families' action versions when there is not (issue 19).

Opening every open family's actions at each sign-in cost what the vault's file costs to read:
the same 1,600 actions of 400 open families took 81 ms from a 2,000-family vault and 104 ms from
a 20,000-family one, and 4.5 s where a worker is on 20,000 open families. The digest already
holds every action this person can read, as facts taken from verified heads (due date, open or
not, text, owner), and is kept current by folding in what was logged since; home reads it
anyway for its deadlines. Both ways apply one rule (`digest_folder.action_due` and
`action_open`), and a test holds them equal. A person's very first sign-in, or one after new
keys or a disposal, has no digest that holds: that is the versions' way, as before, while the
deadlines build the digest for next time; a digest that meets a tampered version while folding
is left for the versions' way too, which refuses only tampered actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from workbook.services import collector
from workbook.services.errors import TamperingDetected
from workbook.services.supervision import board_digest
from workbook.services.supervision.digest_folder import (
    ACTION_DUE,
    ACTION_OPEN,
    ACTION_OWNER,
    ACTION_TEXT,
    FACTS,
    FAMILY,
    action_due,
    action_open,
)

if TYPE_CHECKING:
    from workbook.services.session import Session

# record id -> (family id, (text, due as YYYY-MM-DD)) of each of my open actions
MyActions = dict[str, tuple[str, tuple[str, ...]]]


def from_digest(session: Session, today: date) -> MyActions | None:
    """My open actions from the digest, brought up to date; None if there is none that holds
    (it is not built here: that takes seconds, and the versions' way does not)."""
    try:
        digest = board_digest.kept(session, today)
    except TamperingDetected:
        return None
    if digest is None:
        return None
    me = session.user_id
    with collector.paused():
        return {record_id: (rec[FAMILY], (str(facts[ACTION_TEXT]), str(facts[ACTION_DUE])))
                for record_id, rec in digest.kinds["action"].items()
                if (facts := rec[FACTS]) and facts[ACTION_OPEN] and facts[ACTION_OWNER] == me}


def my_open_action(session: Session) -> Callable[[dict[str, Any]], tuple[str, ...] | None]:
    """What the versions' way keeps of an action version: (text, due) of my open ones."""

    def pick(p: dict[str, Any]) -> tuple[str, ...] | None:
        # Only my open actions are kept: the rest of the unit's are dropped as they are read.
        if p.get("owner") != session.user_id or not action_open(p):
            return None
        due = action_due(p)
        return None if due is None else (str(p.get("text", "")), due.isoformat())

    return pick
