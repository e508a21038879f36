"""Supervision sessions: agenda, reviews, actions into the plan, sign-off, minutes, milestones
and urgent concerns - and bad input that changes nothing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from supervision_vault import BoardVault

from workbook.reports.supervision_minutes import render_minutes
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family import milestones
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.meetings import ActionForm, ReviewForm


def _form(**changes: object) -> ReviewForm:
    base = dict(summary="Mum engaging; school attendance up", working_well="Daily routine",
                worried="Dad's drinking", decisions="Refer to substance misuse service",
                scaling=6, next_review="2026-04-02",
                actions=(ActionForm("Make the referral", "sw1", "2026-03-09"),
                         ActionForm("Ring the school", "tm", "2026-02-01")))
    base.update(changes)
    return ReviewForm(**base)  # type: ignore[arg-type]


def test_whole_session_round_trips_into_plan_and_supervision(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        sid = supervision.start_session(tm, "2026-03-02", ["sw1", "pc1"])
        found = supervision.meeting(tm, sid)
        agenda = [i.family_id for i in found.agenda]
        assert ids["Adams"] in agenda and ids["Brown"] not in agenda
        supervision.add_family(tm, sid, ids["Brown"])
        new_order = [ids["Brown"], *agenda]
        supervision.reorder(tm, sid, new_order)
        assert [i.family_id for i in supervision.meeting(tm, sid).agenda] == new_order
        review_id = supervision.record_review(tm, sid, ids["Adams"], _form())
        # Saving again keeps the actions already in the plan and adds none twice.
        saved = supervision.meeting(tm, sid).reviews[ids["Adams"]]
        assert saved.status == "draft" and saved.form.scaling == 6
        again = supervision.record_review(tm, sid, ids["Adams"],
                                          _form(scaling=7, actions=saved.form.actions))
        assert again == review_id
        assert supervision.finish(tm, sid) == 1
        final = supervision.meeting(tm, sid)
        assert final.finished
        review = final.reviews[ids["Adams"]]
        assert review.status == "final" and review.signed_off_by == "tm"
        assert review.form.scaling == 7
        view = tm.workbooks.open(ids["Adams"]).to_json()
        actions = view["sections"]["plan"]["actions"]
        linked = [a for a in actions if a.get("review") == review_id]
        assert sorted((a["text"], a["owner"], a["due"]) for a in linked) == [
            ("Make the referral", "sw1", "2026-03-09"), ("Ring the school", "tm", "2026-02-01")]
        extract = [e for e in view["sections"]["supervision"]["entries"]
                   if e["id"] == review_id]
        assert extract and "Scaling: 7/10" in extract[0]["text"]
        # The extract is read by people (workbook, chronology, prints): UK dates, owners by name.
        text = extract[0]["text"]
        assert text.startswith("Group supervision on 02/03/2026.")
        assert "(owner Sam Worker, due 09/03/2026)" in text
        assert "Next review: 02/04/2026." in text
        assert "sw1" not in text and "2026-03-09" not in text
        assert extract[0]["status"] == "final" and extract[0]["scaling"] == 7
        from workbook.services.supervision.board import board

        result = board(tm)
        # Recorded with a due date already past: overdue at once, in calendar days.
        ring = next(a for a in result.overdue_actions if a.text == "Ring the school")
        assert ring.days_overdue == 29
        assert ids["Adams"] not in {f.family_id for f in result.due_families}
        with pytest.raises(InvalidInput, match="finished"):
            supervision.record_review(tm, sid, ids["Adams"], _form())
        events = [e["event"] for e in tm.audit_trail.events()]
        for event in ("supervision_started", "review_recorded", "review_signed_off",
                      "supervision_finished", "supervision_agenda_changed"):
            assert event in events


def test_minutes_text(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        sid = supervision.start_session(tm, "2026-03-02", ["sw1"], [ids["Adams"], ids["Clark"]])
        supervision.record_review(tm, sid, ids["Adams"], _form(summary="Zoë <safe> & well"))
        supervision.finish(tm, sid)
        pdf = render_minutes(supervision.meeting(tm, sid), printed_by="Tess Manager",
                             printed_at=tm.clock())
        supervision.record_minutes_output(tm, sid, "print")
        assert "print" in [e["event"] for e in tm.audit_trail.events()]
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Group supervision minutes", "02/03/2026", "Adams family",
                     "Zoë <safe> & well", "Dad's drinking", "Scaling judgement: 6 / 10",
                     "Make the referral", "Sam Worker", "09/03/2026",
                     "Next review: 02/04/2026", "Signed off by Tess Manager on 02/03/2026",
                     "1 family on the agenda was not reviewed",
                     "Attendees: Tess Manager, Sam Worker",
                     "OFFICIAL-SENSITIVE", "Tess Manager"):
        assert expected in text, expected
    # People by name, never by username (issue 14); the family not reached is only counted.
    for absent in ("sw1", "tm ", "Clark family", "2026-03-02"):
        assert absent not in text, absent
    assert reader.metadata.title == "Group supervision minutes"
    assert "Adams" not in str(reader.metadata)


@pytest.mark.parametrize(("changes", "message"), [
    ({"summary": "  "}, "summary must not be empty"),
    ({"scaling": 11}, "from 0 to 10"),
    ({"scaling": -1}, "from 0 to 10"),
    ({"scaling": None}, "scaling judgement"),
    ({"scaling": True}, "whole number"),
    ({"next_review": ""}, "next review date"),
    ({"next_review": "2026-02-30"}, "YYYY-MM-DD"),
    ({"next_review": "2026-03-01"}, "must be after"),
    ({"worried": "x" * 20_001}, "too long"),
    ({"decisions": "a\x00b"}, "NUL"),
    ({"actions": (ActionForm("", "sw1", "2026-03-09"),)}, "action 1 has no text"),
    ({"actions": (ActionForm("Do it", "nobody", "2026-03-09"),)}, "no active user"),
    ({"actions": (ActionForm("Do it", "sw1", "soon"),)}, "due date of action 1"),
    ({"actions": (ActionForm("Do it", "sw1", "2026-03-09", "zz"),)}, "action id"),
])
def test_bad_review_forms_change_nothing(bv: BoardVault, changes: dict[str, object],
                                         message: str) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        sid = supervision.start_session(tm, "2026-03-02", [], [ids["Adams"]])
        before = len(tm.records.of_family(ids["Adams"]))
        with pytest.raises(InvalidInput, match=message):
            supervision.record_review(tm, sid, ids["Adams"], _form(**changes))
        assert len(tm.records.of_family(ids["Adams"])) == before
        assert not supervision.meeting(tm, sid).reviews


def test_session_refusals(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("sw1") as sw:
        with pytest.raises(NotPermitted, match="team manager or a senior social worker"):
            supervision.start_session(sw, "2026-03-02", [])
    with bv.sign_in("tm") as tm:
        with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
            supervision.start_session(tm, "March", [])
        with pytest.raises(InvalidInput, match="no active user"):
            supervision.start_session(tm, "2026-03-02", ["ghost"])
        with pytest.raises(NotFound):
            supervision.start_session(tm, "2026-03-02", [], ["0" * 32])
        sid = supervision.start_session(tm, "2026-03-02", [], [ids["Adams"]])
        with pytest.raises(InvalidInput, match="already on the agenda"):
            supervision.add_family(tm, sid, ids["Adams"])
        with pytest.raises(InvalidInput, match="exactly the families"):
            supervision.reorder(tm, sid, [ids["Adams"], ids["Brown"]])
        with pytest.raises(InvalidInput, match="not on this session's agenda"):
            supervision.record_review(tm, sid, ids["Brown"], _form())
        with pytest.raises(InvalidInput, match="no family has been reviewed"):
            supervision.finish(tm, sid)
        with pytest.raises(NotFound):
            supervision.meeting(tm, "f" * 32)
        with pytest.raises(InvalidInput, match="whole number"):
            supervision.parse_scaling("six")
        with pytest.raises(InvalidInput, match="from 0 to 10"):
            supervision.parse_scaling("12")


def test_milestones_and_urgent_concerns_bad_input(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        before = len(tm.records.of_family(ids["Adams"]))
        with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
            milestones.record_assessment_completed(tm, ids["Adams"], "20/02/2026")
        with pytest.raises(InvalidInput, match="in the future"):
            milestones.record_referral(tm, ids["Adams"], "2026-03-03")
        with pytest.raises(NotFound):
            milestones.record_referral(tm, "a" * 32, "2026-03-01")
        with pytest.raises(InvalidInput, match="already an urgent concern"):
            milestones.mark_urgent(tm, ids["note_adams"])
        with pytest.raises(InvalidInput, match="response must not be empty"):
            milestones.record_response(tm, ids["note_adams"], "   ")
        with pytest.raises(InvalidInput, match="a response to that concern is already"):
            milestones.record_response(tm, ids["note_clark"], "again")
        plain = tm.families.add_entry(ids["Adams"], "case-notes", "Routine call")
        with pytest.raises(InvalidInput, match="not an urgent concern"):
            milestones.record_response(tm, plain, "Done")
        assert len(tm.records.of_family(ids["Adams"])) == before + 1


def test_review_drafts_belong_to_their_author_family_and_session(bv: BoardVault) -> None:
    from workbook.services.family import drafts
    from workbook.services.supervision import review_drafts
    from workbook.vault import draft_store

    ids = bv.ids
    with bv.sign_in("tm") as tm:
        sid = supervision.start_session(tm, "2026-03-02", [], [ids["Adams"]])
        review_drafts.save_review_draft(tm, sid, ids["Adams"], _form(summary="typed so far"))
        review_drafts.save_review_draft(tm, sid, ids["Adams"], _form(summary="typed more"))
        found = review_drafts.review_draft(tm, sid, ids["Adams"])
        assert found is not None and found.summary == "typed more"
        assert found.actions[0].text == "Make the referral"
        assert review_drafts.review_draft(tm, "1" * 32, ids["Adams"]) is None
        assert drafts.drafts_for(tm, ids["Adams"]) == []  # not an entry draft
        rows = draft_store.of_user(tm.conn, tm.user_id, ids["Adams"])
        assert len(rows) == 1
        # Moved to another family, the body no longer opens: it is left out, never shown.
        with tm.write():
            tm.conn.execute("UPDATE drafts SET family_id = ? WHERE draft_id = ?",
                            (ids["Brown"], rows[0].draft_id))
        assert review_drafts.review_draft(tm, sid, ids["Brown"]) is None
        assert review_drafts.review_draft(tm, sid, ids["Adams"]) is None
    with bv.sign_in("sw1") as sw:
        assert review_drafts.review_draft(sw, sid, ids["Adams"]) is None


def test_saving_again_keeps_actions_already_in_the_plan(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        sid = supervision.start_session(tm, "2026-03-02", [], [ids["Adams"]])
        supervision.record_review(tm, sid, ids["Adams"], _form())
        supervision.record_review(tm, sid, ids["Adams"], _form(
            actions=(ActionForm("One more thing", "sw1", "2026-03-20"),)))
        review = supervision.meeting(tm, sid).reviews[ids["Adams"]]
        assert sorted(a.text for a in review.form.actions) == [
            "Make the referral", "One more thing", "Ring the school"]
        assert all(a.action_id for a in review.form.actions)
        plan = tm.workbooks.open(ids["Adams"]).to_json()["sections"]["plan"]["actions"]
        assert sum(a.get("review") == review.review_id for a in plan) == 3
