"""Concerns through the six steps, abstraction and consent, from the command line (issue 15):
the shapes the issue names, who may see what, and bad input that changes nothing."""

from __future__ import annotations

import json

import pytest
from cli_harness import MARKER_POLICE, Cli

MISSING = "0" * 32


def _concern(cli: Cli, section: str = "police", user: str = "pc1") -> str:
    out = cli.ok("concern", "add", cli.t.family_id, "--person", cli.t.person_id, "--section",
                 section, "--text", "Talk of joining a group online", "--json", user=user)
    return str(out.json()["id"])


def test_a_concern_goes_through_its_steps_in_order(cli: Cli) -> None:
    concern = _concern(cli)
    shown = cli.ok("concern", "show", concern, "--json", user="pc1").json()
    assert {"id", "section", "steps", "state"} <= set(shown)
    assert (shown["id"], shown["section"], shown["steps"], shown["state"]) == (
        concern, "police", [], "open")
    assert shown["person_name"] == "Zoe Smith" and shown["text"].startswith("Talk of")
    cli.ok("concern", "step", concern, "--step", "1", "--note", "Checked with school",
           user="pc1")
    cli.ok("concern", "step", concern, "--step", "2", "--skipped",
           "speaking with him would raise the risk", user="pc1")
    steps = cli.ok("concern", "show", concern, "--json", user="pc1").json()["steps"]
    assert [(s["step"], s["by"], s["note"], s["skipped"]) for s in steps] == [
        (1, "pc1", "Checked with school", ""),
        (2, "pc1", "", "speaking with him would raise the risk")]
    assert steps[0]["by_name"] == "Pat Constable"
    assert steps[0]["title"] == "Recognising, analysing and verifying the concern"
    assert all(set(s) >= {"step", "by", "at", "note", "skipped"} for s in steps)
    text = cli.ok("concern", "show", concern, user="pc1").out
    assert "Pat Constable" in text and "Next: step 3, Consulting colleagues" in text
    listed = cli.ok("concern", "list", cli.t.family_id, "--json", user="pc1").json()
    assert [c["id"] for c in listed] == [concern]
    cli.ok("concern", "close", concern, "--reason", "No longer a worry", user="pc1")
    assert cli.ok("concern", "show", concern, "--json", user="pc1").json()["state"] == "closed"


def test_a_concern_in_a_restricted_section_is_seen_only_by_its_readers(cli: Cli) -> None:
    concern = _concern(cli)
    assert cli.ok("concern", "list", cli.t.family_id, "--json", user="tm").json() == []
    failed = cli.fails("concern", "show", concern, user="tm")
    assert "no concern" in failed.err
    # Not listed among the section's entries, nor anywhere in the family's JSON.
    shown = cli.ok("show", cli.t.family_id, "--json", user="pc1").out
    assert concern not in shown


@pytest.mark.parametrize(("argv", "expect"), [
    (("--step", "7", "--note", "x"), "there is no step 7"),
    (("--step", "0", "--note", "x"), "there is no step 0"),
    (("--step", "two", "--note", "x"), "must be a number from 1 to 6"),
    (("--step", "1"), "not both and not neither"),
    (("--step", "1", "--note", "x", "--skipped", "y"), "not both and not neither"),
    (("--step", "3", "--note", "x"), "step 2 comes next"),
    (("--step", "1", "--note", "again"), "already recorded"),
])
def test_bad_steps_are_refused_and_change_nothing(cli: Cli, argv: tuple[str, ...],
                                                  expect: str) -> None:
    concern = _concern(cli)
    cli.ok("concern", "step", concern, "--step", "1", "--note", "Checked", user="pc1")
    before = cli.state()
    shown = cli.ok("concern", "show", concern, "--json", user="pc1").json()
    failed = cli.fails("concern", "step", concern, *argv, user="pc1")
    assert expect in failed.err
    assert cli.state() == before
    assert cli.ok("concern", "show", concern, "--json", user="pc1").json() == shown


def test_step_six_is_completed_by_a_share_only(cli: Cli) -> None:
    concern = _concern(cli)
    for step in range(1, 6):
        cli.ok("concern", "step", concern, "--step", str(step), "--note", f"step {step}",
               user="pc1")
    failed = cli.fails("concern", "step", concern, "--step", "6", "--note", "shared",
                       user="pc1")
    assert "completed by a share" in failed.err
    done = cli.ok("entry", "abstract", cli.t.police_entry_id, "--to-section", "case-notes",
                  "--text", "Known to police for violence", "--concern", concern, "--json",
                  user="pc1").json()
    shown = cli.ok("concern", "show", concern, "--json", user="pc1").json()
    assert shown["state"] == "shared"
    assert shown["steps"][5]["share"] == {"kind": "internal", "entry": done["id"],
                                          "section": "case-notes"}
    # A closed concern takes no more steps; nor does a shared one.
    assert "already recorded" in cli.fails("concern", "step", concern, "--step", "6",
                                           "--skipped", "x", user="pc1").err


def test_abstraction_is_read_in_the_core_section_without_its_source(cli: Cli) -> None:
    done = cli.ok("entry", "abstract", cli.t.police_entry_id, "--to-section", "case-notes",
                  "--text", "Known to police for violence", user="pc1")
    entry_id, line = done.out.splitlines()
    assert line.startswith("Abstracted from a restricted section (Police information) by "
                           "Pat Constable on ")
    shown = cli.ok("show", cli.t.family_id, "--json", user="sw1").json()
    entry = next(e for e in shown["sections"]["case-notes"]["entries"] if e["id"] == entry_id)
    assert entry["text"] == "Known to police for violence"
    assert entry["abstracted"]["source"] == cli.t.police_entry_id
    assert entry["abstracted"]["from_section"] == "police"
    assert MARKER_POLICE not in json.dumps(shown)
    text = cli.ok("show", cli.t.family_id, user="sw1").out
    assert f"      ({line})" in text and MARKER_POLICE not in text
    events = cli.ok("audit", "list", "--json", user="tm").out
    assert "entry_abstracted" in events


@pytest.mark.parametrize(("argv", "user", "expect"), [
    (("{police}", "--to-section", "case-notes", "--text", "x"), "sw1", "no entry"),
    (("{entry}", "--to-section", "case-notes", "--text", "x"), "tm", "already in a core"),
    (("{police}", "--to-section", "channel", "--text", "x"), "pc1", "core section"),
    (("{police}", "--to-section", "nowhere", "--text", "x"), "pc1", "unknown section"),
    (("{police}", "--to-section", "case-notes", "--text", " "), "pc1", "must not be empty"),
    (("{police}", "--to-section", "case-notes", "--text", "x", "--concern", MISSING), "pc1",
     "no concern"),
    (("nope", "--to-section", "case-notes", "--text", "x"), "pc1", "not a valid entry id"),
])
def test_bad_abstractions_change_nothing(cli: Cli, argv: tuple[str, ...], user: str,
                                         expect: str) -> None:
    before = cli.state()
    argv = tuple(a.replace("{police}", cli.t.police_entry_id).replace("{entry}", cli.t.entry_id)
                 for a in argv)
    assert expect in cli.fails("entry", "abstract", *argv, user=user).err
    assert cli.state() == before


def test_an_abstraction_for_a_concern_not_at_step_six_is_refused(cli: Cli) -> None:
    concern = _concern(cli)
    before = cli.state()
    failed = cli.fails("entry", "abstract", cli.t.police_entry_id, "--to-section", "case-notes",
                       "--text", "x", "--concern", concern, user="pc1")
    assert "record steps 1 to 5" in failed.err
    assert cli.state() == before


@pytest.mark.parametrize(("argv", "user", "expect"), [
    (("add", "{fam}", "--person", MISSING, "--section", "police", "--text", "x"), "pc1",
     "no person"),
    (("add", "{other}", "--person", "{person}", "--section", "police", "--text", "x"), "pc1",
     "not in this family"),
    (("add", "{fam}", "--person", "{person}", "--section", "mental-health", "--text", "x"),
     "pc1", "only in a section you can read"),
    (("add", "{fam}", "--person", "{person}", "--section", "nope", "--text", "x"), "pc1",
     "unknown section"),
    (("add", "{fam}", "--person", "{person}", "--section", "police", "--text", ""), "pc1",
     "must not be empty"),
    (("add", MISSING, "--person", "{person}", "--section", "police", "--text", "x"), "pc1",
     "no family"),
    (("step", MISSING, "--step", "1", "--note", "x"), "pc1", "no concern"),
    (("show", "bad"), "pc1", "not a valid concern id"),
    (("close", MISSING, "--reason", "x"), "pc1", "no concern"),
    (("list", MISSING), "pc1", "no family"),
    (("add", "{fam}", "--person", "{person}", "--section", "case-notes", "--text", "x"),
     "admin", "administrator"),
])
def test_bad_concerns_change_nothing(cli: Cli, argv: tuple[str, ...], user: str,
                                     expect: str) -> None:
    names = {"{fam}": cli.t.family_id, "{other}": cli.t.other_family_id,
             "{person}": cli.t.person_id}
    argv = tuple(names.get(a, a) for a in argv)
    before = cli.state()
    assert expect in cli.fails("concern", *argv, user=user).err
    assert cli.state() == before


def test_closing_twice_and_without_a_reason_is_refused(cli: Cli) -> None:
    concern = _concern(cli)
    assert "reason" in cli.fails("concern", "close", concern, "--reason", " ", user="pc1").err
    cli.ok("concern", "close", concern, "--reason", "Resolved", user="pc1")
    before = cli.state()
    assert "already closed" in cli.fails("concern", "close", concern, "--reason", "again",
                                         user="pc1").err
    assert "closed" in cli.fails("concern", "step", concern, "--step", "1", "--note", "x",
                                 user="pc1").err
    assert cli.state() == before


def test_consent_is_recorded_per_person_and_listed_newest_first(cli: Cli) -> None:
    person = cli.t.person_id
    first = cli.ok("consent", "record", person, "--status", "given", "--purpose",
                   "Early help", "--scope", "school reports", "--how", "in person, written",
                   "--json", user="sw1").json()["id"]
    second = cli.ok("consent", "record", person, "--status", "withdrawn", "--purpose",
                    "Early help", "--json", user="tm").json()["id"]
    shown = cli.ok("consent", "show", person, "--json", user="sw1").json()
    assert [c["id"] for c in shown] == [second, first]
    assert shown[1] | {"at": ""} == {
        "id": first, "family_id": cli.t.family_id, "person": person, "status": "given",
        "purpose": "Early help", "scope": "school reports", "how": "in person, written",
        "by": "sw1", "by_name": "Sam Worker", "at": ""}
    text = cli.ok("consent", "show", person, user="sw1").out
    assert "withdrawn for Early help - recorded by Tess Manager" in text


@pytest.mark.parametrize(("argv", "user", "expect"), [
    (("{person}", "--status", "maybe", "--purpose", "p"), "sw1", "must be one of"),
    (("{person}", "--status", "given", "--purpose", " "), "sw1", "purpose"),
    (("{person}", "--status", "given", "--purpose", "p", "--scope", "s" * 5000), "sw1",
     "too long"),
    ((MISSING, "--status", "given", "--purpose", "p"), "sw1", "no person"),
    (("{fam}", "--status", "given", "--purpose", "p"), "sw1", "no person"),
    (("{person}", "--status", "given", "--purpose", "p"), "admin", "administrator"),
])
def test_bad_consent_changes_nothing(cli: Cli, argv: tuple[str, ...], user: str,
                                     expect: str) -> None:
    names = {"{fam}": cli.t.family_id, "{person}": cli.t.person_id}
    argv = tuple(names.get(a, a) for a in argv)
    before = cli.state()
    assert expect in cli.fails("consent", "record", *argv, user=user).err
    assert cli.state() == before
