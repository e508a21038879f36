"""The demo's genogram links (issue 14, item 9), on the relationships the demo writes."""

from __future__ import annotations

from workbook.demo_genogram import genogram_links, sex_of


def test_a_two_parent_household_is_linked() -> None:
    relationships = ["mother", "stepfather", "daughter", "son"]
    ids = ["m", "s", "", ""]
    links = genogram_links(relationships, ids)
    assert [l["sex"] for l in links] == ["female", "male", "female", "male"]  # noqa: E741
    assert links[1]["partner_of"] == "m"
    assert links[2]["parents"] == ["m"] and links[3]["parents"] == ["m"]
    links = genogram_links(["father", "mother", "son"], ["f", "m", ""])
    assert links[0]["partner_of"] == "m" and links[2]["parents"] == ["m", "f"]


def test_a_kinship_grandparent_is_the_mother_s_parent() -> None:
    links = genogram_links(["mother", "grandfather (kinship carer)", "son"], ["m", "g", ""])
    assert links[0]["parents"] == ["g"] and links[2]["parents"] == ["m"]
    assert sex_of("grandmother (kinship carer)") == "female"
    assert sex_of("aunt (carer)") == "female" and sex_of("carer") == "unknown"
