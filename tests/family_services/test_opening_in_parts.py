"""Opening a big family in parts (services/family/workbooks.OpeningInParts,
ui/family/loading.FamilyLoad): the first look holds only whole, verified records; the parts end in
exactly what one opening gives; the reads are audited as one opening; a cancelled or
foreign-session opening keeps nothing; a tampered row in a later part stops the opening."""

from __future__ import annotations

from typing import Any

import pytest

from support.family_vault import FamilyVault
from workbook.domain.workbook import FamilyWorkbook
from workbook.services.errors import NotFound, TamperingDetected
from workbook.services.family.workbooks import OpeningInParts
from workbook.ui.family.loading import FamilyLoad, FamilySnapshot, LoadProgress, load_family


def _grow(fv: FamilyVault) -> dict[str, str]:
    """More entries than a tiny first look holds, one corrected, one deleted, one in conflict."""
    ids: dict[str, str] = {}
    with fv.sign_in("tm") as s:
        for i in range(8):
            ids[f"e{i}"] = s.families.add_entry(
                fv.family_id, "case-notes", f"Entry number {i}", f"2025-0{1 + i % 9}-1{i}",
                "note", significant=i % 3 == 0)
        s.families.edit_entry(ids["e1"], "Entry number 1, corrected")
        s.families.delete_entry(ids["e2"], "written in the wrong family")
        head = s.families.entry_history(ids["e3"])[-1]
        with s.write():
            for text in ("One reading", "Another reading"):
                s.records.write(family_id=fv.family_id, record_id=ids["e3"], kind="entry",
                                section="case-notes", parents=(head.version_id,),
                                payload={**head.payload, "text": text})
    return ids


def _open_in_parts(s: Any, family_id: str, first: int = 2, chunk: int = 3
                   ) -> tuple[FamilyWorkbook, FamilyWorkbook, int]:
    opening = OpeningInParts(family_id, first_entries=first, chunk=chunk, whole_up_to=0)
    first_look = opening.first(s)
    assert not opening.done
    steps = 0
    while True:
        steps += 1
        whole = opening.step(s)
        if whole is not None:
            assert opening.done and opening.opened == opening.total
            return first_look, whole, steps


def _entries(view: FamilyWorkbook) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for content in view.to_json()["sections"].values()
            for e in content["entries"]}


@pytest.mark.parametrize("username", ["tm", "mh1", "pc1"])
def test_the_parts_end_in_exactly_one_opening(fv: FamilyVault, username: str) -> None:
    ids = _grow(fv)
    with fv.sign_in(username) as s:
        whole = s.workbooks.open(fv.family_id, audit=False)
        first_look, parted, steps = _open_in_parts(s, fv.family_id)
        assert steps >= 2
        assert parted.to_json() == whole.to_json()
        # The first look has the family, every person and action and the safety flag, and
        # only records whose shown content is already final.
        assert first_look.family == whole.family
        whole_sections = whole.to_json()["sections"]
        for section, content in first_look.to_json()["sections"].items():
            for bucket in ("persons", "actions"):
                assert content.get(bucket, []) == whole_sections[section].get(bucket, [])
        full_entries = _entries(whole)
        shown = _entries(first_look)
        assert fv.ids["safety"] in shown
        assert 0 < len(shown) < len(full_entries)
        for entry_id, entry in shown.items():
            assert entry == full_entries[entry_id]
        if username == "tm":
            assert ids["e3"] in full_entries and full_entries[ids["e3"]]["conflict"]


def test_a_family_load_in_parts_ends_in_the_snapshot_of_one_load(fv: FamilyVault) -> None:
    _grow(fv)
    with fv.sign_in("tm") as s:
        whole = load_family(s, fv.family_id, audit=False)
        load = FamilyLoad(fv.family_id, first_entries=1, chunk=2, whole_up_to=0)
        first = load.first(s)
        assert not first.complete and isinstance(first.loading, LoadProgress)
        assert 0 < len(first.rows) < len(whole.rows)
        progress: list[LoadProgress] = []
        while True:
            result = load.step(s)
            if isinstance(result, FamilySnapshot):
                break
            progress.append(result)
        assert [p.opened for p in progress] == sorted(p.opened for p in progress)
        assert result.complete
        assert result == whole
        assert [r.entry_id for r in result.rows] == [r.entry_id for r in whole.rows]


def test_a_small_family_opens_whole_at_once(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s:
        snapshot = FamilyLoad(fv.family_id).first(s)
        assert snapshot.complete
        assert snapshot == load_family(s, fv.family_id, audit=False)


def _audited(fv: FamilyVault) -> list[str]:
    """The opening events of the family so far, as the team manager reads the audit log."""
    with fv.sign_in("tm") as tm:
        return [e["event"] for e in tm.audit_trail.events()
                if e["ids"].get("family") == fv.family_id
                and e["event"] in ("family_opened", "section_read")]


def test_the_parts_are_audited_as_one_opening(fv: FamilyVault) -> None:
    _grow(fv)
    before = _audited(fv)
    with fv.sign_in("mh1") as s:
        s.workbooks.open(fv.family_id)
    once = _audited(fv)[len(before):]
    with fv.sign_in("mh1") as s:
        _open_in_parts(s, fv.family_id, first=1, chunk=1)
    parted = _audited(fv)[len(before) + len(once):]
    assert once == ["family_opened", "section_read"]
    assert parted == once


def test_a_cancelled_opening_keeps_nothing(fv: FamilyVault) -> None:
    _grow(fv)
    with fv.sign_in("tm") as s:
        opening = OpeningInParts(fv.family_id, first_entries=1, chunk=1, whole_up_to=0)
        opening.first(s)
        opening.cancel()
        with pytest.raises(NotFound, match="cancelled"):
            opening.step(s)
        assert opening._versions == [] and opening._rest == []
        with pytest.raises(NotFound):
            opening.step(s)


def test_an_opening_is_never_continued_by_another_session(fv: FamilyVault) -> None:
    _grow(fv)
    opening = OpeningInParts(fv.family_id, first_entries=1, chunk=1, whole_up_to=0)
    with fv.sign_in("tm") as s:
        opening.first(s)
    with fv.sign_in("tm") as other, pytest.raises(NotFound):
        opening.step(other)
    assert opening._versions == []


def test_an_unknown_family_is_not_found(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s, pytest.raises(NotFound):
        OpeningInParts("0" * 32).first(s)


def test_a_tampered_row_in_a_later_part_stops_the_opening(fv: FamilyVault) -> None:
    ids = _grow(fv)
    with fv.sign_in("tm") as s:
        opening = OpeningInParts(fv.family_id, first_entries=1, chunk=2, whole_up_to=0)
        first_look = opening.first(s)
        later = next(i for k, i in ids.items() if k != "e2" and i not in _entries(first_look))
        with s.write():
            s.conn.execute("UPDATE versions SET created_at = '2001-01-01T00:00:00+00:00' "
                           "WHERE record_id = ?", (later,))
        with pytest.raises(TamperingDetected):  # noqa: PT012 - whichever part holds it
            while opening.step(s) is None:
                pass


def test_a_first_look_holds_the_newest_assessment_by_its_date(fv: FamilyVault) -> None:
    """Of many risk assessments, a first look opens only the newest few by the date they give
    (read from the encrypted payload to choose, then verified), so the assessment panel shows
    at first paint what the whole opening shows - even when the newest by date was written
    first - while the plain risk-assessment entries wait for the later parts."""
    from workbook.services.family import workbooks
    from workbook.services.family.assessments import from_workbook, save_assessment

    factors = {"violence": ("low", "no incidents this year")}
    with fv.sign_in("tm") as s:
        newest = save_assessment(s, fv.family_id, factors, "The newest by date",
                                 date="2026-06-01")
        for i in range(workbooks.FIRST_ASSESSMENTS + 3):
            save_assessment(s, fv.family_id, factors, f"Older {i}", date=f"2024-0{1 + i}-01")
            s.families.add_entry(fv.family_id, "risk-assessment", f"Plain note {i}",
                                 f"2026-0{1 + i % 9}-02")
    with fv.sign_in("tm") as s:
        whole = s.workbooks.open(fv.family_id, audit=False)
        first_look, parted, _steps = _open_in_parts(s, fv.family_id, first=1, chunk=5)
        latest = from_workbook(first_look)
        assert latest is not None and latest.version_id == newest
        assert latest == from_workbook(whole)
        risk = [e for e in first_look.section("risk-assessment").entries]
        assert len(risk) <= workbooks.FIRST_ASSESSMENTS + 1
        assert parted.to_json() == whole.to_json()


def test_a_forged_assessment_chosen_first_stops_the_first_look(fv: FamilyVault) -> None:
    """The unverified read only chooses: a row whose body was swapped for another row's fails
    its checks when the first look opens it, as a whole opening would."""
    from workbook.services.family import workbooks
    from workbook.services.family.assessments import save_assessment

    factors = {"violence": ("low", "no incidents this year")}
    with fv.sign_in("tm") as s:
        ids = [save_assessment(s, fv.family_id, factors, f"Assessment {i}",
                               date=f"2025-0{1 + i}-01")
               for i in range(workbooks.FIRST_ASSESSMENTS + 2)]
        s.conn.execute("UPDATE versions SET body = (SELECT body FROM versions WHERE "
                       "version_id = ?) WHERE version_id = ?", (ids[0], ids[-1]))
    with fv.sign_in("tm") as s, pytest.raises(TamperingDetected):
        OpeningInParts(fv.family_id, first_entries=1, whole_up_to=0).first(s)
