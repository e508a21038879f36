"""Reads Workbook's sign-in page through the real AT-SPI bus, as Orca does, and types into it
through the bus's own keyboard (XTest), as a person would. Run by the SYSTEM python3 (which has
pyatspi), never imported by the test suite: tests/gui/test_atspi.py starts it beside the app
and reads the one JSON object it prints.

    python3 atspi_reader.py USERNAME PASSPHRASE APP_COMMAND...

It starts the app (APP_COMMAND, ended when done) and prints every object of the window (role,
name, description, text, state) before and after a refused sign-in, and every text change,
announcement, name, description and state change heard meanwhile. The focus is not read: with
no window manager under Xvfb no window is active, so no widget reports it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pyatspi  # type: ignore[import-not-found]
from gi.repository import GLib  # type: ignore[import-not-found]

RETURN_KEYSYM = 0xFF0D
STEP_MS = 250
WAIT_SECONDS = 60


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


def script(username: str, passphrase: str, out: dict[str, Any]) -> Iterator[None]:
    """One step per tick of the main loop, so that the events of each step are heard."""
    deadline = time.monotonic() + WAIT_SECONDS
    window = None
    while window is None or find(window, "password text", "Passphrase") is None:
        if time.monotonic() > deadline:
            out["problem"] = "the Workbook window never appeared on the bus"
            return
        yield
        window = workbook_window()
    out["before"] = [described(n) for n in walk(window)]
    find(window, "text", "Username").queryComponent().grabFocus()
    yield
    type_text(username)
    yield
    field = find(window, "password text", "Passphrase")
    field.queryComponent().grabFocus()
    yield
    out["typing_from"] = len(out["events"])
    type_text(passphrase)
    for _ in range(4):
        yield
    press_return()
    while not any(n["role"] == "label" and "passphrase" in n["name"].lower()
                  and n["showing"] for n in map(described, walk(window))):
        if time.monotonic() > deadline:
            out["problem"] = "no refusal was shown"
            break
        yield
    for _ in range(4):
        yield
    out["after"] = [described(n) for n in walk(window)]
    window.clearCache()
    out["after_uncached"] = [described(n) for n in walk(window)]


def main() -> int:
    username, passphrase, command = sys.argv[1], sys.argv[2], sys.argv[3:]
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
    steps = script(username, passphrase, out)

    def tick() -> bool:
        try:
            next(steps)
        except StopIteration:
            pyatspi.Registry.stop()
            return False
        return True

    GLib.timeout_add(STEP_MS, tick)
    try:
        pyatspi.Registry.start()
    finally:
        app.terminate()
        app.wait(timeout=20)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
