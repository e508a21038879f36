"""The sharing commands end to end, in-process: identity, partners, share, receive, and every
bad input refused in one line with the vault unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sharing_support import World, make_family, snapshot

from support.vaults import Member, TeamVault
from workbook.cli.main import main


class Runner:
    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                 ) -> None:
        self.capsys, self.mp = capsys, monkeypatch

    def run(self, vault: TeamVault, who: Member, *argv: str) -> tuple[int, str, str]:
        self.mp.setenv("WORKBOOK_VAULT", str(vault.path))
        self.mp.setenv("WORKBOOK_USER", who.username)
        self.mp.setenv("WORKBOOK_PASSPHRASE", who.passphrase)
        self.capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def ok(self, vault: TeamVault, who: Member, *argv: str) -> Any:
        code, out, err = self.run(vault, who, *argv)
        assert code == 0, err
        return json.loads(out) if "--json" in argv else out

    def fails(self, vault: TeamVault, who: Member, *argv: str) -> str:
        with vault.session(vault.owner) as s:
            before = _content(s)
        code, out, err = self.run(vault, who, *argv)
        assert code != 0
        errors = [line for line in err.splitlines() if line.startswith("workbook: error:")]
        assert "Traceback" not in out + err and len(errors) == 1, err
        with vault.session(vault.owner) as s:
            assert _content(s) == before
        return errors[0]


def _content(s: Any) -> dict[str, Any]:
    """The snapshot without what signing in itself adds (its audit events and receipts)."""
    shot = snapshot(s)
    for table in ("audit", "verification_receipts"):
        shot["rows"].pop(table, None)
    return shot


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    return Runner(capsys, monkeypatch)


def test_identity_partners_share_and_receive(world: World, cli: Runner, tmp_path: Path
                                             ) -> None:
    office, hub = world.office, world.hub
    shown = cli.ok(office, office.owner, "identity", "show", "--json")
    assert shown["vault_id"] == office.vault_id and shown["team"] == "Office North"
    assert len(shown["fingerprint"].split()) == 5
    card = tmp_path / "office.card"
    exported = cli.ok(office, office.owner, "identity", "export", "--out", str(card), "--json")
    assert exported["fingerprint"] == shown["fingerprint"]
    # The hub re-pins the office: wrong fingerprint refused, then typed with hyphens.
    cli.ok(hub, hub.owner, "partner", "remove", "Office North")
    err = cli.fails(hub, hub.owner, "partner", "add", str(card), "--fingerprint",
                    "1234 5678 9012 3456 7890")
    assert "does not match" in err
    typed = shown["fingerprint"].replace(" ", "-")
    cli.ok(hub, hub.owner, "partner", "add", str(card), "--fingerprint", typed)
    listed = cli.ok(hub, hub.owner, "partner", "list", "--json")
    assert {p["team"] for p in listed if not p["removed"]} >= {"Office North", "Laptop One"}
    fid, _ = make_family(office, office.owner)
    out = tmp_path / "share.wbb"
    result = cli.ok(office, office.owner, "share", "--to", "Partner Hub", "--family", fid,
                    "--sections", "household,home-visit-safety", "--purpose", "joint visit",
                    "--lawful-basis", "s47", "--consent", "not-sought", "--reason",
                    "risk to the child", "--out", str(out), "--json")
    assert result["partner"] == hub.vault_id and result["versions"] >= 3
    dry = cli.ok(hub, hub.owner, "receive", str(out), "--dry-run", "--json")
    assert not dry["applied"] and dry["families"] == [fid]
    assert {a["record"] for a in dry["added"]} >= {fid}
    with hub.session(hub.owner) as s:
        assert fid not in [f.family_id for f in s.families.all()]
    done = cli.ok(hub, hub.owner, "receive", str(out), "--json")
    assert done["applied"] and done["conflicts"] == []
    again = cli.ok(hub, hub.owner, "receive", str(out))
    assert "Already received" in again
    shown_hub = cli.ok(hub, hub.owner, "show", fid, "--json")
    assert shown_hub["family"]["name"] == "Smith"


def test_bad_sharing_input_is_refused_in_one_line(world: World, cli: Runner, tmp_path: Path
                                                  ) -> None:
    office, hub = world.office, world.hub
    fid, _ = make_family(office, office.owner)
    out = str(tmp_path / "x.wbb")
    base = ["--purpose", "p", "--lawful-basis", "b", "--out", out]
    # Consent is read from the records, never taken on the sharer's word.
    err = cli.fails(office, office.owner, "share", "--to", "Partner Hub", "--family", fid,
                    "--sections", "household", "--consent", "given", *base)
    assert "not given by Jo Smith (none recorded)" in err and "workbook consent record" in err
    assert not Path(out).exists()
    shown = cli.ok(office, office.owner, "show", fid, "--json")
    person = shown["sections"]["household"]["persons"][0]["id"]
    cli.ok(office, office.owner, "consent", "record", person, "--status", "given",
           "--purpose", "p", "--json")
    cases = [
        (["share", "--to", "Nobody", "--family", fid, "--sections", "household",
          "--consent", "given", *base], "no partner"),
        (["share", "--to", "Partner Hub", "--family", "f" * 32, "--sections", "household",
          "--consent", "given", *base], "no family"),
        (["share", "--to", "Partner Hub", "--family", fid, "--sections", "astrology",
          "--consent", "given", *base], "unknown section"),
        (["share", "--to", "Partner Hub", "--family", fid, "--sections", "police",
          "--consent", "given", *base], "only sections you can read"),
        (["share", "--to", "Partner Hub", "--family", fid, "--sections", "household",
          "--consent", "refused", *base], "reason"),
        (["share", "--to", "Partner Hub", "--family", fid, "--sections", "household",
          "--consent", "given", "--purpose", " ", "--lawful-basis", "b", "--out", out],
         "purpose"),
        (["share", "--to", "Partner Hub", "--family", fid, "--sections", "household",
          "--consent", "given", "--purpose", "p", "--lawful-basis", "b", "--out",
          str(tmp_path / "nofolder" / "x.wbb")], "not a folder"),
        (["receive", str(tmp_path / "missing.wbb")], "does not exist"),
        (["partner", "remove", "Nobody"], "no partner"),
        (["partner", "add", str(tmp_path / "missing.card"), "--fingerprint", "1"],
         "does not exist"),
    ]
    for argv, expected in cases:
        err = cli.fails(office, office.owner, *argv)
        assert expected in err, (argv, err)
    assert not Path(out).exists()
    existing = tmp_path / "exists.wbb"
    existing.write_bytes(b"keep me")
    err = cli.fails(office, office.owner, "share", "--to", "Partner Hub", "--family", fid,
                    "--sections", "household", "--consent", "given", "--purpose", "p",
                    "--lawful-basis", "b", "--out", str(existing))
    assert "already exists" in err and existing.read_bytes() == b"keep me"
    # Trusting a partner is a manager's decision; any practitioner may share.
    worker = office.member("social-worker")
    err = cli.fails(office, worker, "partner", "remove", "Partner Hub")
    assert "owner or a team manager" in err
    admin = office.member("admin")
    err = cli.fails(office, admin, "share", "--to", "Partner Hub", "--family", fid,
                    "--sections", "household", "--consent", "given", *base)
    assert "administrator" in err
    cli.ok(office, worker, "share", "--to", "Partner Hub", "--family", fid, "--sections",
           "household", "--consent", "given", *base)
    del hub
