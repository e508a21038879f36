"""The supervision command line end to end, in-process, against a copy of the known vault.

The commands run under a clock set to 23:30 UTC on a summer evening after the vault was made:
UK civil time is then already tomorrow, so a test or product that counted days by the UTC date
would be one day out here every time, not only in that hour of the night."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from supervision_vault import BoardVault

from support.family_vault import PASSPHRASES
from workbook.cli import main
from workbook.services.clock import civil_date

# 23:30 UTC in British Summer Time, in the year after the vault was built: always later than
# the vault's own timestamps, and the UTC date is the day before the UK civil date.
START = datetime(datetime.now(UTC).year + 1, 7, 15, 23, 30, tzinfo=UTC)
_TICK = time.monotonic()


def clock() -> datetime:
    """The commands' clock: START, moving on as the test runs (versions keep their order)."""
    return START + timedelta(seconds=time.monotonic() - _TICK)


class Run:
    def __init__(self, bv: BoardVault, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> None:
        self.bv, self.mp, self.capsys = bv, monkeypatch, capsys

    def __call__(self, *argv: str, user: str = "tm") -> tuple[int, str, str]:
        self.mp.setenv("WORKBOOK_VAULT", str(self.bv.path))
        self.mp.setenv("WORKBOOK_USER", user)
        self.mp.setenv("WORKBOOK_PASSPHRASE", PASSPHRASES[user])
        self.capsys.readouterr()
        try:
            code = main(list(argv), clock=clock)
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def ok(self, *argv: str, user: str = "tm") -> str:
        code, out, err = self(*argv, user=user)
        assert code == 0, err
        return out

    def fails(self, *argv: str, user: str = "tm", match: str = "") -> str:
        code, out, err = self(*argv, user=user)
        assert code != 0 and "Traceback" not in out + err
        assert match in err, err
        return err


@pytest.fixture
def run(bv: BoardVault, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(bv, monkeypatch, capsys)


def today() -> date:
    """The UK civil date of the commands' clock, as the product counts days."""
    day = civil_date(clock())
    assert day == START.date() + timedelta(days=1)  # the hour that used to fail
    return day


def test_board_json_has_the_contract_fields(run: Run, bv: BoardVault) -> None:
    fid = bv.ids["Davis"]
    run.ok("family", "assessment", fid, "--completed", (today() - timedelta(days=30)).isoformat())
    run.ok("family", "assessment", bv.ids["Clark"], "--completed", today().isoformat())
    entry = run.ok("entry", "add", fid, "--section", "case-notes", "--text", "Bruise seen",
                   "--json")
    entry_id = json.loads(entry)["id"]
    run.ok("entry", "urgent", entry_id)
    past = (today() - timedelta(days=3)).isoformat()
    run.ok("action", "add", fid, "--text", "Chase the GP", "--owner", "sw1", "--due", past)
    data = json.loads(run.ok("supervision", "board", "--json"))
    assert set(data) >= {"due_families", "overdue_actions", "time_limits"}
    gp = next(a for a in data["overdue_actions"] if a["text"] == "Chase the GP")
    assert {k: gp[k] for k in ("family_id", "text", "owner", "due", "days_overdue")} == {
        "family_id": fid, "text": "Chase the GP", "owner": "sw1", "due": past,
        "days_overdue": 3}
    for limit in data["time_limits"]:
        assert {"family_id", "limit", "due", "state"} <= set(limit)
        assert limit["state"] in ("on_track", "at_risk", "breached")
    states = {(t["family_id"], t["limit"]): t["state"] for t in data["time_limits"]}
    assert states[(fid, "referral")] == "breached"
    assert states[(bv.ids["Clark"], "referral")] == "on_track"
    assert states[(fid, "urgent-response")] == "on_track"
    run.ok("entry", "respond", entry_id, "--text", "Seen by the GP the same day")
    run.ok("family", "referred", fid, "--on", today().isoformat())
    data = json.loads(run.ok("supervision", "board", "--json"))
    states = {(t["family_id"], t["limit"]) for t in data["time_limits"]}
    assert (fid, "referral") not in states and (fid, "urgent-response") not in states
    for item in data["due_families"]:
        assert {"family_id", "name", "next_review", "last_reviewed"} <= set(item)
    assert "Due for review" in run.ok("supervision", "board")


def test_session_end_to_end_with_minutes(run: Run, bv: BoardVault, tmp_path: Path) -> None:
    held = today().isoformat()
    sid = json.loads(run.ok("supervision", "start", "--date", held, "--attendee", "sw1",
                            "--family", bv.ids["Adams"], "--json"))["session"]
    run.ok("supervision", "add", sid, bv.ids["Clark"])
    run.ok("supervision", "order", sid, bv.ids["Clark"], bv.ids["Adams"])
    nxt = (today() + timedelta(days=28)).isoformat()
    due = (today() + timedelta(days=7)).isoformat()
    run.ok("supervision", "review", sid, bv.ids["Adams"], "--summary", "Stable",
           "--worried", "Rent arrears", "--scaling", "8", "--next-review", nxt,
           "--action", f"Apply for the hardship fund|sw1|{due}")
    shown = json.loads(run.ok("supervision", "show", sid, "--json"))
    assert [a["family_id"] for a in shown["agenda"]] == [bv.ids["Clark"], bv.ids["Adams"]]
    assert shown["reviews"][bv.ids["Adams"]]["status"] == "draft"
    run.ok("supervision", "finish", sid)
    out = tmp_path / "minutes.pdf"
    run.ok("supervision", "minutes", sid, "--out", str(out))
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Rent arrears" in text and "Apply for the hardship fund" in text
    listed = json.loads(run.ok("supervision", "list", "--json"))
    assert any(s["session"] == sid and s["status"] == "finished" for s in listed)
    shown = json.loads(run.ok("show", bv.ids["Adams"], "--json"))
    assert any(a["text"] == "Apply for the hardship fund"
               for a in shown["sections"]["plan"]["actions"])
    run.fails("supervision", "minutes", sid, "--out", str(out), match="already exists")


def test_region_command(run: Run) -> None:
    assert json.loads(run.ok("supervision", "region", "--json")) == {
        "region": "england-and-wales"}
    run.ok("supervision", "region", "northern-ireland")
    assert "northern-ireland" in run.ok("supervision", "region")
    run.fails("supervision", "region", "wakanda", match="unknown region")
    run.fails("supervision", "region", "scotland", user="sw1", match="only the vault owner")


def test_bad_input_for_every_new_argument(run: Run, bv: BoardVault, tmp_path: Path) -> None:
    fid = bv.ids["Adams"]
    run.fails("family", "assessment", fid, "--completed", "yesterday", match="YYYY-MM-DD")
    run.fails("family", "assessment", "xyz", "--completed", "2026-01-01", match="family id")
    run.fails("family", "referred", fid, "--on", "2199-01-01", match="in the future")
    run.fails("family", "referred", fid, match="--on")
    run.fails("entry", "urgent", "nope", match="entry id")
    run.fails("entry", "respond", bv.ids["note_adams"], "--text", " ", match="must not be empty")
    run.fails("action", "status", bv.ids["act_future"], "finished", match="unknown action status")
    run.fails("supervision", "start", "--date", "32/01/2026", match="YYYY-MM-DD")
    run.fails("supervision", "start", "--date", "2026-03-02", "--attendee", "ghost",
              match="no active user")
    run.fails("supervision", "start", "--date", "2026-03-02", "--family", "12",
              match="family id")
    run.fails("supervision", "start", "--date", "2026-03-02", user="sw1",
              match="team manager or a senior social worker")
    sid = json.loads(run.ok("supervision", "start", "--date", today().isoformat(),
                            "--family", fid, "--json"))["session"]
    nxt = (today() + timedelta(days=28)).isoformat()
    base = ("supervision", "review", sid, fid, "--summary", "ok", "--next-review", nxt)
    run.fails(*base, "--scaling", "ten", match="whole number")
    run.fails(*base, "--scaling", "11", match="from 0 to 10")
    run.fails("supervision", "review", sid, fid, "--summary", "ok", "--scaling", "5",
              "--next-review", "soon", match="YYYY-MM-DD")
    run.fails(*base, "--scaling", "5", "--action", "just text", match="TEXT|OWNER|YYYY-MM-DD")
    run.fails(*base, "--scaling", "5", "--action", "Do|ghost|2026-01-01", match="no active user")
    run.fails(*base, "--scaling", "5", "--action", "Do|sw1|tomorrow", match="due date")
    run.fails("supervision", "review", "bad", fid, "--summary", "x", "--scaling", "1",
              "--next-review", nxt, match="supervision session id")
    run.fails("supervision", "add", sid, fid, match="already on the agenda")
    run.fails("supervision", "order", sid, bv.ids["Brown"], match="exactly the families")
    run.fails("supervision", "finish", sid, match="no family has been reviewed")
    run.fails("supervision", "show", "0" * 32, match="no supervision session")
    run.fails("supervision", "minutes", sid, "--out", str(tmp_path / "m.txt"), match=".pdf")
    run.fails("supervision", "minutes", sid, "--out", str(tmp_path / "no" / "m.pdf"),
              match="not a folder")
    assert not (tmp_path / "m.txt").exists()
    shown = json.loads(run.ok("supervision", "show", sid, "--json"))
    assert shown["reviews"] == {} and len(shown["agenda"]) == 1


def test_channel_exit_and_review_on_the_command_line(run: Run, bv: BoardVault) -> None:
    fid = bv.ids["Brown"]
    exited = (today() - timedelta(days=200)).isoformat()
    entry = json.loads(run.ok("family", "channel-exit", fid, "--on", exited, "--json"))["id"]
    board = json.loads(run.ok("supervision", "board", "--json"))
    limits = {t["limit"]: t for t in board["time_limits"] if t["family_id"] == fid
              and t["record_id"] == entry}
    assert limits["channel-review-6-months"]["state"] == "breached"
    assert set(limits["channel-review-6-months"]) >= {"family_id", "limit", "due", "state"}
    assert limits["channel-review-12-months"]["state"] == "on_track"
    err = run.fails("family", "channel-review", fid, "--on", "last week",
                    match="Channel review date")
    assert len(err.strip().splitlines()) == 1
    # A social worker does not hold the Channel section's key: refused, nothing recorded.
    run.fails("family", "channel-review", fid, "--on", exited, user="sw1",
              match="Channel section's key")
    assert json.loads(run.ok("supervision", "board", "--json")) == board
