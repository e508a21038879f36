"""`workbook assessment add|show|frameworks` (issue 16): the contract shapes, and bad input
refused in one clear line with nothing stored changed."""

from __future__ import annotations

from typing import Any

import pytest
from cli_harness import Cli

MISSING = "0" * 32


def test_add_then_show_a_family_safeguarding_assessment(cli: Cli) -> None:
    fam = cli.t.family_id
    added = cli.ok("assessment", "add", fam, "--framework", "family-safeguarding",
                   "--rate", "domestic-abuse=high", "--rate", "basic-care=adequate",
                   "--rationale", "domestic-abuse=Two police callouts",
                   "--formulation", "Mother protective when sober.", "--json").json()
    assert set(added) >= {"id", "version"} and added["framework"] == "family-safeguarding"
    shown = cli.ok("assessment", "show", fam, "--json").json()
    found = shown["assessment"]
    assert shown["family_id"] == fam and found["id"] == added["id"]
    assert found["framework"] == "family-safeguarding"
    assert found["factors"]["domestic-abuse"] == {
        "level": "high", "rationale": "Two police callouts",
        "label": "Parental domestic abuse", "worse": "high"}
    assert found["factors"]["basic-care"]["worse"] == "poor"
    assert found["formulation"] == "Mother protective when sober."
    users = {u["username"]: u["full_name"] for u in cli.ok("user", "list", "--json").json()}
    assert found["author"] == users["tm"]
    again = cli.ok("assessment", "add", fam, "--framework", "radicalisation", "--rate",
                   "engagement=low", "--formulation", "Channel case: low engagement.",
                   "--json").json()
    assert again["id"] == added["id"] and again["version"] != added["version"]
    assert cli.ok("assessment", "show", fam, "--json").json()["assessment"]["factors"] == {
        "engagement": {"level": "low", "rationale": "", "label":
                       "Engagement with a group, cause or ideology", "worse": "high"}}


def test_show_without_an_assessment_and_the_human_form(cli: Cli) -> None:
    shown = cli.ok("assessment", "show", cli.t.other_family_id, "--json").json()
    assert shown == {"family_id": cli.t.other_family_id, "assessment": None}
    cli.ok("assessment", "add", cli.t.family_id, "--framework", "radicalisation", "--rate",
           "violence=low", "--formulation", "Stable.")
    text = cli.ok("assessment", "show", cli.t.family_id).out
    assert "Readiness to use violence: low" in text and "Formulation: Stable." in text


def test_frameworks_lists_factors_and_levels(cli: Cli) -> None:
    listed = cli.ok("assessment", "frameworks", "--json").json()
    by_id = {f["id"]: f for f in listed}
    assert sorted(by_id) == ["family-safeguarding", "radicalisation"]
    factors = {f["key"]: f for d in by_id["family-safeguarding"]["domains"]
               for f in d["factors"]}
    assert factors["substance-misuse"]["levels"] == ["none", "low", "medium", "high"]
    assert factors["stability"]["worse"] == "poor"
    channel = by_id["radicalisation"]["domains"][-1]
    assert channel["optional"] and [f["key"] for f in channel["factors"]] == [
        "engagement", "intent", "capability"]


def test_a_malformed_framework_file_is_one_line(cli: Cli) -> None:
    (cli.vault / "frameworks").mkdir()
    (cli.vault / "frameworks" / "ours.toml").write_text('id = "ours"\n', encoding="utf-8")
    result = cli.fails("assessment", "frameworks", "--json")
    assert "frameworks/ours.toml" in result.err


BAD: list[Any] = [
    (("--framework", "triangle", "--rate", "health=low", "--formulation", "F"),
     "unknown assessment framework 'triangle'"),
    (("--framework", "family-safeguarding", "--rate", "violence=low", "--formulation", "F"),
     "unknown assessment factor 'violence'"),
    (("--framework", "family-safeguarding", "--rate", "basic-care=high", "--formulation", "F"),
     "must be one of poor, limited, adequate, good"),
    (("--framework", "radicalisation", "--rate", "violence=extreme", "--formulation", "F"),
     "must be one of none, low, medium, high"),
    (("--framework", "radicalisation", "--rate", "violence", "--formulation", "F"),
     "--rate takes FACTOR=LEVEL"),
    (("--framework", "radicalisation", "--rate", "violence=", "--formulation", "F"),
     "needs a level"),
    (("--framework", "radicalisation", "--rate", "violence=low", "--rate", "violence=high",
      "--formulation", "F"), "given twice"),
    (("--framework", "radicalisation", "--rate", "violence=low", "--formulation", "  "),
     "formulation must not be empty"),
    (("--framework", "radicalisation", "--rate", "violence=low"), "--formulation"),
]


@pytest.mark.parametrize(("argv", "expect"), BAD, ids=[b[1][:30] for b in BAD])
def test_bad_input_to_add_changes_nothing(cli: Cli, baseline: dict[str, Any],
                                          argv: tuple[str, ...], expect: str) -> None:
    result = cli.fails("assessment", "add", cli.t.family_id, *argv)
    assert expect.lower() in result.err.lower()
    assert cli.state() == baseline


@pytest.mark.parametrize("command", ["add", "show"])
def test_an_unknown_family_is_refused(cli: Cli, baseline: dict[str, Any], command: str) -> None:
    extra = (("--framework", "radicalisation", "--rate", "violence=low", "--formulation", "F")
             if command == "add" else ())
    result = cli.fails("assessment", command, MISSING, *extra)
    assert "no family" in result.err
    assert cli.state() == baseline
