"""Reads Workbook's sign-in page through the real AT-SPI bus, as Orca does, and types into it
through the bus's own keyboard (XTest), as a person would. Run by the SYSTEM python3 (which has
pyatspi), never imported by the test suite: tests/gui/test_atspi.py starts it beside the app
and reads the one JSON object it prints.

    echo '{"username": ..., "wrong": ..., "right": ...}' | python3 atspi_reader.py APP_COMMAND...

It starts the app (APP_COMMAND, ended when done), signs in with the wrong passphrase, then the
right one, opens the front door's New referral form (its "Kept in" combo box) and closes it,
and locks from home; it prints every object of the window (role, name, description,
text, state) at each step, and every text change, announcement, name, description and state
change heard meanwhile. The focus is not read: with
no window manager under Xvfb no window is active, so no widget reports it."""

from __future__ import annotations

import faulthandler
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pyatspi  # type: ignore[import-not-found]
from gi.repository import GLib  # type: ignore[import-not-found]

RETURN_KEYSYM = 0xFF0D
STEP_MS = 250
WAIT_SECONDS = 60
TOTAL_SECONDS = 150   # then the app is killed and what was heard so far is printed


def walk(node: Any, depth: int = 0) -> Iterator[Any]:
    if node is None or depth > 40:
        return
    yield node
    for child in node:
        yield from walk(child, depth + 1)


def text_of(node: Any) -> str:
    try:
        text = node.queryText()
    except NotImplementedError:
        return ""
    return str(text.getText(0, -1))


def described(node: Any) -> dict[str, Any]:
    states = node.getState()
    return {"role": node.getRoleName(), "name": node.name, "description": node.description,
            "text": text_of(node), "focused": states.contains(pyatspi.STATE_FOCUSED),
            "showing": states.contains(pyatspi.STATE_SHOWING)}


def find_in_app(window: Any, role: str, name: str) -> Any | None:
    """In any window of the app the given window belongs to (a dialog is a window of its own)."""
    for other in window.getApplication():
        found = find(other, role, name) if other is not None else None
        if found is not None:
            return found
    return None


def workbook_window() -> Any | None:
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is None:
            continue
        for window in app:
            if window is not None and "Workbook" in (window.name or ""):
                return window
    return None


def find(window: Any, role: str, name: str) -> Any | None:
    for node in walk(window):
        if node.getRoleName() == role and node.name == name:
            return node
    return None


def type_text(text: str) -> None:
    pyatspi.Registry.generateKeyboardEvent(0, text, pyatspi.KEY_STRING)


def press_return() -> None:
    pyatspi.Registry.generateKeyboardEvent(RETURN_KEYSYM, None, pyatspi.KEY_SYM)


def _wait_for(window: Any, role: str, found: Callable[[Any], bool], what: str,
              out: dict[str, Any]) -> Iterator[None]:
    """Ticks until an object of `role` in the window matches; a problem after WAIT_SECONDS.
    Only the role is asked of every object: each question is a D-Bus call."""
    deadline = time.monotonic() + WAIT_SECONDS
    out["step"] = f"waiting for {what}"
    # Fresh values each time: libatspi caches names and states, and a change Qt made while a
    # label was hidden can reach it late or not at all.
    while not _any_found(window, role, found, out):
        if time.monotonic() > deadline:
            out.setdefault("problem", f"never shown: {what} (last error: "
                                      f"{out.get('walk_error', 'none')})")
            return
        yield


def _any_found(window: Any, role: str, found: Callable[[Any], bool],
               out: dict[str, Any]) -> bool:
    """One pass over the window. An object that goes away while it is being asked about (the
    lock tears down the signed-in screen as the pass runs: "invalid interface") only means
    "not yet": the next tick walks the tree again."""
    try:
        return any(n.getRoleName() == role and (n.clearCache() or True) and found(n)
                   for n in walk(window))
    except Exception as exc:  # noqa: BLE001 - pyatspi raises GLib errors of several kinds
        out["walk_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        return False


def _showing(node: Any) -> bool:
    return bool(node.getState().contains(pyatspi.STATE_SHOWING))


def _sign_in(window: Any, username: str, passphrase: str, out: dict[str, Any],
             mark: str) -> Iterator[None]:
    """Type the username and passphrase through the bus's keyboard, then Enter."""
    out["step"] = f"signing in ({mark})"
    username_field = find(window, "text", "Username")
    username_field.queryComponent().grabFocus()
    yield
    if text_of(username_field) != username:
        type_text(username)
        yield
    find(window, "password text", "Passphrase").queryComponent().grabFocus()
    yield
    out[mark] = len(out["events"])
    type_text(passphrase)
    for _ in range(4):
        yield
    press_return()


def _read_a_combo_box(window: Any, out: dict[str, Any]) -> Iterator[None]:
    """The front door's New referral form, to read its "Kept in" combo box, then Cancel."""
    out["step"] = "opening the front door"
    find(window, "push button", "Front door").queryAction().doAction(0)
    yield from _wait_for(window, "push button", lambda n: n.name == "New referral…"
                         and _showing(n), "New referral…", out)
    find(window, "push button", "New referral…").queryAction().doAction(0)
    deadline = time.monotonic() + WAIT_SECONDS
    out["step"] = "waiting for the Kept in combo box"
    while (combo := find_in_app(window, "combo box", "Kept in")) is None:
        if time.monotonic() > deadline:
            out["problem"] = "never shown: the Kept in combo box"
            return
        yield
    combo.clearCache()
    out["combo"] = {**described(combo), "children": [c.getRoleName() for c in combo],
                    "actions": [combo.queryAction().getName(i)
                                for i in range(combo.queryAction().nActions)]}
    form = combo.parent
    while form is not None and form.getRoleName() not in ("dialog", "frame", "window"):
        form = form.parent
    cancel = find(form, "push button", "Cancel") if form is not None else None
    if cancel is not None:
        cancel.queryAction().doAction(0)
    for _ in range(4):
        yield
    find(window, "push button", "Back to home").queryAction().doAction(0)
    for _ in range(4):
        yield


def script(secrets: dict[str, str], out: dict[str, Any]) -> Iterator[None]:
    """One step per tick of the main loop, so that the events of each step are heard: a wrong
    passphrase, the right one, home, and the lock."""
    deadline = time.monotonic() + WAIT_SECONDS
    window = None
    while window is None or find(window, "password text", "Passphrase") is None:
        if time.monotonic() > deadline:
            out["problem"] = "the Workbook window never appeared on the bus"
            return
        yield
        window = workbook_window()
    out["before"] = [described(n) for n in walk(window)]
    yield from _sign_in(window, secrets["username"], secrets["wrong"], out, "typing_from")
    yield from _wait_for(window, "label", lambda n: "passphrase" in (n.name or "").lower()
                         and _showing(n), "the refusal", out)
    for _ in range(4):
        yield
    out["after"] = [described(n) for n in walk(window)]
    out["after_from"] = len(out["events"])
    window.clearCache()
    out["after_uncached"] = [described(n) for n in walk(window)]
    yield from _sign_in(window, secrets["username"], secrets["right"], out, "right_from")
    yield from _wait_for(window, "label", lambda n: n.description == "Signed in as"
                         and _showing(n), "who is signed in", out)
    out["step"] = "reading home"
    out["home"] = [described(n) for n in walk(window)]
    out["home_from"] = len(out["events"])
    yield from _read_a_combo_box(window, out)
    out["step"] = "pressing Lock Workbook"
    find(window, "push button", "Lock Workbook").queryAction().doAction(0)
    yield from _wait_for(window, "label", lambda n: n.description == "Lock notice"
                         and bool(n.name) and _showing(n), "the lock notice", out)
    out["locked"] = [described(n) for n in walk(window)]


def main() -> int:
    secrets = json.loads(sys.stdin.readline())   # never argv: argv is readable by all
    command = sys.argv[1:]
    out: dict[str, Any] = {"events": []}
    app = subprocess.Popen(command)

    def heard(event: Any) -> None:
        source = event.source
        out["events"].append({"type": event.type, "data": str(event.any_data),
                              "source": getattr(source, "name", "") or ""})

    # As Orca does: the name, description and state changes also keep libatspi's cache true.
    pyatspi.Registry.registerEventListener(heard, "object:text-changed",
                                           "object:announcement", "object:state-changed",
                                           "object:property-change:accessible-name",
                                           "object:property-change:accessible-description")
    steps = script(secrets, out)

    def tick() -> bool:
        try:
            next(steps)
        except StopIteration:
            pyatspi.Registry.stop()
            return False
        except Exception:  # noqa: BLE001 - said in the output, never a silent hang
            out["problem"] = f"{out.get('step', 'starting')}: {traceback.format_exc()}"
            pyatspi.Registry.stop()
            return False
        return True

    GLib.timeout_add(STEP_MS, tick)
    def give_up() -> None:
        out["problem"] = f"timed out {out.get('step', 'starting')}"
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        app.kill()
        print(json.dumps(out), flush=True)
        os._exit(3)

    watchdog = threading.Timer(TOTAL_SECONDS, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        pyatspi.Registry.start()
    finally:
        app.terminate()
        try:
            app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
    watchdog.cancel()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
