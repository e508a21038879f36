"""Screen readers through the real accessibility bus (issue 14, item 11): the app runs under
Xvfb with its own D-Bus session and AT-SPI registry, and the system python3's pyatspi reads the
sign-in page as Orca does, types into it through the bus's keyboard (XTest), and listens.

What it holds: every field is named with its role (the passphrase is a "password text"); a
refusal is announced and can be read (the label's name is its text, the field says why it was
not accepted); nothing heard on the bus carries the passphrase or any of its characters, while
typing or when the field is cleared. Skipped, with the reason, where the system parts are
missing (apt-get install at-spi2-core python3-pyatspi xvfb)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

READER = Path(__file__).with_name("atspi_reader.py")
SYSTEM_PYTHON = "/usr/bin/python3"
SRC = Path(__file__).resolve().parents[2] / "src"
PASSPHRASE = "Quiet-Horse-42 wrong"
MAKE_VAULT = """
import sys
from pathlib import Path
from workbook.services.access.vault_setup import create_vault
from workbook.services.files import KdfParams
create_vault(Path(sys.argv[1]), team="North Unit", owner_username="tm",
             owner_name="Tess Manager", passphrase="correct horse battery staple",
             kdf=KdfParams(8 * 1024, 1, 1))
"""
START_APP = "import sys; from workbook.ui.app import main; sys.exit(main(sys.argv[1:]))"


def _missing() -> str:
    for tool in ("xvfb-run", "dbus-run-session"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install xvfb dbus)"
    if not any(Path(folder, "at-spi-bus-launcher").exists()
               for folder in ("/usr/libexec", "/usr/lib/at-spi2-core")):
        return "at-spi2-core is not installed (apt-get install at-spi2-core)"
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True,
            check=False).returncode != 0:
        return "the system python3 has no pyatspi (apt-get install python3-pyatspi)"
    return ""


pytestmark = pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready")


@pytest.fixture(scope="module")
def heard(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of the app and the reader, read by every test of this module."""
    folder = tmp_path_factory.mktemp("atspi")
    env = {**os.environ, "PYTHONPATH": str(SRC), "WORKBOOK_KEYRING": "file",
           "XDG_CONFIG_HOME": str(folder / "config"), "QT_QPA_PLATFORM": "xcb",
           "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1"}
    env.pop("WORKBOOK_VAULT", None)
    vault = folder / "vault"
    subprocess.run([sys.executable, "-c", MAKE_VAULT, str(vault)], env=env, check=True,
                   timeout=120)
    done = subprocess.run(
        ["xvfb-run", "-a", "dbus-run-session", "--", SYSTEM_PYTHON, str(READER),
         "tm", PASSPHRASE, sys.executable, "-c", START_APP, "--vault", str(vault)],
        env=env, capture_output=True, text=True, timeout=180, check=False, cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert "problem" not in result, result["problem"]
    return result


def _shown(nodes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(n["role"], n["name"]): n for n in nodes if n["showing"]}


def test_the_sign_in_page_is_named_with_roles(heard: dict[str, Any]) -> None:
    before = _shown(heard["before"])
    assert before[("text", "Username")]["description"] == "Your Workbook username"
    assert before[("password text", "Passphrase")]["description"] == "Your passphrase"
    assert ("push button", "Sign in") in before
    assert ("label", "Sign in with your own username and passphrase.") in before
    # The passphrase offers no text at all to the bus, not even its mask.
    assert before[("password text", "Passphrase")]["text"] == ""


def test_a_refusal_is_announced_and_can_be_read(heard: dict[str, Any]) -> None:
    after = _shown(heard["after"])
    refusal = "Wrong username or passphrase."
    assert after[("label", refusal)]["description"] == "Sign-in message"
    assert after[("password text", "Passphrase")]["description"] == f"Not accepted: {refusal}"
    types = {(e["type"], e["data"]) for e in heard["events"]}
    assert ("object:announcement", refusal) in types
    assert ("object:property-change:accessible-name", refusal) in types
    # libatspi's cache, kept by those events, agrees with a fresh read.
    assert _shown(heard["after_uncached"])[("label", refusal)] == after[("label", refusal)]


def test_nothing_on_the_bus_carries_the_passphrase(heard: dict[str, Any]) -> None:
    events = heard["events"]
    typed_username = [e["data"] for e in events if e["type"] == "object:text-changed:insert"
                      and e["source"] == "Username"]
    assert typed_username == ["t", "m"]      # the listener does hear ordinary typing
    assert [e for e in events[heard["typing_from"]:]
            if e["type"].startswith("object:text-changed")] == []
    letters = set(PASSPHRASE.replace(" ", "")) - set("tm")
    for event in events:
        data = event["data"]
        assert PASSPHRASE not in data
        if event["type"].startswith("object:text-changed"):
            assert not set(data) & letters, event
