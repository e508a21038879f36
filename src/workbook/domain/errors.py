"""The one root of every error whose message is safe to show a person.

It lives in the domain, the lowest layer, so that crypto, vault, sync, services and the screens
can all subclass it. "Safe to show" then means exactly `isinstance(exc, WorkbookError)`: the
message is one specific sentence with no secret and no case content. An error whose text is not
meant for people (an internal signal that a caller translates) does not subclass it."""

from __future__ import annotations


class WorkbookError(Exception):
    """Base of every refusal made on purpose, with a message safe to show."""
