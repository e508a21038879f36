"""A share checks the people's consent, and may complete a concern's step 6 (issue 15).

Real vaults pinned to each other: a share without everyone's consent needs the reason and
lawful basis that override, and both vaults keep the override; a share refused for consent or
for its concern writes no file and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sharing_support import World, make_family, receive, snapshot
from test_sharing_cli import Runner

from support.consent import give_consent
from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.services.errors import InvalidInput
from workbook.services.sharing.sending import Sharing

PURPOSE = "Home visit"


def _person(vault: TeamVault, family_id: str) -> str:
    with vault.session(vault.owner) as s:
        household = s.workbooks.open(family_id, audit=False).section("household")
        return str(household.persons[0].id)


def _share(vault: TeamVault, who: Any, to: TeamVault, family_id: str, out: Path,
           **decision: Any) -> None:
    with vault.session(who) as s:
        sharing = Sharing(s)
        chosen = sharing.decide(partner=to.vault_id, families=[family_id],
                                sections=decision.pop("sections", ["household"]),
                                purpose=PURPOSE, lawful_basis="Children Act 1989 s47",
                                **decision)
        sharing.share(chosen, out)


def _share_dialog(qtbot: Any, ops: Any, vault: TeamVault, who: Any, family_id: str) -> Any:
    """The Share dialog of `family_id`, `who` signed in through `ops`."""
    from workbook.ui.sharing import ShareDialog

    done: list[object] = []
    ops.sign_in(vault.path, who.username, who.passphrase, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    dialog = ShareDialog(ops, family_id, "Smith")
    qtbot.addWidget(dialog)
    return dialog


def _log_entry(vault: TeamVault, family_id: str) -> dict[str, Any]:
    with vault.session(vault.owner) as s:
        entries = s.workbooks.open(family_id, audit=False).section("sharing-log").entries
        return dict(next(e for e in entries if "sharing" in e.payload).payload)


def _state(vault: TeamVault) -> dict[str, Any]:
    """The snapshot, the audit log and verification receipts aside (each sign-in and each
    first read of a record append to them)."""
    with vault.session(vault.owner) as s:
        state = snapshot(s)
    for table in ("audit", "verification_receipts"):
        state["rows"].pop(table)
    return state


def _refused(vault: TeamVault, who: Any, to: TeamVault, family_id: str, out: Path,
             match: str, **decision: Any) -> None:
    before = _state(vault)
    with pytest.raises(InvalidInput, match=match):
        _share(vault, who, to, family_id, out, **decision)
    assert not out.exists()
    assert _state(vault) == before


def test_consent_given_for_the_purpose_lets_the_share_go(world: World, tmp_path: Path) -> None:
    fid, _ = make_family(world.office, world.office.owner)
    with world.office.session(world.office.owner) as s:
        s.consents.record(_person(world.office, fid), "given", "home visit", "all", "in person")
    _share(world.office, world.office.owner, world.hub, fid, tmp_path / "b.wbb",
           consent="given")
    check = _log_entry(world.office, fid)["sharing"]["consent_check"]
    assert check["overridden"] is False
    assert [p["status"] for p in check["people"]] == ["given"]


def test_a_family_with_no_consent_record_is_not_shared_on_the_sharers_word(
        world: World, tmp_path: Path) -> None:
    """No consent recorded at all is no consent: "given" is refused naming the person, and
    the share goes only with a reason and lawful basis that override, kept in the log."""
    fid, _ = make_family(world.office, world.office.owner)
    out = tmp_path / "b.wbb"
    _refused(world.office, world.office.owner, world.hub, fid, out,
             r"not given by Jo Smith \(none recorded\): record it with `workbook consent "
             r"record", consent="given")
    _refused(world.office, world.office.owner, world.hub, fid, out, "give the reason",
             consent="not-sought")
    _share(world.office, world.office.owner, world.hub, fid, out, consent="not-sought",
           reason="the child would be put at risk by asking")
    check = _log_entry(world.office, fid)["sharing"]["consent_check"]
    assert check["overridden"] is True and check["lawful_basis"] == "Children Act 1989 s47"
    assert [p["status"] for p in check["people"]] == ["missing"]


def test_refused_or_withdrawn_consent_needs_a_reason_and_both_vaults_keep_it(
        world: World, tmp_path: Path) -> None:
    fid, _ = make_family(world.office, world.office.owner)
    person = _person(world.office, fid)
    with world.office.session(world.office.owner) as s:
        s.consents.record(person, "given", PURPOSE)
        s.consents.record(person, "withdrawn", PURPOSE, how="by phone")
    out = tmp_path / "b.wbb"
    _refused(world.office, world.office.owner, world.hub, fid, out,
             r"not given by Jo Smith \(withdrawn\)", consent="given")
    _refused(world.office, world.office.owner, world.hub, fid, out, "reason",
             consent="refused")
    _share(world.office, world.office.owner, world.hub, fid, out, consent="refused",
           reason="a child is at risk of significant harm")
    sent = _log_entry(world.office, fid)
    assert sent["sharing"]["consent_check"] == {
        "purpose": PURPOSE, "overridden": True,
        "people": [{"family": fid, "person": person, "status": "withdrawn"}],
        "reason": "a child is at risk of significant harm",
        "lawful_basis": "Children Act 1989 s47"}
    assert "overridden: a child is at risk of significant harm" in sent["text"]
    preview = receive(world.hub, world.hub.owner, out)
    assert preview.decision["consent_check"] == sent["sharing"]["consent_check"]
    assert _log_entry(world.hub, fid)["sharing"]["consent_check"]["overridden"] is True


def test_missing_consent_for_the_purpose_is_named(world: World, tmp_path: Path) -> None:
    fid, _ = make_family(world.office, world.office.owner)
    with world.office.session(world.office.owner) as s:
        s.families.add_person(fid, "Ann Smith", "1990-01-01", "mother")
        s.consents.record(_person(world.office, fid), "given", "school")
    _refused(world.office, world.office.owner, world.hub, fid, tmp_path / "b.wbb",
             "not given by Ann Smith \\(none recorded\\), Jo Smith \\(none "
             "recorded\\)", consent="given")


def test_a_share_completes_a_concerns_step_six(world: World, tmp_path: Path) -> None:
    fid, _ = make_family(world.office, world.office.owner)
    person = _person(world.office, fid)
    police = world.office.member(Role.POLICE)
    with world.office.session(police) as s:
        concern = s.concerns.add(fid, person, "police", "Seen with a known recruiter")
        for step in range(1, 5):
            s.concerns.step(concern, step, note=f"step {step} done")
        give_consent(s, [fid], PURPOSE)
    out = tmp_path / "b.wbb"
    _refused(world.office, police, world.hub, fid, out, "record steps 1 to 5",
             consent="given", concern=concern)
    with world.office.session(police) as s:
        s.concerns.step(concern, 5, skipped="no specialist available this week")
    _share(world.office, police, world.hub, fid, out, consent="given", concern=concern,
           sections=["household", "police"])
    with world.office.session(police) as s:
        shown = s.concerns.show(concern)
        assert shown.state == "shared"
        share = shown.steps()[5]["share"]
    assert share["kind"] == "external" and share["team"] == "Partner Hub"
    logged = _log_entry(world.office, fid)["sharing"]
    assert logged["concern"] == concern and logged["bundle"] == share["bundle"]
    # The concern itself never travels: the partner gets the log entry that links it.
    receive(world.hub, world.hub.owner, out)
    with world.hub.session(world.hub.member(Role.POLICE)) as s:
        assert s.concerns.of_family(fid) == []


def test_the_share_dialog_completes_a_concern_and_shows_a_consent_refusal(
        qtbot: Any, world: World, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from workbook.ui.operations import Operations

    fid, _ = make_family(world.office, world.office.owner)
    person = _person(world.office, fid)
    police = world.office.member(Role.POLICE)
    with world.office.session(police) as s:
        concern = s.concerns.add(fid, person, "police", "Seen with a known recruiter")
        for step in range(1, 6):
            s.concerns.step(concern, step, note=f"step {step} done")
        s.consents.record(person, "refused", PURPOSE)
    ops = Operations()
    try:
        dialog = _share_dialog(qtbot, ops, world.office, police, fid)
        qtbot.waitUntil(lambda: dialog.concern.count() == 2, timeout=20000)
        dialog.partner.setCurrentIndex(dialog.partner.findText("Partner Hub"))
        dialog.concern.setFocus()
        qtbot.keyClicks(dialog.concern, "Jo")
        assert dialog.concern.currentData() == concern
        qtbot.keyClicks(dialog.purpose, PURPOSE)
        qtbot.keyClicks(dialog.lawful_basis, "Children Act 1989 s47")
        out = tmp_path / "gui.wbb"
        qtbot.keyClicks(dialog.out, str(out))
        qtbot.mouseClick(dialog.share_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Jo Smith (refused)" in dialog.message.text(), timeout=20000)
        assert not out.exists()
        qtbot.keyClicks(dialog.reason, "a child is at risk of significant harm")
        dialog.consent.setFocus()
        qtbot.keyClicks(dialog.consent, "R")
        assert dialog.consent.currentData() == "refused"
        qtbot.mouseClick(dialog.share_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=20000)
    finally:
        ops.shutdown()
    with world.office.session(police) as s:
        assert s.concerns.show(concern).state == "shared"


def test_share_concern_and_consent_from_the_command_line(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Runner(capsys, monkeypatch)
    office = world.office
    fid, _ = make_family(office, office.owner)
    person = _person(office, fid)
    police = office.member(Role.POLICE)
    concern = cli.ok(office, police, "concern", "add", fid, "--person", person, "--section",
                     "police", "--text", "Seen with a known recruiter", "--json")["id"]
    cli.ok(office, police, "consent", "record", person, "--status", "withdrawn", "--purpose",
           PURPOSE, "--how", "by phone", "--json")
    out = tmp_path / "b.wbb"
    base = ["share", "--to", "Partner Hub", "--family", fid, "--sections", "household,police",
            "--purpose", PURPOSE, "--lawful-basis", "s47", "--out", str(out)]
    err = cli.fails(office, police, *base, "--consent", "given", "--concern", concern)
    assert "not given by Jo Smith (withdrawn)" in err
    err = cli.fails(office, police, *base, "--consent", "refused", "--reason", "risk",
                    "--concern", concern)
    assert "record steps 1 to 5 of that concern first (step 1 comes next)" in err
    err = cli.fails(office, police, *base, "--consent", "refused", "--reason", "risk",
                    "--concern", "0" * 32)
    assert "no concern" in err
    for step in range(1, 6):
        cli.ok(office, police, "concern", "step", concern, "--step", str(step), "--note", "ok")
    cli.ok(office, police, *base, "--consent", "refused", "--reason", "risk", "--concern",
           concern, "--json")
    shown = cli.ok(office, police, "concern", "show", concern, "--json")
    assert shown["state"] == "shared" and shown["steps"][5]["share"]["kind"] == "external"
    assert [c["status"] for c in cli.ok(office, police, "consent", "show", person,
                                        "--json")] == ["withdrawn"]


def test_the_share_dialog_shows_consent_on_record_and_records_it_before_sharing(
        qtbot: Any, world: World, tmp_path: Path) -> None:
    """The dialog shows each person's consent for the purpose typed, in words; "Given" with
    none on record is refused naming the person; "Record consent…" records it and the share
    goes."""
    from PySide6.QtCore import Qt

    from workbook.ui.operations import Operations

    fid, _ = make_family(world.office, world.office.owner)
    owner = world.office.owner
    ops = Operations()
    try:
        dialog = _share_dialog(qtbot, ops, world.office, owner, fid)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.consent_person.count() == 1, timeout=20000)
        assert dialog.consent_person.currentText() == "Jo Smith"
        dialog.partner.setFocus()
        qtbot.keyClicks(dialog.partner, "Partner")
        assert "Type the purpose" in dialog.consent_status.text()
        qtbot.keyClicks(dialog.purpose, PURPOSE)
        qtbot.waitUntil(lambda: "Jo Smith: no consent recorded"
                        in dialog.consent_status.text(), timeout=20000)
        qtbot.keyClicks(dialog.lawful_basis, "Children Act 1989 s47")
        out = tmp_path / "gui.wbb"
        qtbot.keyClicks(dialog.out, str(out))
        before = _state(world.office)
        qtbot.mouseClick(dialog.share_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Jo Smith (none recorded)" in dialog.message.text(),
                        timeout=20000)
        assert "Record consent… above" in dialog.message.text()
        assert "workbook consent" not in dialog.message.text()
        assert not out.exists() and _state(world.office) == before
        qtbot.mouseClick(dialog.record_consent, Qt.MouseButton.LeftButton)
        form = dialog.consent_form
        assert form is not None and form.purpose.text() == PURPOSE
        qtbot.keyClicks(form.scope, "all")
        qtbot.keyClicks(form.how, "in person")
        qtbot.mouseClick(form.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Jo Smith: consent given" in dialog.consent_status.text(),
                        timeout=20000)
        qtbot.mouseClick(dialog.share_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=20000)
    finally:
        ops.shutdown()
    check = _log_entry(world.office, fid)["sharing"]["consent_check"]
    assert check["overridden"] is False and [p["status"] for p in check["people"]] == ["given"]
