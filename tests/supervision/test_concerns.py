"""The family's time-limits view lists concerns from every section the person may read - a
police officer can mark a police entry urgent - never from a section they cannot read, and
reading a restricted section there is audited with the section's name sealed."""

from __future__ import annotations

import json

from supervision_vault import NOW, BoardVault

from workbook.services.family import milestones
from workbook.services.supervision.board import board
from workbook.vault import audit_log


def test_police_concern_can_be_marked_urgent_and_its_read_is_audited(bv: BoardVault) -> None:
    family = bv.base.family_id
    police_entry = bv.base.ids["police_entry"]
    mental_health_entry = bv.base.ids["mh_entry"]
    with bv.sign_in("pc1") as pc:
        listed = {c.entry_id: c for c in milestones.concerns(pc, family)}
        assert police_entry in listed and listed[police_entry].section == "police"
        assert mental_health_entry not in listed
        reads = [r for r in audit_log.rows(pc.conn)
                 if r.event == "section_read" and r.user_id == pc.user_id]
        assert reads and reads[-1].ids == {"family": family}
        sealed = json.loads(reads[-1].detail or b"{}")
        assert set(sealed) == {"epoch", "sealed"} and "police" not in str(sealed)
        milestones.mark_urgent(pc, police_entry)
        limits = [t for t in board(pc, NOW, family_id=family).time_limits
                  if t.record_id == police_entry]
        assert len(limits) == 1
    with bv.sign_in("tm") as tm:
        listed_for_tm = {c.entry_id for c in milestones.concerns(tm, family)}
        assert police_entry not in listed_for_tm and mental_health_entry not in listed_for_tm
        assert police_entry not in {t.record_id for t in board(tm, NOW).time_limits}
