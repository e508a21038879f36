"""`family owner`, `family close --outcome` and `outcomes` end to end through the command line,
on a real vault, bad input included (one line, nothing changed)."""

from __future__ import annotations

import pytest
from cli_harness import Cli


def test_appointing_and_handing_over_a_case_owner(cli: Cli) -> None:
    fid = cli.t.family_id
    before = cli.ok("--json", "show", fid).json()["family"]
    assert (before["case_owner"], before["case_owner_name"]) == ("tm", "Tess Manager")
    done = cli.ok("--json", "family", "owner", fid, "--to", "sw1",
                  "--reason", "closest to the family").json()
    assert (done["family_id"], done["case_owner"], done["case_owner_name"]) == (
        fid, "sw1", "Sam Worker")
    shown = cli.ok("--json", "show", fid, user="sw1").json()["family"]
    assert (shown["case_owner"], shown["case_owner_name"]) == ("sw1", "Sam Worker")
    # The case owner hands over; afterwards they are a plain worker again for this family.
    cli.ok("family", "owner", fid, "--to", "pc1", "--reason", "police lead now", user="sw1")
    refused = cli.fails("family", "owner", fid, "--to", "sw1", "--reason", "back", user="sw1")
    assert "case owner" in refused.err
    assert cli.ok("--json", "show", fid).json()["family"]["case_owner"] == "pc1"
    events = [e["event"] for e in cli.ok("--json", "audit", "list").json()]
    assert events.count("case_owner_appointed") == 2


@pytest.mark.parametrize("user,argv,message", [
    ("tm", ("--to", "nobody", "--reason", "r"), "no user 'nobody'"),
    ("tm", ("--to", "admin", "--reason", "r"), "not an active practitioner"),
    ("tm", ("--to", "sw1", "--reason", "  "), "reason for the appointment must not be empty"),
    ("tm", ("--to", "tm", "--reason", "r"), "already the case owner"),
    ("tm", ("--to", "", "--reason", "r"), "name the new case owner"),
    ("sw1", ("--to", "sw1", "--reason", "I know them"), "case owner"),
    ("admin", ("--to", "sw1", "--reason", "r"), "administrator"),
])
def test_bad_appointments_are_refused_and_change_nothing(
        cli: Cli, user: str, argv: tuple[str, ...], message: str) -> None:
    before = cli.state()
    result = cli.fails("family", "owner", cli.t.family_id, *argv, user=user)
    assert message in result.err, result
    assert cli.state() == before


def test_the_case_owner_history_is_read_with_history(cli: Cli) -> None:
    fid = cli.t.family_id
    assert cli.ok("--json", "family", "owner", fid, "--history").json() == []
    cli.ok("family", "owner", fid, "--to", "sw1", "--reason", "closest to the family")
    cli.ok("family", "owner", fid, "--to", "pc1", "--reason", "police lead now", user="sw1")
    before = cli.state()
    history = cli.ok("--json", "family", "owner", fid, "--history", user="pc1").json()
    assert [{k: v for k, v in h.items() if k != "at"} for h in history] == [
        {"from": "tm", "from_name": "Tess Manager", "to": "sw1", "to_name": "Sam Worker",
         "by": "tm", "by_name": "Tess Manager", "reason": "closest to the family"},
        {"from": "sw1", "from_name": "Sam Worker", "to": "pc1",
         "to_name": history[1]["to_name"], "by": "sw1", "by_name": "Sam Worker",
         "reason": "police lead now"}]
    assert history[1]["to_name"] not in ("", "pc1") and history[0]["at"] <= history[1]["at"]
    text = cli.ok("family", "owner", fid, "--history").out
    assert "Tess Manager to Sam Worker, appointed by Tess Manager: closest" in text
    assert "sw1" not in text and cli.state() == before  # a read writes nothing


@pytest.mark.parametrize("user,argv,message", [
    ("tm", ("--history", "--to", "sw1"), "--history only reads"),
    ("tm", ("--history", "--reason", "r"), "--history only reads"),
    ("tm", ("--to", "sw1"), "needs --to USERNAME and --reason TEXT"),
    ("tm", ("--reason", "r"), "needs --to USERNAME and --reason TEXT"),
    ("tm", (), "needs --to USERNAME and --reason TEXT"),
    ("admin", ("--history",), "administrator"),
])
def test_bad_history_reads_are_refused_and_change_nothing(
        cli: Cli, user: str, argv: tuple[str, ...], message: str) -> None:
    before = cli.state()
    result = cli.fails("family", "owner", cli.t.family_id, *argv, user=user)
    assert message in result.err, result
    assert cli.state() == before


def test_an_unknown_family_cannot_have_an_owner(cli: Cli) -> None:
    before = cli.state()
    assert "no family" in cli.fails("family", "owner", "0" * 32, "--to", "sw1",
                                    "--reason", "r").err
    assert "family id" in cli.fails("family", "owner", "bad id!", "--to", "sw1",
                                    "--reason", "r").err
    assert "no family" in cli.fails("family", "owner", "0" * 32, "--history").err
    assert cli.state() == before


def test_closing_with_an_outcome_and_the_outcomes_by_month(cli: Cli) -> None:
    closed = cli.ok("--json", "family", "close", cli.t.family_id, "--type", "early-help",
                    "--outcome", "improved", "--reason", "school attendance 95%",
                    "--lessons", "start the school meetings earlier").json()
    assert closed["outcome"] == "improved"
    # An existing script's call still works; its outcome is "not recorded".
    legacy = cli.ok("--json", "family", "close", cli.t.other_family_id, "--type",
                    "early-help").json()
    assert "outcome" not in legacy
    month = closed["closed_at"][:7]
    (row,) = cli.ok("--json", "outcomes").json()
    assert row["month"] == month and row["closed"] == 2
    assert row["by_outcome"]["improved"] == 1 and row["by_outcome"]["not-recorded"] == 1
    assert set(row["by_outcome"]) >= {"improved", "no-change", "worse", "stepped-down",
                                      "escalated", "transferred"}
    family = cli.ok("--json", "show", cli.t.family_id).json()["family"]
    assert family["status"] == "closed"
    assert "outcomes are for a team manager" in cli.fails("outcomes", user="sw1").err


@pytest.mark.parametrize("argv,message", [
    (("--outcome", "fine", "--reason", "r"), "unknown outcome 'fine'"),
    (("--outcome", "improved"), "reason for the outcome must not be empty"),
    (("--outcome", "worse", "--reason", "   "), "reason for the outcome must not be empty"),
    (("--lessons", "something"), "give the outcome"),
    (("--reason", "why"), "give the outcome"),
])
def test_bad_outcomes_are_refused_and_change_nothing(cli: Cli, argv: tuple[str, ...],
                                                     message: str) -> None:
    before = cli.state()
    result = cli.fails("family", "close", cli.t.family_id, "--type", "early-help", *argv)
    assert message in result.err, result
    assert cli.state() == before
    assert cli.ok("--json", "outcomes").json() == []
