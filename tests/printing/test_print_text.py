"""What a printed page reads like, checked with pypdf's text extraction: entries keep their line
breaks, every date is dd/mm/yyyy, no "(you)", no Markdown artefacts, people by full name."""

from __future__ import annotations

import re

from pdf_text import pages

from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.reports.plain import plain
from workbook.services.printing import Printing

NOTE = ("# Visit to the home\n**Concern:** the *front door* was broken.\n"
        "- child seen alone\n- sister at school on 2026-02-03\n[GP letter](https://gp.example)")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _family(team: TeamVault) -> str:
    with team.session(Role.SOCIAL_WORKER) as s:
        fid = s.families.add("The Marsh family", "TXT-1")
        s.families.add_person(fid, "Rosa Marsh", "2016-05-04", "daughter")
        s.families.add_entry(fid, "case-notes", NOTE, "2026-02-04", "visit")
        s.families.add_entry(fid, "home-visit-safety", "Dog in the garden.\nVisit in pairs.",
                             "2026-02-02")
        me = s.user.username
        s.families.add_action(fid, "Book the **core group**", me, "2026-03-20")
    return fid


def test_entries_keep_their_lines_and_lose_markdown(team: TeamVault) -> None:
    fid = _family(team)
    with team.session(Role.SOCIAL_WORKER) as s:
        printing = Printing(s)
        full_name = s.user.full_name
        documents = [printing.home_visit(fid), printing.case_summary(fid)]
        person = next(p.id for p in s.workbooks.open(fid).section("household").persons)
        documents.append(printing.subject_access(person))
    for document in documents:
        text = "\n".join(pages(document.pdf))
        lines = [line.strip() for line in text.splitlines()]
        for expected in ("Visit to the home", "Concern: the front door was broken.",
                         "• child seen alone", "• sister at school on 03/02/2026",
                         "GP letter (https://gp.example)"):
            assert expected in lines, (document.kind, expected, lines)
        for artefact in ("**", "# ", "*front", "](", "(you)"):
            assert artefact not in text, (document.kind, artefact)
        assert not ISO.search(text), (document.kind, ISO.findall(text))
        assert "04/02/2026" in text and "20/03/2026" in text
        assert "Book the core group" in re.sub(r"\s+", " ", text)
        assert full_name in text and s.user.username not in text.replace(full_name, "")
        assert " · Visit · " in text
    safety = "\n".join(pages(documents[0].pdf)).splitlines()
    assert "Dog in the garden." in [line.strip().removeprefix("02/02/2026 ")
                                    for line in safety]


def test_plain_keeps_what_is_not_markup() -> None:
    assert plain("snake_case and 5 * 3 * 2 and x_y") == "snake_case and 5 * 3 * 2 and x_y"
    assert plain("due 2026-13-40 stays") == "due 2026-13-40 stays"  # not a real date
    assert plain("a\n\nb") == "a\n\nb"
