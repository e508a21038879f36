"""The sharing dialogs with real widgets (offscreen), the real worker thread and real vaults:
identity and partners, share from a family, receive with verify, preview and apply, and a lock
that closes and wipes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sharing_support import World, make_family

from support.consent import give_consent
from support.vaults import Member, TeamVault
from workbook.services.sharing.identity import Identity
from workbook.ui.operations import Operations
from workbook.ui.sharing import PartnersDialog, ReceiveDialog, ShareDialog

pytest.importorskip("pytestqt")


@pytest.fixture
def ops(qtbot: object) -> Iterator[Operations]:
    operations = Operations()
    yield operations
    operations.shutdown()


def signed_in(qtbot: object, ops: Operations, vault: TeamVault, who: Member) -> None:
    done: list[object] = []
    ops.sign_in(vault.path, who.username, who.passphrase, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20000)  # type: ignore[attr-defined]


def test_partners_dialog_shows_the_fingerprint_and_exports(qtbot: object, ops: Operations,
                                                           world: World, tmp_path: Path) -> None:
    office = world.office
    with office.session(office.owner) as s:
        expected = Identity(s).show()["fingerprint"]
    signed_in(qtbot, ops, office, office.owner)
    dialog = PartnersDialog(ops)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.fingerprint.text() == expected,  # type: ignore[attr-defined]
                    timeout=20000)
    assert dialog.list.count() == 2  # the laptop and the hub
    card = tmp_path / "office.card"
    dialog.export_to(card)
    qtbot.waitUntil(card.exists, timeout=20000)  # type: ignore[attr-defined]
    dialog.grab().save(str(tmp_path / "partners.png"))


def test_share_then_receive_with_preview_and_progress(qtbot: object, ops: Operations,
                                                      world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid, _ = make_family(office, office.owner)
    with office.session(office.owner) as s:  # a share checks the consent records
        give_consent(s, [fid], "joint home visit")
    signed_in(qtbot, ops, office, office.owner)
    share = ShareDialog(ops, fid, "Smith")
    qtbot.addWidget(share)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: share.partner.count() == 2, timeout=20000)  # type: ignore
    assert share.chosen_sections() == ["household", "home-visit-safety"]
    assert "police" not in share.section_checks  # the owner cannot read it
    share.partner.setCurrentIndex(share.partner.findText("Partner Hub"))
    share.purpose.setText("joint home visit")
    share.lawful_basis.setText("Children Act 1989 s47")
    out = tmp_path / "gui.wbb"
    share.out.setText(str(out))
    share.share_button.click()
    qtbot.waitUntil(lambda: share.result_value is not None, timeout=20000)  # type: ignore
    assert out.exists()
    share.grab().save(str(tmp_path / "share.png"))
    signed_in(qtbot, ops, hub, hub.owner)
    receive = ReceiveDialog(ops)
    qtbot.addWidget(receive)  # type: ignore[attr-defined]
    receive.path.setText(str(out))
    receive.verify()
    qtbot.waitUntil(receive.apply_button.isEnabled, timeout=20000)  # type: ignore
    assert "Will add" in receive.summary.toPlainText()
    with hub.session(hub.owner) as s:
        assert fid not in [f.family_id for f in s.families.all()]
    receive.apply()
    qtbot.waitUntil(lambda: receive.progress.value() == 100, timeout=20000)  # type: ignore
    qtbot.waitUntil(lambda: "Added" in receive.summary.toPlainText(),  # type: ignore
                    timeout=20000)
    receive.grab().save(str(tmp_path / "receive.png"))
    receive.verify()
    qtbot.waitUntil(lambda: "Already received" in receive.summary.toPlainText(),  # type: ignore
                    timeout=20000)


def test_a_refused_bundle_shows_why_and_lock_wipes(qtbot: object, ops: Operations,
                                                   world: World, tmp_path: Path) -> None:
    hub = world.hub
    bad = tmp_path / "bad.wbb"
    bad.write_bytes(b"not a bundle")
    signed_in(qtbot, ops, hub, hub.owner)
    receive = ReceiveDialog(ops)
    qtbot.addWidget(receive)  # type: ignore[attr-defined]
    receive.show()
    receive.path.setText(str(bad))
    receive.verify()
    qtbot.waitUntil(lambda: "not a Workbook bundle" in receive.message.text(),  # type: ignore
                    timeout=20000)
    assert not receive.apply_button.isEnabled()
    ops.lock()
    qtbot.waitUntil(lambda: not receive.isVisible(), timeout=20000)  # type: ignore
    assert receive.path.text() == "" and receive.summary.toPlainText() == ""
