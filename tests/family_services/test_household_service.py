"""Household details for the genogram: added and changed as new signed versions, checked,
audited and announced; never an overwrite."""

from __future__ import annotations

import pytest

from support.family_vault import FamilyVault
from workbook.services.errors import InvalidInput, NotFound
from workbook.services.family.household import add_person_details, genogram_person, update_person


def _persons(session, family_id: str) -> dict[str, dict]:
    view = session.workbooks.open(family_id, audit=False).to_json()
    return {p["id"]: p for p in view["sections"]["household"]["persons"]}


def test_add_person_details_stores_the_genogram_fields(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s:
        persons = _persons(s, fv.family_id)
        child = persons[fv.ids["child"]]
        assert child["sex"] == "female" and child["index"] is True
        assert child["parents"] == [fv.ids["mother"], fv.ids["father"]]
        assert persons[fv.ids["father"]]["partner_of"] == fv.ids["mother"]
        (shown,) = [p for p in s.workbooks.open(fv.family_id, audit=False)
                    .section("household").persons if p.id == fv.ids["child"]]
        g = genogram_person(shown)
        assert g.parents == (fv.ids["mother"], fv.ids["father"]) and g.index


def test_update_person_writes_a_new_version_with_the_head_as_parent(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s:
        events: list[tuple[str, dict]] = []
        s.events.subscribe(lambda name, payload: events.append((name, payload)))
        before = s.records.of_record(fv.ids["father"])
        version_id = update_person(s, fv.ids["father"], separated=True, relationship="father")
        after = s.records.of_record(fv.ids["father"])
        assert len(after) == len(before) + 1
        newest = next(v for v in after if v.version_id == version_id)
        assert newest.parents == (before[0].version_id,)
        assert newest.payload["separated"] is True
        assert newest.payload["name"] == "Mark Smith"        # unchanged fields kept
        assert ("person_edited", {"family_id": fv.family_id,
                                  "person_id": fv.ids["father"]}) in events
        assert any(e["event"] == "person_edited" for e in s.audit_trail.events())
        assert s.audit_trail.verify().ok


@pytest.mark.parametrize("changes, message", [
    ({"sex": "other"}, "sex must be one of"),
    ({"partner_of": "f" * 32}, "partner must be a member"),
    ({"parents": ["e" * 32]}, "each parent must be a member"),
    ({"dob": "31/12/2020"}, "YYYY-MM-DD"),
    ({"name": "  "}, "must not be empty"),
])
def test_bad_details_are_refused_and_change_nothing(fv: FamilyVault, changes: dict,
                                                    message: str) -> None:
    with fv.sign_in("tm") as s:
        before = len(s.records.of_record(fv.ids["child"]))
        with pytest.raises(InvalidInput, match=message):
            update_person(s, fv.ids["child"], **changes)
        assert len(s.records.of_record(fv.ids["child"])) == before


def test_a_person_cannot_be_their_own_parent_or_partner(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s:
        with pytest.raises(InvalidInput, match="own parent"):
            update_person(s, fv.ids["child"], parents=[fv.ids["child"]])
        with pytest.raises(InvalidInput, match="own partner"):
            update_person(s, fv.ids["child"], partner_of=fv.ids["child"])
        with pytest.raises(InvalidInput, match="partner cannot also be their parent"):
            update_person(s, fv.ids["child"], partner_of=fv.ids["mother"])


def test_a_person_of_another_family_is_not_a_valid_parent(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s, pytest.raises(InvalidInput, match="same household"):
        add_person_details(s, fv.family_id, "New Baby", "2026-01-01", "son",
                           parents=[fv.ids["jones_person"]])


def test_update_of_an_unknown_person_is_not_found(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s, pytest.raises(NotFound):
        update_person(s, "a" * 32, sex="male")


def test_a_parent_or_partner_younger_than_12_is_refused_with_the_reason(
        fv: FamilyVault) -> None:
    """Issue 14: service-side, whatever screen or command asks, and nothing changes."""
    with fv.sign_in("tm") as s:
        baby = add_person_details(s, fv.family_id, "Ben Smith", "2022-01-01", "son")
        before = len(s.records.of_family(fv.family_id))
        with pytest.raises(InvalidInput, match="Ben Smith is [0-9]+: a parent must be at "
                                               "least 12 years old"):
            add_person_details(s, fv.family_id, "Amy Smith", "2024-05-01", "daughter",
                               parents=[baby])
        with pytest.raises(InvalidInput, match="Ben Smith is [0-9]+: a partner must be"):
            update_person(s, fv.ids["father"], partner_of=baby)
        with pytest.raises(InvalidInput, match="Ben Smith is [0-9]+: a partner must be"):
            update_person(s, baby, partner_of=fv.ids["mother"])
        # A mother's date of birth that would make her 3 is refused too.
        with pytest.raises(InvalidInput, match="Anna Smith is [0-9]+: a parent must be"):
            update_person(s, fv.ids["mother"], dob="2023-01-01")
        assert len(s.records.of_family(fv.family_id)) == before
        # An adult parent, or an unknown date of birth, is fine.
        add_person_details(s, fv.family_id, "Amy Smith", "", "daughter",
                           parents=[fv.ids["mother"]])
