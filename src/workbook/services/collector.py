"""Python's cycle collector paused while a piece of work makes hundreds of thousands of small
objects that form no cycles (a board digest, the list of families, the board's parts, a
family opened for the desktop).

While it runs, each collection walks every young object, and a big piece of work made a
million of them: the passes cost more than the work (about half of a first board's time on
the benchmark vault). And once the collector is on again, its first pass walks them all once
more (0.1-0.2 s on a 20,000-family vault, in whatever job comes next). So when the work ends
what it made is moved to the oldest generation as it is (`gc.freeze` then `gc.unfreeze`:
two list splices, nothing walked), where only the rare full collection looks at it. Nothing
is kept frozen: a cycle made meanwhile is collected by the next full collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
