"""How much a property test explores, from the environment: CI's budget by default, a deeper
one under `make test-deep`.

`make test` (and CI) explore the same examples every run (derandomized), so main cannot go red
by the luck of a seed; `make test-deep` sets WORKBOOK_STATEFUL_RANDOM=1 to explore new ones
each time, with larger budgets set through the variables each test names."""

from __future__ import annotations

import os

RANDOM = os.environ.get("WORKBOOK_STATEFUL_RANDOM", "") not in ("", "0")


def budget(variable: str, default: int) -> int:
    """The whole number in environment `variable`, or `default` when it is not set."""
    value = os.environ.get(variable, "").strip()
    return int(value) if value else default
