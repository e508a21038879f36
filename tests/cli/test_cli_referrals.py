"""`workbook referral add|list|show|decide` (issue 15): the shapes are contracts, and bad input
is one line that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from cli_harness import Cli

ADD = ("referral", "add", "--received", "2026-12-01 09:30", "--source", "police",
       "--concern", "Found alone at night", "--person", "Zoe Smith|2015-03-02",
       "--person", "Leo Smith")


def _add(cli: Cli, *extra: str, user: str = "sw1") -> dict[str, Any]:
    return dict(cli.ok(*ADD, *extra, "--json", user=user).json())


def test_add_list_show_decide_keep_their_shapes(cli: Cli) -> None:
    added = _add(cli, "--referrer", "PC Jones")
    assert set(added) == {"id", "respond_by"}
    assert added["respond_by"] == "2026-12-02T09:30:00+00:00"
    [listed] = cli.ok("referral", "list", "--json", user="sw1").json()
    assert {"id", "received", "respond_by", "state", "overdue"} <= set(listed)
    assert (listed["id"], listed["received"], listed["state"], listed["overdue"]) == (
        added["id"], "2026-12-01T09:30:00+00:00", "open", True)
    assert listed["time_left"].startswith("Overdue by")
    shown = cli.ok("referral", "show", added["id"], "--json", user="sw1").json()
    assert [(c["family_id"], c["name"]) for c in shown["candidates"]] == [
        (cli.t.family_id, "Zoe Smith")]
    assert shown["referrer"] == "PC Jones" and shown["recorded_by"] == "Sam Worker"
    decided = cli.ok("referral", "decide", added["id"], "--outcome", "strategy-discussion",
                     "--reason", "Injury seen", "--family", cli.t.family_id, "--json",
                     user="sw1").json()
    assert decided == {"family_id": cli.t.family_id}
    [listed] = cli.ok("referral", "list", "--json", user="sw1").json()
    assert (listed["state"], listed["overdue"], listed["outcome"]) == (
        "decided", False, "strategy-discussion")
    human = cli.ok("referral", "show", added["id"], user="sw1").out
    assert "Strategy discussion (section 47) by Sam Worker" in human
    assert "Received:   01/12/2026 09:30 from police (PC Jones)" in human


def test_decide_opens_a_new_family(cli: Cli) -> None:
    rid = _add(cli)["id"]
    family_id = cli.ok("referral", "decide", rid, "--outcome", "early-help", "--reason",
                       "Support at home", "--new-family", "--name", "Smith-Park family",
                       "--json").json()["family_id"]
    listed = cli.ok("family", "list", "--json").json()
    assert family_id in {f["id"] for f in listed} and rid not in {f["id"] for f in listed}
    book = cli.ok("show", family_id, "--json").json()
    assert {p["name"] for p in book["sections"]["household"]["persons"]} == {
        "Zoe Smith", "Leo Smith"}
    assert "Early help" in book["sections"]["referral-assessment"]["entries"][0]["text"]


BAD_ADD = [
    (("--received", "2099-12-01 09:30"), "in the future"),
    (("--received", "yesterday"), "YYYY-MM-DD HH:MM"),
    (("--person", "A|B|C"), "NAME|DOB"),
    (("--person", "Leo|2019-13-01"), "YYYY-MM-DD"),
    (("--section", "household"), "neither"),
    (("--concern", " "), "must not be empty"),
]


@pytest.mark.parametrize(("change", "expect"), BAD_ADD)
def test_bad_add_is_one_line_and_changes_nothing(
        cli: Cli, baseline: dict[str, Any], change: tuple[str, str], expect: str) -> None:
    argv = list(ADD)
    flag, value = change
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    result = cli.fails(*argv, "--json", user="sw1")
    assert expect in result.err
    assert cli.state() == baseline


def test_add_by_the_administrator_is_refused(cli: Cli, baseline: dict[str, Any]) -> None:
    result = cli.fails(*ADD, user="admin")
    assert "administrator" in result.err
    assert cli.state() == baseline


BAD_DECIDE = [
    (("--outcome", "prison", "--family", "{family}"), "unknown outcome"),
    (("--outcome", "nfa"), "not both or neither"),
    (("--outcome", "nfa", "--family", "{family}", "--new-family", "--name", "X"),
     "not both or neither"),
    (("--outcome", "nfa", "--family", "0" * 32), "no family"),
    (("--outcome", "nfa", "--family", "nonsense"), "not a valid family id"),
    (("--outcome", "nfa", "--new-family"), "must not be empty"),
    (("--outcome", "nfa", "--name", "X"), "--new-family"),
]


@pytest.mark.parametrize(("args", "expect"), BAD_DECIDE)
def test_bad_decision_is_one_line_and_changes_nothing(
        cli: Cli, args: tuple[str, ...], expect: str) -> None:
    rid = _add(cli)["id"]
    before = cli.state()
    argv = [a.replace("{family}", cli.t.family_id) for a in args]
    result = cli.fails("referral", "decide", rid, "--reason", "Seen", *argv, "--json")
    assert expect in result.err
    assert cli.state() == before


def test_a_second_decision_and_unknown_ids_are_refused(cli: Cli) -> None:
    rid = _add(cli)["id"]
    cli.ok("referral", "decide", rid, "--outcome", "nfa", "--reason", "Advice given",
           "--family", cli.t.family_id)
    before = cli.state()
    result = cli.fails("referral", "decide", rid, "--outcome", "channel", "--reason", "x",
                       "--new-family", "--name", "Other family")
    assert "already decided" in result.err
    assert "no referral" in cli.fails("referral", "show", "a" * 32).err
    assert "no referral" in cli.fails("referral", "decide", cli.t.family_id, "--outcome",
                                      "nfa", "--reason", "x", "--family",
                                      cli.t.family_id).err
    assert cli.state() == before


def test_the_police_decide_nothing(cli: Cli) -> None:
    rid = _add(cli, "--section", "police", user="pc1")["id"]
    before = cli.state()
    result = cli.fails("referral", "decide", rid, "--outcome", "nfa", "--reason", "x",
                       "--family", cli.t.family_id, user="pc1")
    assert "triage decision" in result.err
    assert cli.state() == before
    assert cli.ok("referral", "list", "--json", user="sw1").json() == []


def test_the_board_lists_the_referrals_each_person_may_read(cli: Cli) -> None:
    """`supervision board --json` adds "referrals": those still waiting, most urgent first,
    that the person may read; a decided one leaves it; a sealed one only for its readers."""
    open_one = _add(cli)["id"]
    sealed = _add(cli, "--section", "police", user="pc1")["id"]
    decided = _add(cli)["id"]
    cli.ok("referral", "decide", decided, "--outcome", "nfa", "--reason", "No concern",
           "--family", cli.t.family_id, user="sw1")
    rows = cli.ok("supervision", "board", "--json").json()["referrals"]
    assert rows == [{"id": open_one, "received": "2026-12-01T09:30:00+00:00",
                     "respond_by": "2026-12-02T09:30:00+00:00", "overdue": True,
                     "source": "police"}]
    police = cli.ok("supervision", "board", "--json", user="pc1").json()["referrals"]
    assert {r["id"] for r in police} == {open_one, sealed}
    human = cli.ok("supervision", "board").out
    assert "Referrals waiting for a decision (1):" in human and "OVERDUE" in human
    assert cli.ok("supervision", "board", "--json", user="admin").json()["referrals"] == []
