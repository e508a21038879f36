"""Possible duplicates are found over what the person can decrypt, tolerant of accents, case
and hyphens, only in other families, and only with the same date of birth."""

from __future__ import annotations

from support.family_vault import FamilyVault
from workbook.services.family.duplicates import fold_name, possible_duplicates


def test_fold_name_ignores_accents_case_and_hyphens() -> None:
    assert fold_name("Zoë  Smith-Jones") == fold_name("zoe smith jones")
    assert fold_name("Łukasz Ó Briain") == "lukasz o briain"


def test_same_name_and_date_of_birth_in_another_family_is_a_possible_duplicate(
    fv: FamilyVault,
) -> None:
    with fv.sign_in("tm") as s:
        matches = possible_duplicates(s, "zoe SMITH", "2015-03-02", fv.other_family_id)
        assert [(m.family_name, m.name, m.person_id) for m in matches] == [
            ("Smith family", "Zoë Smith", fv.ids["child"])]


def test_no_match_in_the_same_family_or_with_another_date(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s:
        assert possible_duplicates(s, "Zoë Smith", "2015-03-02", fv.family_id) == []
        assert possible_duplicates(s, "Zoë Smith", "2015-03-03", fv.other_family_id) == []
        assert possible_duplicates(s, "Zoë Smith", "", fv.other_family_id) == []


def test_the_household_is_searched_through_the_keys_not_sql(fv: FamilyVault) -> None:
    # Names are only in encrypted bodies: the clear columns of the person rows hold none.
    with fv.sign_in("tm") as s:
        rows = s.conn.execute("SELECT * FROM versions WHERE kind = 'person'").fetchall()
        assert rows and not any("Zo" in str(col) for row in rows for col in row
                                if isinstance(col, str))
