"""The six steps of sharing information about a concern, and the rules of recording them.

Health staff (and the unit with them) follow a known series of steps before a worry about a
person leaves their discipline: recognise and verify it, speak with the person, consult
colleagues, consult a manager, a specialist risk assessment, and only then share with the
appropriate partners. Each step is recorded with who, when and what was found or decided, or
why it was skipped (speaking with the person may raise the risk). The rules live here, with
no vault, so the CLI, the GUI and the tests read the same ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbook.domain.errors import WorkbookError
from workbook.domain.records import Concern

STEP_TITLES: dict[int, str] = {
    1: "Recognising, analysing and verifying the concern",
    2: "Speaking with the person about it",
    3: "Consulting colleagues or experts",
    4: "Consulting a manager",
    5: "A specialist risk assessment",
    6: "Sharing with the appropriate partners",
}
LAST_STEP = 6
SHARE_STEP = 6
STATES = ("open", "shared", "closed")
MAX_NOTE = 4000


class ConcernRefused(WorkbookError):
    """A step (or a close) that the concern's rules do not allow; nothing was recorded."""


def state(concern: Concern) -> str:
    """"closed" once closed; "shared" once step 6 was completed by a share; else "open"."""
    if concern.status == "closed":
        return "closed"
    if any(s.get("step") == SHARE_STEP and s.get("share") for s in concern.steps):
        return "shared"
    return "open"


def next_step(concern: Concern) -> int | None:
    """The step to record next (steps go in order); None once all six are recorded."""
    done = len(concern.steps)
    return done + 1 if done < LAST_STEP else None


def check_step(concern: Concern, step: int, *, note: str, skipped: str,
               by_share: bool = False) -> None:
    """Refuse a step the rules do not allow, with the one sentence that says why: a step out
    of range, both or neither of a note and a skip reason, a step already recorded, one out of
    order, any step of a closed concern, and step 6 done other than by a share."""
    if type(step) is not int or not 1 <= step <= LAST_STEP:
        raise ConcernRefused(f"there is no step {str(step)[:10]}: the steps are 1 to {LAST_STEP}")
    if bool(note.strip()) == bool(skipped.strip()):
        raise ConcernRefused("give either what was found or decided (--note) or why the step "
                             "was skipped (--skipped), not both and not neither")
    for text, what in ((note, "note"), (skipped, "reason for skipping")):
        if len(text.strip()) > MAX_NOTE:
            raise ConcernRefused(f"the {what} is too long (at most {MAX_NOTE} characters)")
    if concern.status == "closed":
        raise ConcernRefused("this concern is closed: no more steps can be recorded")
    if any(s.get("step") == step for s in concern.steps):
        raise ConcernRefused(f"step {step} of this concern is already recorded")
    expected = next_step(concern)
    if step != expected:
        raise ConcernRefused(f"step {expected} comes next: record the steps in order "
                             f"(skip a step with --skipped REASON)")
    if step == SHARE_STEP and note.strip() and not by_share:
        raise ConcernRefused("step 6 is completed by a share: abstract an entry into a core "
                             "section with --concern, or share a bundle with --concern (or "
                             "record it as skipped with a reason)")


def step_record(step: int, *, by: str, at: str, note: str = "", skipped: str = "",
                share: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One step as a concern's payload keeps it."""
    out: dict[str, Any] = {"step": step, "by": by, "at": at, "note": note.strip(),
                           "skipped": skipped.strip()}
    if share:
        out["share"] = dict(share)
    return out


def with_step(concern: Concern, record: Mapping[str, Any]) -> dict[str, Any]:
    """The concern's next payload: its steps and this one."""
    payload = concern.to_payload()
    payload["steps"] = [*map(dict, concern.steps), dict(record)]
    return payload


def closed(concern: Concern, reason: str) -> dict[str, Any]:
    """The concern's next payload, closed with `reason`; refused when it is closed already."""
    if concern.status == "closed":
        raise ConcernRefused("this concern is already closed")
    reason = reason.strip()
    if not reason:
        raise ConcernRefused("give the reason for closing the concern (--reason)")
    if len(reason) > MAX_NOTE:
        raise ConcernRefused(f"the reason is too long (at most {MAX_NOTE} characters)")
    payload = concern.to_payload()
    payload.update({"status": "closed", "closed_reason": reason})
    return payload
