"""`workbook transfer` end to end, in-process: the shapes issue 15 names, and each bad input
refused in one line with the vault unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sharing_support import World
from test_sharing_cli import Runner

from workbook.domain.roles import Role


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    return Runner(capsys, monkeypatch)


def test_transfer_by_the_command_line(world: World, cli: Runner, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    sw, police = office.member(Role.SOCIAL_WORKER), office.member(Role.POLICE)
    fid = cli.ok(office, sw, "family", "add", "--name", "Moving", "--json")["id"]
    cli.ok(office, police, "entry", "add", fid, "--section", "police", "--text", "intel")
    err = cli.fails(office, sw, "transfer", "start", fid, "--to", "Partner Hub", "--purpose",
                    "  ", "--lawful-basis", "s47")
    assert "the purpose of the transfer must not be empty" in err
    err = cli.fails(office, sw, "transfer", "start", "f" * 32, "--to", "Partner Hub",
                    "--purpose", "p", "--lawful-basis", "s47")
    assert f"no family {'f' * 32}" in err
    err = cli.fails(office, sw, "transfer", "start", fid, "--to", "Partner Hub",
                    "--purpose", "p")
    assert "--lawful-basis" in err
    started = cli.ok(office, sw, "transfer", "start", fid, "--to", "Partner Hub", "--purpose",
                     "the family moved", "--lawful-basis", "Children Act 1989 s47", "--json")
    assert {"id", "family_id", "partner", "waiting_for"} <= set(started)
    assert (started["family_id"], started["partner"]) == (fid, hub.vault_id)
    # The case owner holds education and the family has nothing there: no answer needed.
    assert started["waiting_for"] == ["police", "channel"]
    tid = started["id"]
    err = cli.fails(office, sw, "transfer", "finish", tid, "--out", str(tmp_path / "x.wbb"))
    assert "still waiting for section(s) police, channel to answer" in err
    err = cli.fails(office, sw, "transfer", "add-section", tid, "--section", "police")
    assert "only a holder of section police" in err
    err = cli.fails(office, sw, "transfer", "decline", "f" * 32, "--section", "police",
                    "--reason", "r")
    assert f"no transfer {'f' * 32}" in err
    cli.ok(office, police, "transfer", "add-section", tid, "--section", "police")
    err = cli.fails(office, police, "transfer", "decline", tid, "--section", "police",
                    "--reason", "second thoughts")
    assert "section police has already answered this transfer" in err
    cli.ok(office, police, "transfer", "decline", tid, "--section", "channel", "--reason",
           "nothing to pass on")
    err = cli.fails(office, sw, "transfer", "decline", tid, "--section", "education",
                    "--reason", "the school shares directly")
    assert "not waiting for section education" in err
    shown = cli.ok(office, sw, "transfer", "show", tid, "--json")
    assert shown["state"] == "ready" and shown["waiting_for"] == []
    assert [(a["section"], a["answer"]) for a in shown["answers"]] == [
        ("police", "added"), ("channel", "declined")]
    assert all(set(a) >= {"by", "at", "reason"} for a in shown["answers"])
    assert [t["id"] for t in cli.ok(office, sw, "transfer", "list", "--json")] == [tid]
    err = cli.fails(office, sw, "transfer", "finish", tid, "--out", str(tmp_path / "t.wbb"),
                    "--type", "forever")
    assert "unknown family type 'forever'" in err
    err = cli.fails(office, sw, "transfer", "finish", tid, "--out",
                    str(tmp_path / "nowhere" / "t.wbb"))
    assert "is not a folder" in err
    text = cli.ok(office, sw, "transfer", "finish", tid, "--out", str(tmp_path / "t.wbb"))
    assert "closed here as transferred to Partner Hub on " in text
    err = cli.fails(office, sw, "transfer", "finish", tid, "--out", str(tmp_path / "u.wbb"))
    assert "already finished" in err
    err = cli.fails(office, sw, "entry", "add", fid, "--section", "case-notes", "--text", "x")
    assert "transferred to Partner Hub on" in err and "read-only" in err
    received = cli.ok(hub, hub.member(Role.POLICE), "receive", str(tmp_path / "t.wbb"),
                      "--json")
    assert received["decision"]["transfer"]["id"] == tid
    shown = cli.ok(hub, hub.member(Role.POLICE), "show", fid)
    assert "case owner awaiting a case owner" in shown and "intel" in shown
