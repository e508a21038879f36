"""Every print and save is audited (who, which family or person, which sections, when) without
naming a restricted section in the clear; and building a document writes no file anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.services.audit.reads import RESTRICTED
from workbook.services.errors import InvalidInput
from workbook.services.printing import Printing
from workbook.vault import audit_log


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_building_documents_writes_no_file(team: TeamVault, private_temp: Path) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:
        printing = Printing(s)
        printing.home_visit(team.families["a"])  # warm up: fonts, lazy imports
        vault_before = _files(team.path)
        documents = [printing.home_visit(team.families["a"]),
                     printing.case_summary(team.families["a"]),
                     printing.subject_access(team.find("person:a").record_id)]
        vault_after = _files(team.path)
    assert all(d.pdf.startswith(b"%PDF") for d in documents)
    assert list(private_temp.rglob("*")) == []
    assert vault_after == vault_before


def _events(team: TeamVault, name: str) -> list[audit_log.AuditRow]:
    with team.session(Role.TEAM_MANAGER) as s:
        return [r for r in audit_log.rows(s.conn) if r.event == name]


def test_print_and_save_are_audited_with_sections(team: TeamVault) -> None:
    police = team.member(Role.POLICE)
    with team.session(police) as s:
        printing = Printing(s)
        document = printing.case_summary(team.families["a"], "genogram")
        assert "police" in document.sections
        printing.record(document, "print")
        printing.record(printing.home_visit(team.families["a"], "chronology"), "save_pdf")
        with pytest.raises(InvalidInput):
            printing.record(document, "fax")
    printed = _events(team, "print")
    saved = _events(team, "save_pdf")
    assert len(printed) == 1 and len(saved) == 1
    row = printed[0]
    assert row.user_id == police.user_id
    assert row.ids["family"] == team.families["a"]
    assert row.ids["document"] == "case-summary"
    assert row.ids["left_out"] == "genogram"
    assert "household" in row.ids["sections"].split(",")
    assert saved[0].ids["document"] == "home-visit"
    # Restricted section names never in the clear: not in ids, not in the detail.
    for r in printed + saved:
        clear = r.ids_json + (r.detail or b"").decode()
        for section in RESTRICTED:
            assert f'"{section.value}"' not in clear and f",{section.value}" not in clear
        notes = json.loads(r.detail or b"{}")["restricted"]
        assert len(notes) == len(RESTRICTED)  # one per section: the count says nothing


def test_holders_see_which_restricted_sections_were_printed(team: TeamVault) -> None:
    with team.session(Role.POLICE) as s:
        printing = Printing(s)
        printing.record(printing.case_summary(team.families["a"]), "print")
    with team.session(Role.TEAM_MANAGER) as s:  # holds channel, not police
        events = [e for e in s.audit_trail.events() if e["event"] == "print"]
    assert events[-1].get("restricted_sections") == ["channel"]
    with team.session(Role.ADMIN) as s:
        events = [e for e in s.audit_trail.events() if e["event"] == "print"]
    assert "restricted_sections" not in events[-1]
    with team.session(Role.TEAM_MANAGER) as s:
        assert s.audit_trail.verify().ok


def test_subject_access_is_audited_as_such(team: TeamVault) -> None:
    person = team.find("person:a").record_id
    with team.session(Role.SOCIAL_WORKER) as s:
        printing = Printing(s)
        printing.record(printing.subject_access(person, redact_third_parties=True), "save_pdf")
    rows = _events(team, "subject_access")
    assert len(rows) == 1
    assert rows[0].ids["person"] == person
    assert rows[0].ids["family"] == team.families["a"]
    assert rows[0].ids["action"] == "save_pdf"
    assert rows[0].ids["redacted"] is True
    assert _events(team, "save_pdf") == []
