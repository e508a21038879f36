"""Every command of issue 2's "The command line" succeeds with its documented shape.

In-process through `workbook.cli.main(argv)` on a copy of a populated vault (see conftest.py):
owner `tm` (team-manager), `admin`, `pc1` (police), `sw1` (social-worker), all onboarded, and
`new1` still on an initial passphrase; two families, with entries in sections only some of them
may read."""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from cli_harness import (
    FAST_KDF,
    MARKER_CHANNEL,
    MARKER_EDUCATION,
    MARKER_MH,
    MARKER_POLICE,
    Cli,
    MemoryKeyring,
    Result,
)

from workbook.crypto.recovery_key import parse_key
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import SignInFailed
from workbook.vault.device_secret import delete_device_secret, load_device_secret

ID = re.compile(r"^[0-9a-f]{32}$")
FINGERPRINT = re.compile(r"^[0-9]{4}( [0-9]{4})+$")
NEW_OWN = "a brand new passphrase of my own"


def _id_line(result: Result) -> str:
    """The command printed an id alone on a line, and nothing else."""
    assert ID.match(result.line), result
    return result.line


def _onboard_newcomer(cli: Cli, username: str = "nora", role: str = "police") -> str:
    """`user add` then `passphrase change`; returns the fingerprint the newcomer sees."""
    initial = "first initial passphrase here"
    cli.ok("user", "add", username, "--name", "Nora Newcomer", "--role", role, new=initial)
    changed = cli.ok("passphrase", "change", "--json", user=username, passphrase=initial,
                     new=NEW_OWN)
    cli.passphrases[username] = NEW_OWN
    return str(changed.json()["fingerprint"])


# --- init ----------------------------------------------------------------------------------


def family_ids(cli: Cli, user: str) -> set[str]:
    """The ids of the families `family list --json` shows `user`: the template's two."""
    return {f["id"] for f in cli.ok("family", "list", "--json", user=user).json()}


def test_init_prints_the_vault_id_and_recovery_key_once(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The full Argon2id cost is exercised by the subprocess test; here only the cost changes.
    monkeypatch.setattr("workbook.cli.areas.vault_setup.create_vault",
                        functools.partial(create_vault, kdf=FAST_KDF))
    target = cli.tmp / "team-vault"
    result = cli.ok("init", "--vault", str(target), "--team", "East Unit", "--owner", "olu",
                    "--owner-name", "Olu Owner", "--owner-role", "senior-social-worker",
                    "--json", user=None, vault=False, passphrase="the owner's own long passphrase")
    data = result.json()
    assert ID.match(data["vault_id"])
    parse_key(data["recovery_key"])  # a well-formed, checksummed recovery key
    assert result.err == ""
    assert (target / "vault.db").is_file() and (target / "keys.json").is_file()
    listed = cli.ok("user", "list", "--json", "--vault", str(target), user="olu",
                    passphrase="the owner's own long passphrase")
    assert [(u["username"], u["role"], u["is_owner"]) for u in listed.json()] == [
        ("olu", "senior-social-worker", True)]

    # Human output: the recovery key is printed exactly once.
    second = cli.tmp / "second-vault"
    human = cli.ok("init", "--vault", str(second), "--team", "West Unit", "--owner", "tess",
                   "--owner-name", "Tess Two", user=None, vault=False,
                   passphrase="the owner's own long passphrase")
    keys = re.findall(r"[A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){5,}", human.out)
    assert len(keys) == 1, human
    parse_key(keys[0])


# --- accounts -------------------------------------------------------------------------------


def test_user_add_and_list(cli: Cli) -> None:
    added = cli.ok("user", "add", "hv1", "--name", "Hana Visitor", "--role", "health", "--json",
                   new="health visitor initial words")
    assert added.json()["username"] == "hv1" and ID.match(added.json()["id"])
    by_admin = cli.ok("user", "add", "ed1", "--name", "Eddie Teacher", "--role", "education",
                      user="admin", new="education initial words here")
    assert "ed1" in by_admin.out and "initial passphrase" in by_admin.out
    users = {u["username"]: u for u in cli.ok("user", "list", "--json").json()}
    assert users["hv1"]["role"] == "health" and users["hv1"]["status"] == "initial"
    assert users["ed1"]["role"] == "education" and not users["ed1"]["has_keys"]
    assert users["tm"]["is_owner"] and users["tm"]["status"] == "active"
    text = cli.ok("user", "list", user="admin").out
    assert re.search(r"^hv1\s+health\s+initial", text, re.M), text


def test_user_role_changes_the_role(cli: Cli) -> None:
    changed = cli.ok("user", "role", "sw1", "senior-social-worker", "--json")
    assert changed.json() == {"username": "sw1", "role": "senior-social-worker"}
    users = {u["username"]: u for u in cli.ok("user", "list", "--json").json()}
    assert users["sw1"]["role"] == "senior-social-worker"
    # The new role's sections are pending for a holder (channel: tm holds it).
    pending = cli.ok("keys", "pending", "--json").json()
    assert {"username": "sw1", "section": "channel"}.items() <= next(
        p for p in pending if p["username"] == "sw1").items()


def test_user_unlock_after_ten_failed_sign_ins(cli: Cli) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    for attempt in range(10):
        with pytest.raises(SignInFailed):
            sign_in(cli.vault, "sw1", "not the right passphrase at all",
                    clock=lambda n=attempt: start + timedelta(minutes=10 * n))
    locked = cli.fails("family", "list", user="sw1")
    assert "locked" in locked.err
    users = {u["username"]: u for u in cli.ok("user", "list", "--json").json()}
    assert users["sw1"]["locked"] is True
    assert cli.ok("user", "unlock", "sw1", "--json").json() == {"username": "sw1"}
    assert family_ids(cli, "sw1") == {cli.t.family_id, cli.t.other_family_id}


def test_user_disable(cli: Cli) -> None:
    result = cli.ok("user", "disable", "pc1", "--json")
    assert result.json()["disabled"] is True
    users = {u["username"]: u for u in cli.ok("user", "list", "--json").json()}
    assert users["pc1"]["status"] == "disabled"
    cli.fails("family", "list", user="pc1")
    # The vault was rekeyed and still opens for everyone else.
    assert cli.ok("show", cli.t.family_id, "--json").json()["family"]["name"] == "Smith family"
    assert family_ids(cli, "sw1") == {cli.t.family_id, cli.t.other_family_id}


# --- passphrase and keys --------------------------------------------------------------------


def test_onboarding_through_the_command_line(cli: Cli) -> None:
    initial = "first initial passphrase here"
    cli.ok("user", "add", "nora", "--name", "Nora Newcomer", "--role", "police", new=initial)
    changed = cli.ok("passphrase", "change", user="nora", passphrase=initial, new=NEW_OWN)
    assert "Passphrase changed." in changed.out
    cli.passphrases["nora"] = NEW_OWN
    shown = cli.ok("keys", "fingerprint", user="nora")
    fingerprint = shown.line  # alone on a line
    assert FINGERPRINT.match(fingerprint), shown
    assert fingerprint in changed.out.splitlines()[-1] or any(
        line.strip() == fingerprint for line in changed.out.splitlines()), changed
    assert cli.ok("keys", "fingerprint", "--json", user="nora").json() == {
        "fingerprint": fingerprint}

    # The owner holds the core sections and channel, not police: those are pending for her.
    pending = cli.ok("keys", "pending", "--json").json()
    mine = sorted(p["section"] for p in pending
                  if p["username"] == "nora" and p["section"] != "(identity)")
    assert "household" in mine and "channel" in mine and "police" not in mine
    # Her keys themselves await certification, which any approval gives.
    assert {"username": "nora", "section": "(identity)"}.items() <= next(
        p for p in pending if p["section"] == "(identity)").items()
    assert "nora" in cli.ok("keys", "pending").out
    approved = cli.ok("keys", "approve", "nora", "--fingerprint", fingerprint, "--json").json()
    assert sorted(approved["sections"]) == mine
    # The police officer holds police and approves the rest, with the same fingerprint read
    # with other spacing.
    police_pending = cli.ok("keys", "pending", "--json", user="pc1").json()
    assert [p["section"] for p in police_pending if p["username"] == "nora"] == ["police"]
    compact = fingerprint.replace(" ", "")
    assert cli.ok("keys", "approve", "nora", "--fingerprint", compact, "--json",
                  user="pc1").json()["sections"] == ["police"]
    assert "No grants are waiting" in cli.ok("keys", "pending", user="pc1").out

    view = cli.ok("show", cli.t.family_id, "--json", user="nora").json()
    assert MARKER_POLICE in json.dumps(view) and MARKER_CHANNEL in json.dumps(view)
    assert MARKER_MH not in json.dumps(view)


def test_passphrase_change_of_an_own_passphrase(cli: Cli) -> None:
    result = cli.ok("passphrase", "change", "--json", user="sw1", new=NEW_OWN)
    assert result.json()["changed"] is True
    assert FINGERPRINT.match(result.json()["fingerprint"])
    cli.fails("family", "list", user="sw1")  # the old passphrase no longer opens
    cli.passphrases["sw1"] = NEW_OWN
    assert family_ids(cli, "sw1") == {cli.t.family_id, cli.t.other_family_id}


@pytest.mark.parametrize("padding", [("", ""), ("\n\n  ", "  \n\n"), ("\t ", "\r\n\t\n")])
def test_keys_approve_with_a_recovery_key_file(cli: Cli, padding: tuple[str, str]) -> None:
    fingerprint = _onboard_newcomer(cli, "nora", "mental-health")
    key_file = cli.recovery_file(padding[0] + cli.t.recovery_key + padding[1])
    # The fingerprint is compared with the recovery key too (threat model K1).
    cli.fails("keys", "approve", "nora", "--recovery-key-file", str(key_file))
    approved = cli.ok("keys", "approve", "nora", "--recovery-key-file", str(key_file),
                      "--fingerprint", fingerprint, "--json")
    # Every section of the role, including mental-health which only the recovery key holds.
    assert "mental-health" in approved.json()["sections"]
    assert "household" in approved.json()["sections"]
    view = json.dumps(cli.ok("show", cli.t.family_id, "--json", user="nora").json())
    assert MARKER_MH in view and MARKER_POLICE not in view
    # Approving again: the fingerprint matches, nothing is pending.
    again = cli.ok("keys", "approve", "nora", "--recovery-key-file", str(key_file),
                   "--fingerprint", fingerprint, "--json")
    assert again.json()["sections"] == []


# --- families, persons, entries, actions ----------------------------------------------------


def test_family_add_prints_the_id_alone(cli: Cli) -> None:
    family_id = _id_line(cli.ok("family", "add", "--name", "Brown family", "--ref", "REF-9"))
    as_json = cli.ok("family", "add", "--name", "Green family", "--json").json()
    assert set(as_json) == {"id"} and ID.match(as_json["id"])
    listed = {f["id"]: f for f in cli.ok("family", "list", "--json").json()}
    assert listed[family_id]["name"] == "Brown family"
    assert listed[family_id]["reference"] == "REF-9"
    assert listed[as_json["id"]]["name"] == "Green family"
    text = cli.ok("family", "list").out
    assert any(line.startswith(family_id) and "Brown family" in line
               for line in text.splitlines()), text
    # Another practitioner sees the new family too.
    assert family_id in {f["id"] for f in cli.ok("family", "list", "--json", user="sw1").json()}


def test_person_entry_action_and_history(cli: Cli) -> None:
    fam = cli.t.family_id
    person = _id_line(cli.ok("person", "add", fam, "--name", "Ava Smith", "--dob", "2019-07-04",
                             "--relationship", "sibling"))
    person_json = cli.ok("person", "add", fam, "--name", "Ben Smith", "--json").json()
    assert set(person_json) == {"id"}
    entry = _id_line(cli.ok("entry", "add", fam, "--section", "case-notes", "--text",
                            "Home visit went well", "--date", "2026-03-01"))
    entry_json = cli.ok("entry", "add", fam, "--section", "risk-assessment", "--text",
                        "Low risk", "--json").json()
    assert set(entry_json) == {"id"} and ID.match(entry_json["id"])
    version = cli.ok("entry", "edit", entry, "--text", "Home visit went well; follow up")
    assert ID.match(version.line)
    edited = cli.ok("entry", "edit", entry, "--text", "Third version", "--json").json()
    assert edited["id"] == entry and ID.match(edited["version"])
    action = _id_line(cli.ok("action", "add", fam, "--text", "Call the school", "--owner",
                             "sw1", "--due", "2026-04-01"))
    action_json = cli.ok("action", "add", fam, "--text", "Write up", "--owner", "tm", "--due",
                         "2026-04-02", "--json").json()
    assert set(action_json) == {"id"}

    history = cli.ok("entry", "history", entry, "--json").json()
    assert [v["text"] for v in history] == [
        "Home visit went well", "Home visit went well; follow up", "Third version"]
    for item in history:
        assert item["author"] == "tm"
        datetime.fromisoformat(item["time"])
    human_history = cli.ok("entry", "history", entry).out
    assert "Third version" in human_history and "tm" in human_history

    view = cli.ok("show", fam, "--json").json()
    persons = {p["id"]: p for p in view["sections"]["household"]["persons"]}
    assert persons[person]["name"] == "Ava Smith" and persons[person]["dob"] == "2019-07-04"
    assert persons[person]["relationship"] == "sibling"
    notes = {e["id"]: e for e in view["sections"]["case-notes"]["entries"]}
    assert notes[entry]["text"] == "Third version" and notes[entry]["date"] == "2026-03-01"
    assert notes[entry]["conflict"] is False
    actions = {a["id"]: a for a in view["sections"]["plan"]["actions"]}
    assert actions[action]["owner"] == "sw1" and actions[action]["due"] == "2026-04-01"
    assert actions[action_json["id"]]["text"] == "Write up"


def test_a_correction_may_change_the_date_and_type_with_a_reason(cli: Cli) -> None:
    fam = cli.t.family_id
    entry = _id_line(cli.ok("entry", "add", fam, "--section", "case-notes", "--text",
                            "Visit on the wrong day", "--date", "2026-03-01"))
    cli.ok("entry", "edit", entry, "--text", "Visit on the right day", "--date", "2026-03-02",
           "--type", "visit", "--reason", "Typed the day before by mistake")
    notes = {e["id"]: e for e in
             cli.ok("show", fam, "--json").json()["sections"]["case-notes"]["entries"]}
    assert notes[entry]["date"] == "2026-03-02" and notes[entry]["type"] == "visit"
    assert [v["date"] for v in cli.ok("entry", "history", entry, "--json").json()] == [
        "2026-03-01", "2026-03-02"]
    # The text alone may still change without a reason, as before.
    cli.ok("entry", "edit", entry, "--text", "Visit on the right day, seen alone")


def test_sealed_entry_is_accepted_and_not_readable_by_its_writer(cli: Cli) -> None:
    result = cli.ok("entry", "add", cli.t.family_id, "--section", "police", "--text",
                    "Concern for the police", user="sw1")
    entry = _id_line(result)
    assert "sealed" in result.err  # a notice, not an error
    assert "Concern for the police" not in json.dumps(
        cli.ok("show", cli.t.family_id, "--json", user="sw1").json())
    police = cli.ok("show", cli.t.family_id, "--json", user="pc1").json()
    assert entry in {e["id"] for e in police["sections"]["police"]["entries"]}


# --- show -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "present", "absent"),
    [
        ("tm", {"channel": MARKER_CHANNEL}, {"police", "mental-health", "education"}),
        ("pc1", {"police": MARKER_POLICE, "channel": MARKER_CHANNEL},
         {"mental-health", "education"}),
        ("sw1", {"education": MARKER_EDUCATION}, {"police", "mental-health", "channel"}),
    ],
)
def test_show_json_holds_only_readable_sections(
    cli: Cli, user: str, present: dict[str, str], absent: set[str]
) -> None:
    first = cli.ok("show", cli.t.family_id, "--json", user=user)
    second = cli.ok("show", cli.t.family_id, "--json", user=user)
    assert first.out == second.out  # deterministic for the same vault state
    view = first.json()
    assert view["family"]["name"] == "Smith family"
    assert view["family"]["id"] == cli.t.family_id
    assert not absent & set(view["sections"]), sorted(view["sections"])
    for section, marker in present.items():
        assert marker in json.dumps(view["sections"][section])
    markers = {"police": MARKER_POLICE, "mental-health": MARKER_MH, "channel": MARKER_CHANNEL,
               "education": MARKER_EDUCATION}
    for section in absent:
        assert markers[section] not in first.out
    for core in ("household", "case-notes", "plan"):
        assert core in view["sections"]
    # The human form shows the same readable content.
    human = cli.ok("show", cli.t.family_id, user=user).out
    assert "Smith family" in human
    for marker in present.values():
        assert marker in human


# --- audit ----------------------------------------------------------------------------------


def test_audit_verify(cli: Cli) -> None:
    result = cli.ok("audit", "verify")
    assert result.out.startswith("Audit chain verified")
    report = cli.ok("audit", "verify", "--json", user="pc1").json()
    assert report["ok"] is True and report["first_broken"] is None and report["events"] > 10


def test_audit_list_names_who_did_what_and_when(cli: Cli) -> None:
    # Arrange each kind of event.
    cli.fails("family", "list", user="sw1", passphrase="this is not my passphrase")
    cli.ok("family", "list", user="sw1")  # folds the side journal into the chain
    entry = _id_line(cli.ok("entry", "add", cli.t.family_id, "--section", "case-notes",
                            "--text", "Audited note"))
    cli.ok("show", cli.t.family_id, "--json", user="pc1")  # reads police: section_read
    cli.ok("recover", "new1", "--recovery-key-file", str(cli.recovery_file()), user=None,
           new="replacement initial words")

    events = cli.ok("audit", "list", "--json").json()
    for event in events:
        assert {"time", "user", "event", "ids"} <= set(event), event
        datetime.fromisoformat(event["time"])
        assert isinstance(event["ids"], dict)
    names = {e["event"] for e in events}
    assert {"sign_in", "sign_in_failed", "entry_added", "section_read",
            "recovery_key_used"} <= names, names
    added = [e for e in events if e["event"] == "entry_added" and e["ids"].get("entry") == entry]
    assert len(added) == 1 and added[0]["user"] == "tm"
    assert added[0]["ids"]["family"] == cli.t.family_id
    reads = [e for e in events if e["event"] == "section_read" and e["user"] == "pc1"]
    assert reads and all(e["ids"]["family"] == cli.t.family_id for e in reads)
    failed = [e for e in events if e["event"] == "sign_in_failed"]
    assert failed and failed[-1]["ids"]["username"] == "sw1"
    assert any(e["ids"].get("purpose") == "reset passphrase" for e in events
               if e["event"] == "recovery_key_used")
    # Who and when, never content.
    dump = json.dumps(events)
    for content in ("Audited note", "Smith family", MARKER_POLICE, MARKER_MH):
        assert content not in dump

    limited = cli.ok("audit", "list", "--json", "--limit", "2", user="admin").json()
    assert len(limited) == 2
    human = cli.ok("audit", "list").out
    assert "entry_added" in human and "sign_in_failed" in human
    assert cli.ok("audit", "verify", "--json").json()["ok"] is True


# --- recovery and devices -------------------------------------------------------------------


def test_recover_resets_a_passphrase_and_is_announced(cli: Cli) -> None:
    key_file = cli.recovery_file("\n  " + cli.t.recovery_key + "  \n")
    result = cli.ok("recover", "sw1", "--recovery-key-file", str(key_file), "--json", user=None,
                    new="recovered initial passphrase")
    assert result.json() == {"username": "sw1", "reset": True}
    cli.fails("family", "list", user="sw1")  # the old passphrase is gone
    restricted = cli.fails("family", "list", user="sw1", passphrase="recovered initial passphrase")
    assert "passphrase change" in restricted.err
    changed = cli.ok("passphrase", "change", "--json", user="sw1",
                     passphrase="recovered initial passphrase", new=NEW_OWN).json()
    cli.passphrases["sw1"] = NEW_OWN
    # The next sign-in of every other user announces the use of the recovery key.
    announced = cli.ok("family", "list", user="pc1")
    assert "workbook: notice:" in announced.err and "recovery key" in announced.err
    cli.ok("keys", "approve", "sw1", "--fingerprint", changed["fingerprint"])
    assert family_ids(cli, "sw1") == {cli.t.family_id, cli.t.other_family_id}


def test_device_enrol_with_the_recovery_key(cli: Cli) -> None:
    delete_device_secret(cli.t.vault_id)
    assert load_device_secret(cli.t.vault_id) is None
    refused = cli.fails("family", "list")
    assert "not enrolled" in refused.err
    result = cli.ok("device", "enrol", "--recovery-key-file", str(cli.recovery_file()), "--json",
                    user=None)
    assert result.json() == {"vault_id": cli.t.vault_id, "enrolled": True}
    assert family_ids(cli, "tm") == {cli.t.family_id, cli.t.other_family_id}
    events = cli.ok("audit", "list", "--json").json()
    assert any(e["event"] == "recovery_key_used" and e["ids"].get("purpose") == "enrol device"
               for e in events)


def test_device_request_grant_enrol_round_trip(cli: Cli) -> None:
    enrolled = keyring.get_keyring()
    newcomer_account = MemoryKeyring()  # another OS account: an empty keyring of its own
    request = cli.tmp / "request.json"
    grant = cli.tmp / "grant.json"

    keyring.set_keyring(newcomer_account)
    cli.fails("family", "list")  # not enrolled yet
    asked = cli.ok("device", "request", "--out", str(request), "--json", user=None).json()
    assert request.is_file() and (request.stat().st_mode & 0o777) == 0o600
    code = asked["code"]

    keyring.set_keyring(enrolled)
    wrong = cli.fails("device", "grant", str(request), "--code", "1111 2222 3333 4444 5555",
                      "--out", str(grant))
    assert "does not match" in wrong.err and not grant.exists()
    cli.ok("device", "grant", str(request), "--code", code, "--out", str(grant))
    assert (grant.stat().st_mode & 0o777) == 0o600

    keyring.set_keyring(newcomer_account)
    done = cli.ok("device", "enrol", "--grant", str(grant), "--json", user=None).json()
    assert done == {"vault_id": cli.t.vault_id, "enrolled": True}
    assert family_ids(cli, "sw1") == {cli.t.family_id, cli.t.other_family_id}


# --- policy ---------------------------------------------------------------------------------


def test_policy_show_and_set(cli: Cli) -> None:
    shown = cli.ok("policy", "show", user="admin").out
    assert "[readers]" in shown and 'police           = ["police"]' in shown
    assert cli.ok("policy", "show", "--json", user="admin").json()["policy"] in shown
    new_policy = shown.replace('police           = ["police"]',
                               'police           = ["police", "social-worker"]')
    policy_file = cli.write("policy.toml", new_policy)
    assert cli.ok("policy", "set", str(policy_file), user="admin").out.strip() == "Policy changed."
    assert cli.ok("policy", "show", user="admin").out == new_policy + "\n"
    # The change is audited, and social workers' police grants are now pending for pc1.
    assert any(e["event"] == "policy_changed"
               for e in cli.ok("audit", "list", "--json", user="admin").json())
    pending = cli.ok("keys", "pending", "--json", user="pc1").json()
    assert {"sw1", "police"} <= {p["username"] for p in pending} | {p["section"] for p in pending}


# --- demo -----------------------------------------------------------------------------------


def test_demo_builds_a_small_demo_vault(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = pytest.importorskip(
        "workbook.demo", reason="workbook.demo (build_demo) is not written yet")
    if not hasattr(demo, "build_demo"):
        pytest.skip("workbook.demo has no build_demo yet")
    # Only the Argon2id cost changes (about 15 s of the run at full cost for a dozen users);
    # the families, the 2,000-entry family and the key flow are the real ones.
    monkeypatch.setattr(demo, "build_demo", functools.partial(demo.build_demo, kdf=FAST_KDF))
    target = cli.tmp / "demo-vault"
    result = cli.ok("demo", "--vault", str(target), "--families", "3", "--json", user=None,
                    vault=False)
    data = result.json()
    assert ID.match(data["vault_id"])
    users = {u["role"]: u for u in data["users"]}
    assert {"team-manager", "police", "admin"} <= set(users)
    manager = users["team-manager"]
    families = cli.ok("family", "list", "--json", "--vault", str(target), user=manager["username"],
                      passphrase=manager["passphrase"]).json()
    assert len(families) == 3
    assert Path(target, "vault.db").is_file()
