"""A big family opens in parts in the real view: a first look (verified, with a clear
"Loading earlier entries" indication) and then exactly what one load shows; a lock or another
family during the load cancels it and leaves nothing behind. Tiny parts stand in for the
5,000-entry family of bench/bench_gui_family.py."""

from __future__ import annotations

from typing import Any

from support.family_vault import MARKER_NOTE
from support.qt_wait import linger, pump
from workbook.ui.family.loading import load_family
from workbook.ui.family.models.chronology_model import ENTRY_ID_ROLE


def _grow(driver: Any, count: int = 8) -> None:
    fid = driver.fv.family_id

    def add(s: Any) -> None:
        for i in range(count):
            s.families.add_entry(fid, "case-notes", f"Entry number {i}",
                                 f"2025-0{1 + i % 9}-1{i}", "note", significant=i % 3 == 0)

    driver.call(add)


def _ids(page: Any) -> list[str]:
    model = page.model
    while model.canFetchMore():
        model.fetchMore()
    return [model.index(r, 0).data(ENTRY_ID_ROLE) for r in range(model.rowCount())]


def _in_small_parts(driver: Any, chunk: int = 2) -> Any:
    view = driver.view
    view.first_entries = 1
    view.load_chunk = chunk
    view.whole_up_to = 0
    return view


def _partly_loaded(driver: Any, qtbot: Any) -> tuple[Any, list[str]]:
    """tm signed in, the family grown, and its opening stopped after the first look (one
    version per later part); the families the view reports loaded from then on."""
    driver.sign_in("tm")
    _grow(driver)
    view = _in_small_parts(driver, chunk=1)
    loaded: list[str] = []
    view.loaded.connect(loaded.append)
    with qtbot.waitSignal(view.partly_loaded, timeout=15000):
        view.open_family(driver.fv.family_id)
    return view, loaded


def test_a_big_family_shows_a_first_look_then_exactly_one_loads_content(driver, qtbot) -> None:
    driver.sign_in("tm")
    _grow(driver)
    view = _in_small_parts(driver)
    fid = driver.fv.family_id
    seen: dict[str, Any] = {}

    def first_look(family_id: str) -> None:
        page = view.chronology
        seen.update(
            family=family_id, rows=_ids(page), loading=not page.loading_row.isHidden(),
            bar=page.loading_bar.accessibleName(), text=page.loading_text.text(),
            count=page.count.text(), header=view.header.name.text(),
            busy=view.busy.isVisible(), navigator=view.navigator.count())

    view.partly_loaded.connect(first_look)
    driver.open()
    whole = driver.call(lambda s: load_family(s, fid, audit=False))
    assert seen["family"] == fid
    assert seen["loading"] and seen["bar"] == "Loading earlier entries"
    assert seen["text"].startswith("Loading earlier entries…")
    assert "loaded so far" in seen["count"]
    assert seen["header"] == "Smith family" and seen["navigator"] > 1 and not seen["busy"]
    assert 0 < len(seen["rows"]) < len(whole.rows)
    assert set(seen["rows"]) <= {r.entry_id for r in whole.rows}
    # Loaded: exactly the order and content of one load, nothing said about loading.
    assert _ids(view.chronology) == [r.entry_id for r in whole.rows]
    assert view.snapshot == whole
    assert view.chronology.loading_row.isHidden()
    assert "loaded so far" not in view.chronology.count.text()
    # Filters and significant events work on every entry once loaded.
    with qtbot.waitSignal(view.chronology.filtered) as shown:
        view.chronology.significant.setChecked(True)
    assert shown.args == [sum(1 for r in whole.rows if r.significant)]


def test_a_lock_during_a_load_in_parts_cancels_it_and_leaves_nothing(driver, qtbot,
                                                                     texts) -> None:
    view, loaded = _partly_loaded(driver, qtbot)
    load = view._opening
    assert load is not None
    driver.lock()
    driver.settle()
    linger(0.2)
    assert loaded == []
    assert view.family_id is None and view.snapshot is None and view._opening is None
    assert load._opening._versions == [] and load._opening._rest == []
    assert view.chronology.model.rowCount() == 0
    assert view.chronology.loading_row.isHidden()
    shown = texts(view)
    assert "Smith" not in shown and MARKER_NOTE not in shown and "Entry number" not in shown


def test_opening_another_family_during_a_load_in_parts_discards_it(driver, qtbot,
                                                                   texts) -> None:
    view, loaded = _partly_loaded(driver, qtbot)
    first = view._opening
    driver.open(driver.fv.other_family_id)
    driver.settle()
    linger(0.2)
    assert loaded == [driver.fv.other_family_id]
    assert first is not None and first._opening._versions == []
    assert view.family_id == driver.fv.other_family_id
    assert view.header.name.text() == "Jones family"
    assert view.chronology.loading_row.isHidden()
    shown = texts(view)
    assert "Smith" not in shown and MARKER_NOTE not in shown and "Entry number" not in shown


def test_a_change_during_a_load_in_parts_shows_once_everything_has_loaded(driver,
                                                                          qtbot) -> None:
    """A refresh asked for while the parts load waits for the last part (which would
    otherwise overwrite it with what was read before the change)."""
    driver.sign_in("tm")
    _grow(driver)
    view = _in_small_parts(driver, chunk=1)
    view._refresh.setInterval(0)    # the refresh comes while the parts are still loading
    fid = driver.fv.family_id
    loaded: list[str] = []
    view.loaded.connect(loaded.append)
    with qtbot.waitSignal(view.partly_loaded, timeout=15000):
        view.open_family(fid)
    new_id = driver.call(lambda s: s.families.add_entry(fid, "case-notes", "Written meanwhile",
                                                        "2026-03-01"))
    pump(lambda: len(loaded) >= 2)
    driver.settle()
    assert new_id in _ids(view.chronology)
    whole = driver.call(lambda s: load_family(s, fid, audit=False))
    assert _ids(view.chronology) == [r.entry_id for r in whole.rows]


def test_tampering_found_in_a_later_part_clears_the_first_look(driver, qtbot, texts) -> None:
    view, loaded = _partly_loaded(driver, qtbot)
    assert MARKER_NOTE not in _texts_shown(view)   # the oldest entry: a later part

    def tamper(s: Any) -> None:
        with s.write():
            s.conn.execute("UPDATE versions SET created_at = '2001-01-01T00:00:00+00:00' "
                           "WHERE record_id = ?", (driver.fv.ids["note"],))

    driver.call(tamper)
    pump(view.notice.isVisible)
    driver.settle()
    assert loaded == []
    assert "could not be opened" in texts(view)
    assert view.snapshot is None and view.chronology.model.rowCount() == 0
    assert "Smith" not in texts(view) and "Entry number" not in texts(view)


def _texts_shown(view: Any) -> list[str]:
    model = view.chronology.model
    while model.canFetchMore():
        model.fetchMore()
    return [str(model.index(r, c).data()) for r in range(model.rowCount())
            for c in range(model.columnCount())]
