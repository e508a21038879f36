"""Two PCs as two OS accounts: every command a separate process of the real command line, each
PC with its own HOME and its own file keyring, the full default Argon2id cost, one sync folder.
The command shapes and JSON fields are the contract of issue 18."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import workbook

SRC = Path(workbook.__file__).resolve().parents[1]
OWNER_PASS = "correct horse battery staple"
RUN = "import sys; from workbook.cli import main; sys.exit(main())"


def cli(home: Path, *argv: str, user: str | None = "tm") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_")}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "WORKBOOK_KEYRING": "file", "PYTHONPATH": str(SRC)})
    env["WORKBOOK_PASSPHRASE"] = OWNER_PASS
    if user is not None:
        env["WORKBOOK_USER"] = user
    return subprocess.run([sys.executable, "-c", RUN, *argv], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)


def ok(home: Path, *argv: str, user: str | None = "tm") -> Any:
    done = cli(home, *argv, user=user)
    assert done.returncode == 0, done
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout) if "--json" in argv else done.stdout


def one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbook: error: "), lines
    return lines[0]


def test_two_pcs_join_and_converge_through_the_folder(tmp_path: Path) -> None:
    share, pc1, pc2 = tmp_path / "share", tmp_path / "pc1", tmp_path / "pc2"
    for folder in (share, pc1, pc2):
        folder.mkdir()
    v1, v2 = pc1 / "vault", pc2 / "vault"
    init = cli(pc1, "init", "--vault", str(v1), "--team", "North Unit", "--owner", "tm",
               "--owner-name", "Tess Manager", "--json")
    assert init.returncode == 0, init
    set_up = ok(pc1, "sync", "setup", "--folder", str(share), "--vault", str(v1), "--json")
    assert set_up["folder"] == str(share)
    family = ok(pc1, "family", "add", "--name", "Smith family", "--vault", str(v1), "--json")["id"]

    asked = ok(pc2, "replica", "join", "--folder", str(share), "--vault", str(v2), "--json",
               user=None)
    assert set(asked) == {"request", "fingerprint"}
    assert len(asked["fingerprint"].split()) == 5
    pending = ok(pc1, "replica", "pending", "--vault", str(v1), "--json")
    assert [p["request"] for p in pending] == [asked["request"]]
    wrong = cli(pc1, "replica", "approve", asked["request"], "--fingerprint", "0000 0000",
                "--vault", str(v1))
    assert "fingerprint does not match" in one_line_refusal(wrong)
    approved = ok(pc1, "replica", "approve", asked["request"], "--fingerprint",
                  asked["fingerprint"], "--vault", str(v1), "--json")
    joined = ok(pc2, "sync", "--vault", str(v2), "--json", user=None)
    assert joined["joined"] == asked["request"]
    # The joiner's check: both screens show the one vault fingerprint, compared by voice.
    assert joined["vault_fingerprint"] == approved["vault_fingerprint"] \
        == pending[0]["vault_fingerprint"]

    ok(pc2, "entry", "add", family, "--section", "case-notes", "--text", "From the laptop 9e1d",
       "--date", "2026-01-05", "--vault", str(v2))
    sent = ok(pc2, "sync", "--vault", str(v2), "--json")
    assert {"sent", "received", "conflicts", "refused", "replicas"} <= set(sent)
    assert sent["sent"] == 1 and sent["refused"] == []
    assert all(set(r) == {"id", "name", "last_seen"} for r in sent["replicas"])
    got = ok(pc1, "sync", "--vault", str(v1), "--json")
    assert (got["received"], got["conflicts"], got["refused"]) == (1, 0, [])
    shown = ok(pc1, "show", family, "--vault", str(v1), "--json")
    assert "From the laptop 9e1d" in json.dumps(shown)
    listed = ok(pc1, "replica", "list", "--vault", str(v1), "--json")
    assert {r["id"] for r in listed} == {set_up["replica"], asked["request"]}
    no_reason = cli(pc1, "replica", "retire", asked["request"], "--reason", "  ",
                    "--vault", str(v1))
    assert "reason" in one_line_refusal(no_reason)
    ok(pc1, "replica", "retire", asked["request"], "--reason", "laptop replaced",
       "--vault", str(v1))
    after = ok(pc1, "replica", "list", "--vault", str(v1), "--json")
    assert {r["id"]: r["status"] for r in after}[asked["request"]] == "retired"
