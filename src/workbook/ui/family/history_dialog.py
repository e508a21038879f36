"""Every version of an entry, with who and when, and what changed from the version before:
insertions and deletions marked in words as well as colour."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.display import uk_date
from workbook.ui.family.common import accessible, fmt_stamp

INS_STYLE = "background:#DFF3E4;color:#0B4F1F;text-decoration:underline;"
DEL_STYLE = "background:#FDE7E9;color:#7A0C17;text-decoration:line-through;"


@dataclass(frozen=True)
class VersionInfo:
    version_id: str
    author: str          # username
    created_at: str
    text: str
    parents: tuple[str, ...]
    date: str = ""            # the entry's own date (ISO), as this version has it
    entry_type: str = ""
    reason: str = ""          # why it was corrected ("correction_reason") or deleted
    deleted: bool = False


def diff_html(old: str, new: str) -> str:
    """Word-level diff as HTML: <ins> for what was added, <del> for what was removed."""
    a = re.findall(r"\s+|[^\s]+", old)
    b = re.findall(r"\s+|[^\s]+", new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f'<del style="{DEL_STYLE}" title="removed">'
                       f'{html.escape("".join(a[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins style="{INS_STYLE}" title="added">'
                       f'{html.escape("".join(b[j1:j2]))}</ins>')
    return "".join(out).replace("\n", "<br>")


def version_page(versions: list[VersionInfo], index: int) -> str:
    """The HTML shown for one version: header, then its text as a diff from its parent."""
    current = versions[index]
    by_id = {v.version_id: v for v in versions}
    parent = next((by_id[p] for p in current.parents if p in by_id), None)
    head = (f"<p><b>Version {index + 1} of {len(versions)}</b> - "
            f"{html.escape(current.author)}, {html.escape(fmt_stamp(current.created_at))}</p>")
    if parent is None:
        return head + "<p><i>First version.</i></p><p>" + html.escape(current.text).replace(
            "\n", "<br>") + "</p>"
    legend = (f'<p style="color:#44505C">Changes from version '
              f'{versions.index(parent) + 1}: <ins style="{INS_STYLE}">added</ins> '
              f'<del style="{DEL_STYLE}">removed</del></p>')
    return (head + _why(parent, current) + legend + "<p>"
            + diff_html(parent.text, current.text) + "</p>")


def _why(parent: VersionInfo, current: VersionInfo) -> str:
    """What a correction changed besides the text, and the reason its author gave: a reader of
    the history must see why the record changed, not only that it did."""
    lines: list[str] = []
    if current.deleted and not parent.deleted:
        lines.append("Deleted from the chronology" + (f": {current.reason}" if current.reason
                                                      else "."))
    elif current.reason:
        lines.append(f"Reason for the correction: {current.reason}")
    if current.date and parent.date and current.date != parent.date:
        lines.append(f"Date changed from {uk_date(parent.date)} to {uk_date(current.date)}.")
    if current.entry_type and parent.entry_type and current.entry_type != parent.entry_type:
        before, after = (v.entry_type.replace("-", " ") for v in (parent, current))
        lines.append(f"Type changed from {before} to {after}.")
    return "".join(f"<p><b>{html.escape(line)}</b></p>" for line in lines)


class HistoryDialog(QDialog):
    """Non-blocking: opened with open(), so the window never waits on it."""

    def __init__(self, versions: list[VersionInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Entry history")
        self.resize(820, 480)
        self.versions = versions
        layout = QVBoxLayout(self)
        intro = QLabel("Every version of this entry. Corrections are new versions; nothing is "
                       "overwritten.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.list = QListWidget(self)
        accessible(self.list, "Versions", "Choose a version to see what changed")
        self.list.setMaximumWidth(280)
        for i, v in enumerate(versions):
            item = QListWidgetItem(f"Version {i + 1}\n{v.author}, {fmt_stamp(v.created_at)}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            self.list.addItem(item)
        self.text = QTextBrowser(self)
        accessible(self.text, "Version text and changes")
        row.addWidget(self.list)
        row.addWidget(self.text, 1)
        layout.addLayout(row, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        accessible(close, "Close history")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show)
        if versions:
            self.list.setCurrentRow(len(versions) - 1)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.versions):
            self.text.setHtml(version_page(self.versions, row))

    def wipe(self) -> None:
        self.list.clear()
        self.text.clear()
        self.versions = []
