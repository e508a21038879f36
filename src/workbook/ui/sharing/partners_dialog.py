"""The vault's sharing identity and its partners: the fingerprint to read out, exporting the
identity card, adding a partner from a card with the fingerprint they read to you, removing
one. Managed by the owner or a team manager; the services refuse anyone else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.services.session import Session
from workbook.services.sharing.partners import Partner, read_card_file
from workbook.ui.operations import Operations
from workbook.ui.sharing.base import SharingDialog


@dataclass(frozen=True)
class PartnersState:
    identity: dict[str, str]
    partners: list[Partner]


def _state(s: Session) -> PartnersState:
    return PartnersState(s.identity.show(), s.partners.all())


class PartnersDialog(SharingDialog):
    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ops, "Sharing: identity and partners", parent)
        layout = QVBoxLayout(self)
        mine = QGroupBox("This vault", self)
        mine_form = QFormLayout(mine)
        self.team = QLabel(mine)
        self.fingerprint = QLabel(mine)
        self.fingerprint.setAccessibleName("Fingerprint")
        self.fingerprint.setStyleSheet("font-family: monospace; font-size: 14pt;")
        self.export_button = QPushButton("Export identity card…", mine)
        self.export_button.clicked.connect(self._export)
        mine_form.addRow("Team", self.team)
        mine_form.addRow("Fingerprint", self.fingerprint)
        mine_form.addRow("", self.export_button)
        layout.addWidget(mine)
        theirs = QGroupBox("Partners", self)
        col = QVBoxLayout(theirs)
        self.list = QListWidget(theirs)
        self.list.setAccessibleName("Partners")
        col.addWidget(self.list)
        self.remove_button = QPushButton("Remove partner", theirs)
        self.remove_button.clicked.connect(self._remove)
        col.addWidget(self.remove_button)
        add_row = QHBoxLayout()
        self.card_path = QLineEdit(theirs)
        self.card_path.setAccessibleName("Partner's identity card")
        self.card_path.setPlaceholderText("The partner's identity card file")
        browse = QPushButton("Choose…", theirs)
        browse.clicked.connect(self._choose_card)
        self.typed_fingerprint = QLineEdit(theirs)
        self.typed_fingerprint.setAccessibleName("Fingerprint they read to you")
        self.typed_fingerprint.setPlaceholderText("Fingerprint they read to you")
        self.add_button = QPushButton("Add partner", theirs)
        self.add_button.clicked.connect(self._add)
        add_row.addWidget(self.card_path, 2)
        add_row.addWidget(browse)
        add_row.addWidget(self.typed_fingerprint, 2)
        add_row.addWidget(self.add_button)
        col.addLayout(add_row)
        layout.addWidget(theirs, 1)
        layout.addWidget(self.message)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.resize(720, 460)
        self.refresh()

    def refresh(self) -> None:
        self.run(_state, self._show)

    def _show(self, state: PartnersState) -> None:
        self.team.setText(state.identity["team"])
        self.fingerprint.setText(state.identity["fingerprint"])
        self.list.clear()
        for partner in state.partners:
            text = f"{partner.team}   {partner.fingerprint}"
            if partner.removed:
                text += "   (removed)"
            item = QListWidgetItem(text, self.list)
            item.setData(256, partner.vault_id)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export identity card", "",
                                              "Identity cards (*.card)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        self.run(lambda s: s.identity.export(path), lambda _card: self.show_message(
            f"Card written to {path.name}. Read the fingerprint to the partner by phone."))

    def _choose_card(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Partner's identity card", "",
                                              "Identity cards (*.card);;All files (*)")
        if path:
            self.card_path.setText(path)

    def _add(self) -> None:
        path = Path(self.card_path.text().strip()).expanduser()
        typed = self.typed_fingerprint.text()

        def add(s: Session) -> Partner:
            # Bounded, regular files only: a FIFO or device never blocks the worker.
            return s.partners.add(read_card_file(str(path)), typed)

        def added(partner: Partner) -> None:
            self.card_path.clear()
            self.typed_fingerprint.clear()
            self.show_message(f"{partner.team} is now a partner.")
            self.refresh()

        self.run(add, added)

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.show_message("Choose a partner to remove.", error=True)
            return
        vault_id = str(item.data(256))

        def removed(partner: Partner) -> None:
            self.show_message(f"{partner.team} was removed: its bundles are refused from now "
                              "on.")
            self.refresh()

        self.run(lambda s: s.partners.remove(vault_id), removed)
