"""Screen readers through the real accessibility bus (issue 14, item 11): the app runs under
Xvfb with its own D-Bus session and AT-SPI registry, and the system python3's pyatspi reads the
sign-in page as Orca does, types into it through the bus's keyboard (XTest), and listens.

What it holds: every field is named with its role (the passphrase is a "password text"); a
refusal is announced and can be read (the label's name is its text, the field says why it was
not accepted); a combo box is read by its own name, not its choice; nothing heard on the bus
carries the passphrase or any of its characters, while typing or when the field is cleared.
Skipped, with the reason, where the system parts are missing (apt-get install at-spi2-core
python3-pyatspi xvfb)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

READER = Path(__file__).with_name("atspi_reader.py")
SYSTEM_PYTHON = "/usr/bin/python3"
SRC = Path(__file__).resolve().parents[2] / "src"
PASSPHRASE = "Quiet-Horse-42 wrong"
RIGHT = "correct horse battery staple"
MAKE_VAULT = """
import sys
from pathlib import Path
from workbook.services.access.vault_setup import create_vault
from workbook.services.files import KdfParams
create_vault(Path(sys.argv[1]), team="North Unit", owner_username="tm",
             owner_name="Tess Manager", passphrase=sys.stdin.readline().rstrip("\\n"),
             kdf=KdfParams(8 * 1024, 1, 1))
"""
# What Qt's xcb platform plugin loads beyond Xvfb's own libraries (.ci/run installs them).
XCB_PACKAGES = ("libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 "
                "libxcb-render-util0 libxkbcommon-x11-0")
START_APP = "import sys; from workbook.ui.app import main; sys.exit(main(sys.argv[1:]))"


def _xcb_plugin_lacks() -> str:
    """The shared libraries Qt's xcb plugin needs that this system does not have (a fresh
    Debian has Xvfb's but not, say, libxcb-icccm4: the app then never reaches the bus)."""
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists() or shutil.which("ldd") is None:
        return ""
    listed = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    return ", ".join(sorted({line.split()[0] for line in listed.stdout.splitlines()
                             if "not found" in line}))


def _missing() -> str:
    for tool in ("xvfb-run", "dbus-run-session"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install xvfb dbus)"
    if not any(Path(folder, "at-spi-bus-launcher").exists()
               for folder in ("/usr/libexec", "/usr/lib/at-spi2-core")):
        return "at-spi2-core is not installed (apt-get install at-spi2-core)"
    unloadable = _xcb_plugin_lacks()
    if unloadable:
        return (f"Qt's xcb platform plugin cannot load ({unloadable} not found: apt-get install "
                f"{XCB_PACKAGES})")
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
    subprocess.run([sys.executable, "-c", MAKE_VAULT, str(vault)], input=RIGHT + "\n",
                   text=True, env=env, check=True, timeout=120)
    secrets = json.dumps({"username": "tm", "wrong": PASSPHRASE, "right": RIGHT})
    # A session of its own: Xvfb, the buses and the app are ended together, whatever happens.
    run = subprocess.Popen(
        ["xvfb-run", "-a", "dbus-run-session", "--", SYSTEM_PYTHON, str(READER),
         sys.executable, "-c", START_APP, "--vault", str(vault)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=folder,
        start_new_session=True)
    try:
        stdout, stderr = run.communicate(secrets + "\n", timeout=200)
    finally:
        _end_session(run.pid)
    lines = stdout.strip().splitlines()
    assert lines, stderr[-3000:]
    result: dict[str, Any] = json.loads(lines[-1])
    assert "problem" not in result, (result["problem"], stderr[-3000:])
    assert run.returncode == 0, stderr[-3000:]
    return result


def _end_session(leader: int) -> None:
    """Kill every process left in the run's session (the bus launcher and registry are
    started by D-Bus and outlive the run otherwise): only processes this test started."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if os.getsid(int(entry.name)) == leader:
                os.kill(int(entry.name), signal.SIGKILL)


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


def test_nothing_on_the_bus_carries_a_passphrase(heard: dict[str, Any]) -> None:
    events = heard["events"]
    typed_username = [e["data"] for e in events if e["type"] == "object:text-changed:insert"
                      and e["source"] == "Username"]
    assert typed_username == ["t", "m"]      # the listener does hear ordinary typing
    # While each passphrase is typed, submitted and cleared, no text event carries any of it
    # (the username field, cleared on signing in, is the only text heard).
    letters = set((PASSPHRASE + RIGHT).replace(" ", "")) - set("tm")
    for start, end in (("typing_from", "after_from"), ("right_from", "home_from")):
        said = [e for e in events[heard[start]:heard[end]]
                if e["type"].startswith("object:text-changed")]
        assert all(e["source"] == "Username" and not set(e["data"]) & letters
                   for e in said), said
    for event in events:
        assert PASSPHRASE not in event["data"] and RIGHT not in event["data"]


def test_who_is_signed_in_and_the_lock_notice_can_be_read(heard: dict[str, Any]) -> None:
    person = next(n for n in heard["home"] if n["description"] == "Signed in as")
    assert person["role"] == "label" and "Tess Manager" in person["name"]
    notice = next(n for n in heard["locked"] if n["description"] == "Lock notice")
    assert notice["role"] == "label" and "locked" in notice["name"].lower()


def test_a_combo_box_is_read_by_its_own_name(heard: dict[str, Any]) -> None:
    # Qt's own interface names a combo box by its current text on Linux ("Child protection"
    # here); a11y.ComboBoxName gives its name, the choice staying in its list.
    combo = heard["combo"]
    assert (combo["role"], combo["name"]) == ("combo box", "Kept in")
    assert combo["description"].startswith("A referral about a restricted matter")
    assert combo["children"] == ["list"]
    assert "Show Menu" in combo["actions"]
