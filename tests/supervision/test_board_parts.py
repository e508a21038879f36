"""The board's kept parts (services/supervision/board_parts.py): a read after a few changes works
out again only what changed, and must still give exactly the board worked out from scratch -
whatever changes come, in whatever order, read after each or after several (issue 19)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from supervision_vault import NOW, BoardVault

from support.budget import RANDOM, budget
from support.family_vault import copy_vault, install_keyring
from workbook.domain.entry_types import EntryType
from workbook.domain.supervision import ReviewForm
from workbook.services.errors import InvalidInput
from workbook.services.family import milestones, plan_actions
from workbook.services.session import Session
from workbook.services.supervision import board_digest, board_parts, digest_folder
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.board import board, board_of
from workbook.services.upkeep.retention import Retention

NAMES = ["Adams", "Brown", "Clark", "Davis"]
TYPES = [EntryType.NOTE, EntryType.VISIT, EntryType.CONFERENCE,
         EntryType.STRATEGY_DISCUSSION, EntryType.CORE_GROUP]
_STEPS = st.lists(st.tuples(
    st.sampled_from(["action", "close", "redate", "reassign", "entry", "urgent", "respond",
                     "edit", "delete", "milestone", "referral", "review", "owner", "family",
                     "same name", "shut", "later", "relock"]),
    st.integers(0, 3), st.integers(-40, 40), st.booleans()), min_size=1, max_size=14)


def _same(tm: Session, now: datetime) -> None:
    assert board(tm, now).to_json() == board(tm, now, fresh=True).to_json()


class _Changes:
    """What the steps made, so later steps can pick something to change."""

    def __init__(self, bv: BoardVault) -> None:
        self.ids = bv.ids
        self.actions = [bv.ids["act_overdue"], bv.ids["act_future"], bv.ids["act_done"]]
        self.entries = [bv.ids["note_adams"], bv.ids["note_clark"], bv.ids["note_brown"]]
        self.families = [bv.ids[name] for name in NAMES]
        self.closed: set[str] = set()

    def apply(self, tm: Session, step: str, which: int, days: int) -> None:
        """One change; a refusal (already urgent, no change) changes nothing and is fine."""
        fid = self.families[(which + days) % len(self.families)]
        day = (date(2026, 3, 2) + timedelta(days=days)).isoformat()
        action = self.actions[(which + days) % len(self.actions)]
        entry = self.entries[(which + days) % len(self.entries)]
        try:
            if step == "action":
                self.actions.append(tm.families.add_action(fid, f"Do {day}", "sw1", day))
            elif step == "close":
                plan_actions.set_action_status(tm, action, ["done", "cancelled", "open"][which % 3])
            elif step == "redate":
                plan_actions.redate(tm, action, day)
            elif step == "reassign":
                plan_actions.reassign(tm, action, ["sw1", "tm", "pc1"][which % 3])
            elif step == "entry":
                self.entries.append(tm.families.add_entry(
                    fid, "case-notes", f"Note {day}", min(day, "2026-03-02"),
                    TYPES[(days + 40) % len(TYPES)]))
            elif step == "urgent":
                milestones.mark_urgent(tm, entry)
            elif step == "respond":
                milestones.record_response(tm, entry, f"Responded {day}")
            elif step == "edit":
                tm.families.edit_entry(entry, f"Edited {day}")
            elif step == "delete":
                tm.families.delete_entry(entry, "wrong family")
            elif step == "milestone":
                milestones.record_assessment_completed(tm, fid, min(day, "2026-03-02"))
            elif step == "referral":
                milestones.record_referral(tm, fid, min(day, "2026-03-02"))
            elif step in ("review", "owner"):   # a review, or one appointing a case owner
                held = min(day, "2026-03-02")
                session_id = supervision.start_session(tm, held, ["sw1"], [fid])
                supervision.record_review(tm, session_id, fid, ReviewForm(
                    "Reviewed", "", "", "Carry on", 5,
                    (date(2026, 3, 2) + timedelta(days=20 + abs(days))).isoformat(),
                    new_case_owner="" if step == "review" else ["sw1", "pc1", "tm"][which % 3]))
                supervision.finish(tm, session_id)
            elif step == "family":
                self.families.append(tm.families.add(f"Family {day}", f"REF-{days}"))
            elif step == "same name":  # ties broken by the family id
                self.families.append(tm.families.add(f"{NAMES[which]} family", "REF-X"))
            elif step == "shut" and fid in self.closed:   # closed families: decision 0011
                Retention(tm).reopen(fid)
                self.closed.discard(fid)
            elif step == "shut":
                Retention(tm).close(fid, tm.policy.family_types()[0])
                self.closed.add(fid)
        except InvalidInput:
            pass


# WORKBOOK_DIGEST_EXAMPLES (default 100 in test_board_digest; a third of it here, as each
# example reads the board twice after most steps).
@settings(max_examples=max(10, budget("WORKBOOK_DIGEST_EXAMPLES", 100) // 3), deadline=None,
          database=None, derandomize=not RANDOM, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_STEPS)
def test_the_kept_board_after_any_changes_is_the_board_from_scratch(
        board_template: BoardVault, steps: list[tuple[str, int, int, bool]]) -> None:
    previous = keyring.get_keyring()
    root = Path(tempfile.mkdtemp(prefix="board-parts-"))
    try:
        bv = BoardVault(copy_vault(board_template.base, root), dict(board_template.ids))
        install_keyring(bv.base.store)
        changes = _Changes(bv)
        now = NOW
        tm = bv.sign_in("tm")
        try:
            _same(tm, now)
            for step, which, days, read in steps:
                if step == "later":   # urgent concerns' state moves with the time of day
                    now += timedelta(hours=days % 30)
                elif step == "relock":
                    tm.lock()
                    tm = bv.sign_in("tm")
                else:
                    changes.apply(tm, step, which, days)
                if read:
                    _same(tm, now)
            _same(tm, now)
        finally:
            tm.lock()
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(root, ignore_errors=True)


def test_an_added_action_is_worked_in_alone(bv: BoardVault) -> None:
    """The kept parts work in the one logged action, not the whole board again."""
    with bv.sign_in("tm") as tm:
        board(tm)
        parts = board_digest.holder(tm).parts
        assert isinstance(parts, board_parts.Parts)
        families = parts.families
        late = tm.families.add_action(bv.ids["Davis"], "Ring the GP", "sw1", "2026-02-01")
        result = board(tm)
        assert parts.families is families  # the families were not worked out again
        assert late in parts.actions and late in {a.action_id for a in result.overdue_actions}
        assert result.to_json() == board(tm, fresh=True).to_json()
        digest = board_digest.holder(tm).digest
        assert digest is not None and ("action", late) in digest.log


@pytest.mark.parametrize("entry_type", [EntryType.CONFERENCE, EntryType.VISIT])
def test_a_conference_and_its_visits_are_worked_in_by_family(bv: BoardVault,
                                                             entry_type: EntryType) -> None:
    """A first conference brings its family's visits back into the digest; deleting it drops
    them again, unlogged but for the family: either way the board is the board from scratch."""
    fid = bv.ids["Clark"]
    with bv.sign_in("tm") as tm:
        board(tm)
        visit = tm.families.add_entry(fid, "case-notes", "Home visit", "2026-02-20", "visit")
        _same(tm, NOW)
        first = tm.families.add_entry(fid, "case-notes", "Conference", "2026-02-10",
                                      entry_type.value)
        _same(tm, NOW)
        tm.families.delete_entry(first, "wrong family")
        _same(tm, NOW)
        if entry_type is EntryType.CONFERENCE:  # its family's visits left the digest unlogged
            digest = board_digest.holder(tm).digest
            assert digest is not None and (digest_folder.ENTRIES_OF, fid) in digest.log
        tm.families.edit_entry(visit, "Home visit, child seen")
        _same(tm, NOW)


@pytest.mark.parametrize("change", ["renamed", "deleted"])
def test_a_changed_family_record_moves_its_rows(bv: BoardVault, change: str) -> None:
    """No service renames a family yet, but a version from elsewhere may: the family's rows
    (its overdue actions, limits, review row) move with its name, or leave with it. The kept
    digest is changed in memory as a fold would, and the kept board compared with one worked
    out afresh from that same digest."""
    fid = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        board(tm, NOW)
        digest = board_digest.holder(tm).digest
        assert digest is not None
        rec = digest.kinds["family"][fid]
        facts = list(rec[digest_folder.FACTS])
        if change == "renamed":
            facts[0] = "Zimmerman family"
        else:
            facts[4] = True
        rec[digest_folder.FACTS] = facts
        digest.log.append(("family", fid))
        kept = board(tm, NOW)
        assert kept.to_json() == board_of(tm, digest, NOW).to_json()
        names = {a.family_name for a in kept.overdue_actions if a.family_id == fid}
        assert names == ({"Zimmerman family"} if change == "renamed" else set())
