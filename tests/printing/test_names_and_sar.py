"""Names from every community print, and a subject access export holds one person's records
with third parties' names always redacted."""

from __future__ import annotations

from pdf_text import flat, pages, whole

from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.services.family.household import add_person_details
from workbook.services.printing import THIRD_PARTY, Printing

NAMES = ["Zoë Kowalska", "Łukasz Kowalski", "Ayşe Şahin", "Nguyễn Thị Lan", "Siobhán Ó Briain"]


def _family(team: TeamVault) -> tuple[str, dict[str, str]]:
    with team.session(Role.SOCIAL_WORKER) as s:
        fid = s.families.add("The Kowalski-Şahin family", "UNI-1")
        ids: dict[str, str] = {}
        ids["Łukasz Kowalski"] = add_person_details(s, fid, "Łukasz Kowalski", "1988-04-02",
                                                    "father", sex="male")
        ids["Ayşe Şahin"] = add_person_details(s, fid, "Ayşe Şahin", "1990-06-12", "mother",
                                               sex="female", partner_of=ids["Łukasz Kowalski"])
        parents = (ids["Łukasz Kowalski"], ids["Ayşe Şahin"])
        ids["Zoë Kowalska"] = add_person_details(s, fid, "Zoë Kowalska", "2017-01-20",
                                                 "daughter", sex="female", parents=parents,
                                                 index=True)
        ids["Nguyễn Thị Lan"] = add_person_details(s, fid, "Nguyễn Thị Lan", "1970-09-09",
                                                   "family friend (carer)", sex="female")
        ids["Siobhán Ó Briain"] = add_person_details(s, fid, "Siobhán Ó Briain", "",
                                                     "aunt", sex="unknown")
        s.families.add_entry(fid, "case-notes", "Visited Zoë at home; Łukasz said Ayşe was at "
                             "work. Nguyễn Thị Lan collects Zoë on Fridays.", "2026-02-01",
                             "visit")
        s.families.add_entry(fid, "home-visit-safety", "Large dog; ask Łukasz to shut it away.",
                             "2026-02-02")
    return fid, ids


def test_names_with_diacritics_print(team: TeamVault) -> None:
    fid, _ids = _family(team)
    with team.session(Role.SOCIAL_WORKER) as s:
        printing = Printing(s)
        for document in (printing.home_visit(fid), printing.case_summary(fid)):
            text = flat("\n".join(pages(document.pdf)))
            for name in NAMES:
                assert name in text, name
            assert "The Kowalski-Şahin family" in text


def test_subject_access_redacts_third_parties_by_default(team: TeamVault) -> None:
    fid, ids = _family(team)
    with team.session(Role.SOCIAL_WORKER) as s:
        redacted = Printing(s).subject_access(ids["Zoë Kowalska"])
    red = flat("\n".join(pages(redacted.pdf)))
    assert "Subject access export" in red
    assert "Zoë Kowalska" in red and "Visited Zoë at home" in red
    for other in ("Łukasz", "Ayşe", "Nguyễn", "Thị Lan", "Siobhán", "Briain"):
        assert other not in red, other
    assert THIRD_PARTY in red
    assert redacted.redacted and redacted.person_id == ids["Zoë Kowalska"]
    assert redacted.family_id == fid


def test_subject_access_holds_only_readable_sections(team: TeamVault) -> None:
    person = team.find("person:a").record_id
    for role in (Role.SOCIAL_WORKER, Role.POLICE):
        with team.session(role) as s:
            document = Printing(s).subject_access(person)
        text = whole(document.pdf)
        assert team.find("person:a").text in text
        police = team.find("entry:police").text
        assert (police in text) == (role is Role.POLICE)
        assert team.find("entry:mental-health").text not in text
