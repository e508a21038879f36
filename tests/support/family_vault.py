"""A small keyed vault for the family-workbook tests, built once and copied per test.

Four people: the owner `tm` (team manager), `pc1` (police), `mh1` (mental health) and `sw1`
(social worker), each onboarded the real way (initial passphrase, replaced, approved with the
recovery key). The Smith family has a household, entries in core and specialist sections, a
home-visit safety flag and an overdue action; the Jones family has one person, so that adding
"Zoë Smith" born the same day to it is a possible duplicate."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import keyring

from support.memory_keyring import MemoryKeyring
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.family.household import add_person_details

FAST_KDF = KdfParams(8 * 1024, 1, 1)
PASSPHRASES = {
    "tm": "correct horse battery staple",
    "pc1": "police constable reads the sealed notes",
    "mh1": "adult wellbeing worker keeps the clinic",
    "sw1": "social worker visits on tuesday mornings",
}
ROLES = {"pc1": ("Pat Constable", "police"), "mh1": ("Mia Health", "mental-health"),
         "sw1": ("Sam Worker", "social-worker")}
MARKER_MH = "MENTAL-HEALTH marker 93ab"
MARKER_POLICE = "POLICE-ONLY marker 7d1c"
MARKER_NOTE = "Visited the family at home; the children were well"
SAFETY_FLAG = "Dog on premises: ask for it to be shut away before going in"


@dataclass(frozen=True)
class FamilyVault:
    path: Path
    store: dict[tuple[str, str], str]
    vault_id: str
    recovery_key: str = field(repr=False)
    family_id: str = ""
    other_family_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    def sign_in(self, username: str):  # noqa: ANN201 - a Session, typed loosely for tests
        return sign_in(self.path, username, PASSPHRASES[username])


def install_keyring(store: dict[tuple[str, str], str]) -> MemoryKeyring:
    ring = MemoryKeyring()
    ring.store = dict(store)
    keyring.set_keyring(ring)
    return ring


def _onboard(vault: Path, username: str, recovery: str) -> None:
    full_name, role = ROLES[username]
    initial = f"initial pass phrase for {role}"
    with sign_in(vault, "tm", PASSPHRASES["tm"]) as owner:
        owner.accounts.add(username, full_name, role, initial)
    with sign_in(vault, username, initial) as newcomer:
        newcomer.accounts.change_passphrase(initial, PASSPHRASES[username])
        fingerprint = newcomer.grants.fingerprint()
    with sign_in(vault, "tm", PASSPHRASES["tm"]) as owner:
        owner.grants.approve(username, fingerprint=fingerprint, recovery_text=recovery)


def build_template(root: Path) -> FamilyVault:
    """Build the vault with its own in-memory keyring, then put back the keyring that was
    installed before (other test folders keep theirs)."""
    previous = keyring.get_keyring()
    try:
        return _build(root)
    finally:
        keyring.set_keyring(previous)


def _build(root: Path) -> FamilyVault:
    ring = install_keyring({})
    path = root / "vault"
    created = create_vault(path, team="Test Unit", owner_username="tm",
                           owner_name="Tess Manager", passphrase=PASSPHRASES["tm"], kdf=FAST_KDF)
    for username in ROLES:
        _onboard(path, username, created.recovery_key)
    ids: dict[str, str] = {}
    with sign_in(path, "tm", PASSPHRASES["tm"]) as tm:
        fid = tm.families.add("Smith family", "REF-1")
        ids["mother"] = add_person_details(tm, fid, "Anna Smith", "1985-06-01", "mother",
                                           sex="female")
        ids["father"] = add_person_details(tm, fid, "Mark Smith", "1983-01-20", "father",
                                           sex="male", partner_of=ids["mother"])
        ids["child"] = add_person_details(tm, fid, "Zoë Smith", "2015-03-02", "daughter",
                                          sex="female", parents=[ids["mother"], ids["father"]],
                                          index=True)
        ids["note"] = tm.families.add_entry(fid, "case-notes", MARKER_NOTE, "2026-01-10",
                                            "visit")
        ids["meeting"] = tm.families.add_entry(fid, "case-notes", "Core group meeting held",
                                               "2026-02-03", "meeting", significant=True)
        ids["safety"] = tm.families.add_entry(fid, "home-visit-safety", SAFETY_FLAG,
                                              "2026-01-05")
        ids["action"] = tm.families.add_action(fid, "Book the review conference", "tm",
                                               "2020-01-31")
        ids["action_future"] = tm.families.add_action(fid, "Visit the school", "sw1",
                                                      "2199-12-31")
        other = tm.families.add("Jones family", "REF-2")
        ids["jones_person"] = tm.families.add_person(other, "Bob Jones", "1990-01-01", "father")
    with sign_in(path, "mh1", PASSPHRASES["mh1"]) as mh:
        ids["mh_entry"] = mh.families.add_entry(fid, "mental-health", MARKER_MH, "2026-01-20",
                                                "meeting", significant=True)
    with sign_in(path, "pc1", PASSPHRASES["pc1"]) as pc:
        ids["police_entry"] = pc.families.add_entry(fid, "police", MARKER_POLICE, "2026-01-25",
                                                    "call")
    vault_id = next(k[1] for k in ring.store if k[0] == "workbook")
    return FamilyVault(path, dict(ring.store), vault_id, created.recovery_key, fid, other, ids)


def copy_vault(template: FamilyVault, dest: Path) -> FamilyVault:
    """A private copy of the template for one test, with its own in-memory keyring."""
    target = dest / "vault"
    shutil.copytree(template.path, target)
    install_keyring(template.store)
    return FamilyVault(target, template.store, template.vault_id, template.recovery_key,
                       template.family_id, template.other_family_id, dict(template.ids))
