"""The chronology flattens what a person may read, in date order, and filters in the service."""

from __future__ import annotations

from support.family_vault import MARKER_MH, MARKER_NOTE, MARKER_POLICE, FamilyVault
from workbook.services.family.chronology import (
    ChronologyFilter,
    chronology,
    facets,
    filter_rows,
    preview,
    rows_from_workbook,
)


def test_rows_are_in_date_order_and_only_from_readable_sections(fv: FamilyVault) -> None:
    with fv.sign_in("pc1") as s:
        rows = chronology(s, fv.family_id)
    dates = [r.date for r in rows]
    assert dates == sorted(dates)
    assert "mental-health" not in {r.section for r in rows}
    assert not any(MARKER_MH in r.preview for r in rows)
    assert any(MARKER_POLICE in r.preview for r in rows)
    with fv.sign_in("mh1") as s:
        rows = chronology(s, fv.family_id)
    assert "police" not in {r.section for r in rows}
    assert any(MARKER_MH in r.preview for r in rows)


def test_filters_by_section_author_type_dates_and_significance(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as s:
        rows = rows_from_workbook(s.workbooks.open(fv.family_id, audit=False))
    assert [r.preview for r in filter_rows(rows, ChronologyFilter(
        sections=frozenset({"case-notes"}), types=frozenset({"visit"})))] == [MARKER_NOTE]
    assert {r.author for r in filter_rows(rows, ChronologyFilter(
        authors=frozenset({"tm"})))} == {"tm"}
    window = filter_rows(rows, ChronologyFilter(date_from="2026-01-06", date_to="2026-01-31"))
    assert [r.date for r in window] == ["2026-01-10"]
    significant = filter_rows(rows, ChronologyFilter(significant_only=True))
    assert [r.entry_id for r in significant] == [fv.ids["meeting"]]
    assert facets(rows)["sections"][0] == "case-notes"


def test_preview_is_one_short_line() -> None:
    text = "First line\nsecond line " + "word " * 100
    short = preview(text, 60)
    assert "\n" not in short and len(short) <= 60 and short.endswith("…")
    assert preview("short") == "short"
