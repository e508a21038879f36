"""A home-visit summary is carried into the home: restricted (specialist) sections stay out of
it unless the printing person chooses one for this print - in the service, on the command line
and in the print dialog - and the choice is on the page and in the audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pdf_text import flat, whole
from PySide6.QtCore import Qt
from test_print_cli import _events, _refused, run  # noqa: F401 - the `run` fixture
from test_print_flow import FakePreview, _audit, family_template, fv  # noqa: F401

from support.family_vault import MARKER_POLICE, PASSPHRASES, FamilyVault
from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.services.errors import InvalidInput
from workbook.services.printing import Printing
from workbook.ui.event_bridge import EventBridge
from workbook.ui.family import FamilyWorkbookView
from workbook.ui.operations import Operations
from workbook.ui.printing import flow
from workbook.ui.printing.dialog import PrintOptionsDialog

LEFT_OUT = "Restricted (specialist) sections are left out of this summary."


def test_a_police_officers_default_home_visit_print_holds_no_police_note(
        team: TeamVault) -> None:
    police_note = team.find("entry:police").text
    with team.session(Role.POLICE) as s:
        printing = Printing(s)
        default = printing.home_visit(team.families["a"])
        chosen = printing.home_visit(team.families["a"], include=["police"])
        printing.record(printing.home_visit(team.families["a"], include=["channel"]), "print")
    assert police_note not in whole(default.pdf)
    assert "police" not in default.sections and default.included == ()
    assert "Latest chronology entries" in whole(default.pdf)
    assert LEFT_OUT in flat(whole(default.pdf))
    text = flat(whole(chosen.pdf))
    assert police_note in whole(chosen.pdf)
    assert ("Restricted sections included by the choice of the person who printed this: "
            "Police information.") in text
    assert "police" in chosen.sections and chosen.included == ("police",)
    # The choice is audited, sealed to the section: its holders see it (a team manager holds
    # the Channel section), the administrator does not.
    with team.session(Role.TEAM_MANAGER) as s:
        event = [e for e in s.audit_trail.events() if e["event"] == "print"][-1]
    assert event["chosen_sections"] == ["channel"]
    assert event["restricted_sections"] == ["channel"]
    with team.session(Role.ADMIN) as s:
        event = [e for e in s.audit_trail.events() if e["event"] == "print"][-1]
    assert "chosen_sections" not in event and "channel" not in str(event)


@pytest.mark.parametrize(("include", "words"), [
    (["bogus"], "unknown section 'bogus'"),
    (["plan"], "plan is not a restricted section"),
    (["mental-health"], "you cannot read the Mental health section"),
])
def test_a_wrong_section_choice_is_named_and_nothing_is_printed(
        team: TeamVault, include: list[str], words: str) -> None:
    with team.session(Role.POLICE) as s:
        with pytest.raises(InvalidInput, match=words):
            Printing(s).home_visit(team.families["a"], include=include)
        with pytest.raises(InvalidInput, match="only a home-visit summary"):
            Printing(s).document("case-summary", team.families["a"], include=["police"])
    assert _events(team, "print") == []


def test_include_section_on_the_command_line(run, team: TeamVault,  # noqa: ANN001, F811
                                             tmp_path: Path) -> None:
    police_note = team.find("entry:police").text
    out = tmp_path / "visit.pdf"
    assert run("print", team.families["a"], "--kind", "home-visit", "--out", str(out),
               role=Role.POLICE).code == 0
    assert police_note not in whole(out.read_bytes())
    chosen = tmp_path / "chosen.pdf"
    result = run("print", team.families["a"], "--kind", "home-visit", "--out", str(chosen),
                 "--include-section", "police", role=Role.POLICE)
    assert result.code == 0, result
    assert police_note in whole(chosen.read_bytes())
    bad = tmp_path / "bad.pdf"
    _refused(run("print", team.families["a"], "--kind", "home-visit", "--out", str(bad),
                 "--include-section", "polise", role=Role.POLICE), "unknown section 'polise'")
    assert not bad.exists()
    assert len(_events(team, "save_pdf")) == 2


def test_the_print_dialog_offers_the_restricted_sections_unticked(
        qtbot: Any, fv: FamilyVault, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    ops = Operations()
    bridge = EventBridge()
    bridge.follow(ops)
    view = FamilyWorkbookView(ops, bridge)
    qtbot.addWidget(view)
    view.show()
    try:
        with qtbot.waitSignal(ops.signed_in, timeout=15000):
            ops.sign_in(fv.path, "pc1", PASSPHRASES["pc1"])
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.open_family(fv.family_id)
        fake = FakePreview("save", tmp_path / "chosen.pdf")
        monkeypatch.setattr(flow, "show_print_preview", fake)
        qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
        dialog = next(d for d in view.findChildren(PrintOptionsDialog) if d.isVisible())
        dialog.kind.setCurrentIndex(dialog.kind.findData("home-visit"))
        assert dialog.restricted_box.isVisibleTo(dialog)
        box = dialog.restricted_boxes["police"]
        assert not box.isChecked()
        box.click()  # as a person ticks it
        assert box.isChecked()
        dialog.accept()
        qtbot.waitUntil(lambda: fake.result is not None, timeout=15000)
        assert MARKER_POLICE in whole(fake.shown[0][0])
        assert "Police information" in flat(whole(fake.shown[0][0]))
        rows = _audit(fv, "save_pdf")
        assert len(rows) == 1 and "police" not in rows[0].ids_json
    finally:
        ops.shutdown()
