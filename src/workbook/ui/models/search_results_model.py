"""What the search box found, best first, with the total when there are more than shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from workbook.services.home.search import SearchHit, SearchResults
from workbook.ui.models.base import FAMILY_ID_ROLE, ROW_ROLE

Index = QModelIndex | QPersistentModelIndex
PERSON_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 10
KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 11
TITLE_ROLE = int(Qt.ItemDataRole.UserRole) + 12
SUBTITLE_ROLE = int(Qt.ItemDataRole.UserRole) + 13


def hit_text(hit: SearchHit) -> str:
    """The row read as one line (a screen reader's text, the list's tooltip): the title,
    then the subtitle."""
    subtitle = hit_subtitle(hit)
    return "  ·  ".join((hit.name, subtitle[:1].lower() + subtitle[1:]))


def hit_title(hit: SearchHit) -> str:
    return hit.name


def hit_subtitle(hit: SearchHit) -> str:
    if hit.kind == "family":
        return "  ·  ".join(p for p in ("Family", hit.reference, "closed" if hit.closed else "")
                            if p)
    return "  ·  ".join(p for p in (f"In {_family(hit)}", hit.detail) if p)


def _family(hit: SearchHit) -> str:
    """A person's family with its reference: two families may share a surname."""
    return f"{hit.family_name} ({hit.reference})" if hit.reference else hit.family_name


class SearchResultsModel(QAbstractListModel):
    COL_RESULT = 0

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self.total = 0

    def set_rows(self, hits: Sequence[SearchHit], total: int | None = None) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.total = len(self._hits) if total is None else total
        self.endResetModel()

    def set_results(self, results: SearchResults) -> None:
        self.set_rows(results.hits, results.total)

    def clear(self) -> None:
        self.set_rows([], 0)

    def hit_at(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit_at(index.row()) if index.isValid() else None
        if hit is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            return hit_text(hit)
        if role == FAMILY_ID_ROLE:
            return hit.family_id
        if role == PERSON_ID_ROLE:
            return hit.person_id
        if role == KIND_ROLE:
            return hit.kind
        if role == TITLE_ROLE:
            return hit_title(hit)
        if role == SUBTITLE_ROLE:
            return hit_subtitle(hit)
        if role == ROW_ROLE:
            return hit
        return None
