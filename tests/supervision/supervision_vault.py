"""A vault whose reviews, plan actions and time limits are known, written under fixed clocks
and built once per session (support.family_vault's four people: tm team manager and owner,
sw1 social worker, pc1 police, mh1 mental health), then copied per test.

The board is read "now" = Monday 2 March 2026, 10:00 UTC (England and Wales):
- Adams (opened 5 Jan): assessment completed Fri 20 Feb -> referral due Fri 6 Mar, on track;
  an urgent concern raised Sun 1 Mar 12:00 -> response due 2 Mar 12:00, at risk; an action of
  sw1 due 20 Feb, open (10 days overdue); one due 27 Feb, done; one due 10 Mar, open.
- Brown (opened 5 Jan): assessment completed Tue 10 Feb -> referral due Tue 24 Feb, breached;
  reviewed at the supervision of 15 Feb (next review 15 Apr, so not due in March); an urgent
  concern raised 27 Feb, never answered (breached).
- Clark (opened 5 Jan): assessment completed Mon 16 Feb -> referral due Mon 2 Mar, at risk;
  an urgent concern raised 27 Feb and answered the same day (met).
- Davis (opened 5 Jan): assessment completed 2 Feb and referred 10 Feb (met in time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from support.family_vault import (
    PASSPHRASES,
    FamilyVault,
)
from workbook.services.access.sign_in import sign_in
from workbook.services.family import milestones, plan_actions
from workbook.services.session import Session
from workbook.services.supervision import board_digest, digest_pages
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.digest_folder import KINDS

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(text: str) -> Callable[[], datetime]:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return lambda: moment


@dataclass(frozen=True)
class BoardVault:
    base: FamilyVault
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.base.path

    def sign_in(self, username: str, now: datetime = NOW) -> Session:
        return sign_in(self.base.path, username, PASSPHRASES[username], clock=lambda: now)


def _build(base: FamilyVault) -> BoardVault:
    ids: dict[str, str] = {}
    path = base.path
    with sign_in(path, "tm", PASSPHRASES["tm"], clock=at("2026-01-05T09:00:00")) as tm:
        for name in ("Adams", "Brown", "Clark", "Davis"):
            ids[name] = tm.families.add(f"{name} family", f"REF-{name[0]}")
        ids["note_adams"] = tm.families.add_entry(ids["Adams"], "case-notes",
                                                  "Neighbour reports shouting", "2026-01-05")
        ids["note_brown"] = tm.families.add_entry(ids["Brown"], "case-notes",
                                                  "School raises a concern", "2026-01-05")
        ids["note_clark"] = tm.families.add_entry(ids["Clark"], "case-notes",
                                                  "Child missing from school", "2026-01-05")
        ids["act_overdue"] = tm.families.add_action(ids["Adams"], "Arrange the home visit",
                                                    "sw1", "2026-02-20")
        ids["act_done"] = tm.families.add_action(ids["Adams"], "Call the school", "tm",
                                                 "2026-02-27")
        ids["act_future"] = tm.families.add_action(ids["Adams"], "Book the GP", "tm",
                                                   "2026-03-10")
    with sign_in(path, "tm", PASSPHRASES["tm"], clock=at("2026-02-21T09:00:00")) as tm:
        milestones.record_assessment_completed(tm, ids["Adams"], "2026-02-20")
        milestones.record_assessment_completed(tm, ids["Brown"], "2026-02-10")
        milestones.record_assessment_completed(tm, ids["Clark"], "2026-02-16")
        milestones.record_assessment_completed(tm, ids["Davis"], "2026-02-02")
        milestones.record_referral(tm, ids["Davis"], "2026-02-10")
    with sign_in(path, "tm", PASSPHRASES["tm"], clock=at("2026-02-15T14:00:00")) as tm:
        ids["reviewed_session"] = supervision.start_session(tm, "2026-02-15", ["sw1"],
                                                            [ids["Brown"]])
        supervision.record_review(tm, ids["reviewed_session"], ids["Brown"],
                                  supervision.ReviewForm(
                                      "Engaging well", "", "", "Carry on", 7, "2026-04-15"))
        supervision.finish(tm, ids["reviewed_session"])
    with sign_in(path, "tm", PASSPHRASES["tm"], clock=at("2026-02-27T08:00:00")) as tm:
        milestones.mark_urgent(tm, ids["note_brown"])
        milestones.mark_urgent(tm, ids["note_clark"])
    with sign_in(path, "tm", PASSPHRASES["tm"], clock=at("2026-02-27T16:00:00")) as tm:
        milestones.record_response(tm, ids["note_clark"], "Police welfare check done")
        plan_actions.set_action_status(tm, ids["act_done"], "done")
    with sign_in(path, "tm", PASSPHRASES["tm"], clock=at("2026-03-01T12:00:00")) as tm:
        milestones.mark_urgent(tm, ids["note_adams"])
    return BoardVault(base, ids)


def stored_digest(session: Session) -> board_digest.BoardDigest | None:
    """The digest as stored (its head and pages), read back whole; None if it does not open."""
    mine = board_digest.holder(session)
    read = digest_pages.PagedRead(session.conn, session.user_id, session.vault_id, mine.key,
                                  mine.ad, board_digest.FORMAT, KINDS,
                                  lambda _head: True)
    while not read.step():
        pass
    if read.head is None:
        return None
    digest = board_digest.BoardDigest.from_head(read.head)
    digest.kinds = read.kinds
    return digest

