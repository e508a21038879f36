"""Authority: who may decide, read only from signed, verified state (decision 0006).

This package decides who holds which section key at which epoch (section_keys, grants,
holders), whose key is whose (trust: certificates rooted in the recovery key; membership: the
signed role log), and what a signature must cover (signatures, record_codec, sealed_groups,
verified_versions). A row that nobody signed never grants, keeps or withdraws anything here.

This module is the one entry point for the rest of Workbook: import names from
`workbook.services.authority`, not from its modules. The re-exports are lazy (PEP 562), so
importing a name loads only the module that defines it, as a direct import did: the command
line pays for nothing it does not use. Modules are reachable the same way
(`from workbook.services.authority import signatures`) where a namespace reads better.

`_open_row` is not exported: it opens one stored version with no read rule, and only the
records service (services/family/records.py, `Records.open_many`) may call it, so every feature
reads versions through the one rule there (tests/test_record_path_boundary.py checks it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook.services.authority.grants import (
        IDENTITY,
        Grants,
        PendingGrant,
        rotate_due_sections,
    )
    from workbook.services.authority.membership import (
        Membership,
        MembershipEvent,
        append_event,
        append_merge,
        load_membership,
        may_administer,
        verified_events,
        verified_log,
    )
    from workbook.services.authority.membership_chain import open_branches
    from workbook.services.authority.record_codec import (
        RecordVersion,
        SignedVersion,
        encrypt_for_holder,
        row_ad,
        row_plaintext,
        seal_for_section,
        sign_version,
        verify_envelope,
    )
    from workbook.services.authority.record_codec import (
        open_row as _open_row,  # noqa: F401 (for services/family/records.py alone, not in __all__)
    )
    from workbook.services.authority.record_codec import (
        peek_date as _peek_date,  # noqa: F401 (for services/family/records.py alone)
    )
    from workbook.services.authority.sealed_groups import GroupKey
    from workbook.services.authority.section_keys import FamilyTags, SectionKeys, section_keypair
    from workbook.services.authority.trust import RECOVERY, Trust, load_trust
    from workbook.services.authority.verified_versions import VerifiedVersions

# Each re-exported name and the module (of this package) that defines it.
_EXPORTS: dict[str, str] = {
    "IDENTITY": "grants", "Grants": "grants", "PendingGrant": "grants",
    "rotate_due_sections": "grants",
    "Membership": "membership", "append_event": "membership",
    "load_membership": "membership", "may_administer": "membership",
    "MembershipEvent": "membership", "verified_events": "membership",
    "verified_log": "membership", "append_merge": "membership",
    "open_branches": "membership_chain",
    "RecordVersion": "record_codec", "SignedVersion": "record_codec",
    "encrypt_for_holder": "record_codec", "row_ad": "record_codec",
    "row_plaintext": "record_codec", "seal_for_section": "record_codec",
    "sign_version": "record_codec", "verify_envelope": "record_codec",
    "GroupKey": "sealed_groups",
    "FamilyTags": "section_keys", "SectionKeys": "section_keys",
    "section_keypair": "section_keys",
    "RECOVERY": "trust", "Trust": "trust", "load_trust": "trust",
    "VerifiedVersions": "verified_versions",
}
# Names for services/family/records.py alone: (module, name there).
_PRIVATE: dict[str, tuple[str, str]] = {"_open_row": ("record_codec", "open_row"),
                                         "_peek_date": ("record_codec", "peek_date")}

__all__ = [
    "FamilyTags", "Grants", "GroupKey", "IDENTITY", "Membership", "MembershipEvent",
    "PendingGrant", "RECOVERY",
    "RecordVersion", "SectionKeys", "SignedVersion", "Trust", "VerifiedVersions", "append_event",
    "append_merge", "open_branches",
    "encrypt_for_holder", "load_membership", "load_trust", "may_administer",
    "rotate_due_sections", "row_ad", "row_plaintext", "seal_for_section", "section_keypair",
    "sign_version", "verified_events", "verified_log", "verify_envelope",
]


def __getattr__(name: str) -> Any:
    """Load the defining module on first use and keep the name here for the next one. An
    unknown name raises AttributeError, so `from ... import <module>` still finds modules."""
    module, defined = _EXPORTS.get(name), name
    if module is None and name in _PRIVATE:
        module, defined = _PRIVATE[name]
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), defined)
    globals()[name] = value
    return value
