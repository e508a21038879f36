"""Printed documents hold only what the printing person may read, and every page says what it is.

The marker vault (tests/support/vaults.py) has a unique marker in every section of family "a";
each document is read back with pypdf and searched for every marker."""

from __future__ import annotations

import re

import pytest
from pdf_text import flat, metadata, pages, whole

from support.vaults import TeamVault, Written
from workbook.domain.policy import default_policy
from workbook.domain.roles import Role, Section
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.printing import CASE_SUMMARY, HOME_VISIT, Printing

ROLES = [Role.SOCIAL_WORKER, Role.POLICE, Role.MENTAL_HEALTH, Role.TEAM_MANAGER, Role.EDUCATION]


def _readable(role: Role) -> set[str]:
    policy = default_policy()
    return {s.value for s in Section if policy.may_read(role, s)}


def _visible(w: Written, role: Role, family: str) -> bool:
    return w.family_id == family and w.current and w.section in _readable(role)


def _check_every_page(pdf: bytes, full_name: str, handling: str | None) -> None:
    texts = pages(pdf)
    assert texts
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks its markings"
        line = flat(text)
        assert f"Printed by {full_name} on " in line
        assert re.search(rf"Page {number} of {total}\b", line)
        if handling:
            assert handling in line


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_case_summary_holds_exactly_what_the_role_may_read(team: TeamVault, role: Role) -> None:
    family = team.families["a"]
    with team.session(role) as s:
        document = Printing(s).case_summary(family)
    text = whole(document.pdf)
    _check_every_page(document.pdf, team.member(role).full_name, None)
    for w in team.written:
        if _visible(w, role, family):
            assert w.text in text, f"{w.label} missing for {role.value}"
        else:
            assert w.text not in text, f"{w.label} leaked to {role.value}"
    assert set(document.sections) <= _readable(role)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_home_visit_never_shows_what_the_role_may_not_read(team: TeamVault, role: Role) -> None:
    family = team.families["a"]
    with team.session(role) as s:
        document = Printing(s).home_visit(family)
    text = whole(document.pdf)
    _check_every_page(document.pdf, team.member(role).full_name, "Destroy securely after use")
    assert 1 <= len(pages(document.pdf)) <= 3
    for w in team.written:
        if not _visible(w, role, family):
            assert w.text not in text, f"{w.label} leaked to {role.value}"
    # The safety flags and the household are always there for a core-section reader.
    assert team.find("entry:home-visit-safety").text in text
    assert team.find("person:a").text in text
    assert team.find("action:a").text in text


def test_other_families_never_appear(team: TeamVault) -> None:
    with team.session(Role.POLICE) as s:
        text = whole(Printing(s).case_summary(team.families["a"]).pdf)
    for w in team.written:
        if w.family_id == team.families["b"]:
            assert w.text not in text


@pytest.mark.parametrize(("leave_out", "absent"), [
    ("safety,chronology", ["entry:home-visit-safety"]),
    ("household", ["person:a"]),
    ("plan", ["action:a"]),
    ("chronology", ["entry:case-notes:second", "entry:supervision"]),
])
def test_left_out_parts_are_absent(team: TeamVault, leave_out: str, absent: list[str]) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:
        document = Printing(s).home_visit(team.families["a"], leave_out)
    text = whole(document.pdf)
    for label in absent:
        assert team.find(label).text not in text
    assert document.left_out == tuple(leave_out.split(","))
    headings = {"safety": "Home-visit safety flags", "household": "Household",
                "plan": "Current plan actions", "chronology": "Latest chronology entries"}
    for part in leave_out.split(","):
        assert headings[part] not in text


def test_case_summary_parts_can_be_left_out(team: TeamVault) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:
        document = Printing(s).case_summary(team.families["a"], ["chronology", "plan"])
    text = whole(document.pdf)
    assert team.find("entry:case-notes:second").text not in text
    assert team.find("action:a").text not in text
    assert "Genogram" in text


def test_metadata_is_title_and_application_only(team: TeamVault) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:
        printing = Printing(s)
        documents = [printing.home_visit(team.families["a"]),
                     printing.case_summary(team.families["a"]),
                     printing.subject_access(team.find("person:a").record_id)]
    for document in documents:
        meta = metadata(document.pdf)
        assert meta["/Title"] == document.title
        assert meta["/Author"] == "Workbook"
        assert meta["/Creator"] == "Workbook"
        assert meta.get("/Subject", "") == ""
        assert meta.get("/Keywords", "") == ""
        everything = " ".join(meta.values())
        for w in team.written:
            assert w.text not in everything
        assert team.member(Role.SOCIAL_WORKER).full_name not in everything
        assert "MARKER" not in repr(document)


def test_bad_requests_are_refused(team: TeamVault) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:
        printing = Printing(s)
        with pytest.raises(InvalidInput, match="unknown part 'pets'"):
            printing.home_visit(team.families["a"], "pets")
        with pytest.raises(InvalidInput, match="unknown part 'genogram'"):
            printing.home_visit(team.families["a"], "genogram")
        with pytest.raises(InvalidInput, match="nothing to print"):
            printing.home_visit(team.families["a"],
                                "address,safety,household,plan,chronology,contacts")
        with pytest.raises(InvalidInput, match="empty part"):
            printing.home_visit(team.families["a"], "plan,,safety")
        with pytest.raises(InvalidInput, match="unknown document kind"):
            printing.document("minutes", team.families["a"])
        with pytest.raises(NotFound):
            printing.case_summary("0" * 32)
        with pytest.raises(InvalidInput):
            printing.case_summary("../etc/passwd")
        with pytest.raises(NotFound):
            printing.subject_access(team.families["a"])  # a family id, not a person's
    with team.session(Role.ADMIN) as s, pytest.raises(NotPermitted):
        Printing(s).case_summary(team.families["a"])


def test_kinds_and_parts_have_the_documented_names() -> None:
    from workbook.services.printing import PARTS

    assert set(PARTS) == {HOME_VISIT, CASE_SUMMARY}
    assert list(PARTS[HOME_VISIT]) == ["address", "safety", "household", "plan", "chronology",
                                       "contacts"]
    assert list(PARTS[CASE_SUMMARY]) == ["household", "genogram", "assessment", "risk", "plan",
                                         "chronology"]
