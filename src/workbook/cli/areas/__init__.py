"""The command areas: every `workbook` command lives in one of them, named for its use case.

Each area is one module with `add_arguments(grammar)` and `COMMANDS` (the handler of each
command it adds), so that an area's commands live beside each other. An area may add commands
to a group another area made (`family close` in operations), so the order matters: `areas()` is
the only list to extend when an area is added, and its order is the order of the commands in
`workbook --help`."""

from __future__ import annotations

from types import ModuleType


def areas() -> list[ModuleType]:
    from workbook.cli.areas import (
        assessments,
        audit,
        concerns,
        demo,
        devices,
        entries,
        families,
        family_workbook,
        households,
        keys,
        operations,
        outcomes,
        passphrase,
        plan,
        policy,
        printing,
        recovery,
        referrals,
        replicas,
        sharing,
        supervision,
        transfers,
        users,
        vault_restore,
        vault_setup,
    )

    return [vault_setup, users, passphrase, keys, families, households, entries, plan,
            assessments, family_workbook, audit, demo, recovery, devices, policy,
            supervision, printing, sharing, transfers, operations, outcomes, vault_restore,
            referrals, concerns, replicas]
