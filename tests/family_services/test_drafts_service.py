"""Drafts are encrypted in the vault for their author alone, survive a lock, and refuse to open
when altered or moved."""

from __future__ import annotations

import pytest

from support.family_vault import FamilyVault
from workbook.services.errors import InvalidInput
from workbook.services.family.drafts import delete_draft, drafts_for, save_draft

SECRET_TEXT = "Draft about the children, not yet finished 55aa"


def test_a_draft_survives_a_lock_and_is_stored_encrypted(fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as s:
        draft_id = save_draft(s, fv.family_id, text=SECRET_TEXT, section="case-notes",
                              date="2026-03-01", entry_type="visit", significant=True)
        raw = s.conn.execute("SELECT body FROM drafts").fetchall()
        assert raw and SECRET_TEXT.encode() not in bytes(raw[0][0])
    with fv.sign_in("sw1") as s:
        (draft,) = drafts_for(s, fv.family_id)
        assert (draft.draft_id, draft.text, draft.date, draft.entry_type, draft.significant) == (
            draft_id, SECRET_TEXT, "2026-03-01", "visit", True)
        save_draft(s, fv.family_id, text=SECRET_TEXT + " more", section="case-notes",
                   draft_id=draft_id)
        assert [d.text for d in drafts_for(s)] == [SECRET_TEXT + " more"]
        assert delete_draft(s, draft_id)
        assert drafts_for(s) == []


def test_another_user_never_sees_or_opens_my_draft(fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as s:
        save_draft(s, fv.family_id, text=SECRET_TEXT, section="case-notes")
        sw1_id = s.user_id
    with fv.sign_in("tm") as s:
        assert drafts_for(s, fv.family_id) == []
        # Even a row moved under my own user id does not open: the key and the associated
        # data belong to its author.
        s.conn.execute("UPDATE drafts SET user_id = ? WHERE user_id = ?", (s.user_id, sw1_id))
        assert drafts_for(s, fv.family_id) == []


@pytest.mark.parametrize("column", ["body", "family_id", "updated_at"])
def test_an_altered_draft_is_left_out(fv: FamilyVault, column: str) -> None:
    with fv.sign_in("sw1") as s:
        save_draft(s, fv.family_id, text=SECRET_TEXT, section="case-notes")
        if column == "body":
            body = bytearray(s.conn.execute("SELECT body FROM drafts").fetchone()[0])
            body[-1] ^= 1
            s.conn.execute("UPDATE drafts SET body = ?", (bytes(body),))
        elif column == "family_id":
            s.conn.execute("UPDATE drafts SET family_id = ?", (fv.other_family_id,))
        else:
            s.conn.execute("UPDATE drafts SET updated_at = '2020-01-01T00:00:00+00:00'")
        assert drafts_for(s) == []


def test_bad_draft_values_are_refused(fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as s:
        with pytest.raises(InvalidInput):
            save_draft(s, fv.family_id, text="x", section="nowhere")
        with pytest.raises(InvalidInput):
            save_draft(s, fv.family_id, text="x", section="case-notes", entry_type="gossip")
        with pytest.raises(InvalidInput):
            save_draft(s, "not-an-id", text="x", section="case-notes")
