"""Who holds a section at an epoch: only signed grant and rotate events say so (decision 0006).

The section_grants table stores sealed secrets; it is never asked who holds what. A grant
event counts when its actor could give the section at that epoch: the recovery key, the owner,
a signed holder of that epoch, or the holder who rotated to it. A grant event of the second
format names the digest of the exact public keys it sealed to; one of the first format is bound
to the keys its holder had certified by the time of the grant."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbook.domain.policy import default_policy
from workbook.domain.roles import Role, Section
from workbook.services.authority.membership import OWNER_EVENT, MembershipEvent
from workbook.services.authority.signatures import RECOVERY

GRANT_EVENT = "grant"
ROTATE_EVENT = "rotate"


@dataclass(frozen=True)
class Holding:
    holder: str
    section: str
    epoch: int
    keys_digest: bytes  # b"" for a first-format grant: keys certified by `at`
    at: str
    by: str


@dataclass
class SignedHolders:
    held: dict[tuple[str, int], dict[str, Holding]] = field(default_factory=dict)
    rotated_at: dict[tuple[str, int], str] = field(default_factory=dict)

    def of(self, section: str, epoch: int) -> dict[str, Holding]:
        return self.held.get((section, epoch), {})

    def held_at(self, user_id: str, section: str, at: str) -> bool:
        """Was `user_id` a signed holder of `section` at the epoch current at time `at`?"""
        epochs = [e for (s, e), t in self.rotated_at.items() if s == section and t <= at]
        holding = self.of(section, max(epochs, default=1)).get(user_id)
        return holding is not None and holding.at <= at

    def holds_any_at(self, user_id: str, at: str) -> bool:
        return any(self.held_at(user_id, s.value, at) for s in Section)


def signed_holders(events: list[MembershipEvent]) -> SignedHolders:
    out = SignedHolders()
    policy = default_policy()
    owner: str | None = None
    rotators: dict[tuple[str, int], str] = {}
    for ev in events:
        if owner is None and ev.actor == RECOVERY and ev.event.startswith(OWNER_EVENT):
            owner = ev.user_id
            try:
                role = Role(ev.event[len(OWNER_EVENT):])
            except ValueError:
                role = Role.TEAM_MANAGER
            # At init the recovery key sealed epoch 1 of the owner's sections to the owner's
            # recovery-certified key, under the default policy (services/access/vault_setup.py).
            for section in Section:
                if policy.may_read(role, section):
                    out.held.setdefault((section.value, 1), {})[owner] = Holding(
                        owner, section.value, 1, b"", ev.at, RECOVERY)
            continue
        if ev.section is None or ev.epoch is None:
            continue
        key = (ev.section, ev.epoch)
        if ev.event == ROTATE_EVENT:
            if ev.epoch > 1 and key not in rotators and \
                    ev.actor in out.of(ev.section, ev.epoch - 1):
                rotators[key] = ev.actor
                out.rotated_at[key] = ev.at
                out.held.setdefault(key, {})[ev.actor] = Holding(
                    ev.actor, ev.section, ev.epoch, b"", ev.at, ev.actor)
        elif ev.event == GRANT_EVENT:
            if ev.actor in (RECOVERY, owner) or ev.actor in out.of(*key) or \
                    rotators.get(key) == ev.actor:
                out.held.setdefault(key, {})[ev.user_id] = Holding(
                    ev.user_id, ev.section, ev.epoch, ev.keys_digest, ev.at, ev.actor)
    return out
