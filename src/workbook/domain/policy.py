"""The vault's policy: which role reads which section. Parsed strictly, so that a typo in a
policy file is an error and never a silent change of who reads what."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from workbook.domain.roles import CORE_SECTIONS, PRACTITIONER_ROLES, Role, Section


class PolicyError(ValueError):
    """A policy file that cannot be accepted; the message says exactly why."""


@dataclass(frozen=True)
class Policy:
    """Readers per section. Writers are every practitioner role, by design (P3)."""

    readers: dict[Section, frozenset[Role]]

    def sections_for(self, role: Role) -> frozenset[Section]:
        return frozenset(s for s, roles in self.readers.items() if role in roles)

    def may_read(self, role: Role, section: Section) -> bool:
        return role in self.readers.get(section, frozenset())

    @staticmethod
    def may_write(role: Role) -> bool:
        return role is not Role.ADMIN

    def to_toml(self) -> str:
        """A canonical text form, stored in the vault and shown by `policy show`."""
        core = [s for s in CORE_SECTIONS if self.readers.get(s) == frozenset(PRACTITIONER_ROLES)]
        lines = ["version = 1", "", "[core]", "sections = ["]
        lines += [f'  "{s.value}",' for s in core]
        lines += ["]", "", "[readers]"]
        for section in Section:
            if section in core:
                continue
            roles = sorted(r.value for r in self.readers.get(section, frozenset()))
            quoted = ", ".join(f'"{r}"' for r in roles)
            lines.append(f"{section.value} = [{quoted}]")
        return "\n".join(lines) + "\n"


def parse_policy(text: str) -> Policy:
    """Parse a policy file; raise PolicyError naming the first problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy is not valid TOML: {exc}") from None
    unknown_keys = set(data) - {"version", "core", "readers"}
    if unknown_keys:
        raise PolicyError(f"policy has unknown keys: {', '.join(sorted(unknown_keys))}")
    if data.get("version") != 1:
        raise PolicyError("policy version must be 1")
    readers: dict[Section, set[Role]] = {s: set() for s in Section}
    core = data.get("core", {})
    if not isinstance(core, dict) or set(core) - {"sections"}:
        raise PolicyError("[core] may only hold 'sections'")
    for name in _string_list(core.get("sections", []), "[core] sections"):
        section = _section(name)
        readers[section].update(PRACTITIONER_ROLES)
    table = data.get("readers", {})
    if not isinstance(table, dict):
        raise PolicyError("[readers] must be a table of section = [roles]")
    for name, roles in table.items():
        section = _section(name)
        for role_name in _string_list(roles, f"readers of {name}"):
            role = _role(role_name)
            if role is Role.ADMIN:
                raise PolicyError("the admin role may not read any section (P4)")
            readers[section].add(role)
    if not readers[Section.HOUSEHOLD]:
        raise PolicyError("someone must be able to read the household section")
    return Policy({s: frozenset(r) for s, r in readers.items()})


def default_policy_text() -> str:
    return resources.files("workbook.resources").joinpath("policy.toml").read_text("utf-8")


def default_policy() -> Policy:
    return parse_policy(default_policy_text())


def _string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where} must be a list of names")
    return value


def _section(name: str) -> Section:
    try:
        return Section(name)
    except ValueError:
        raise PolicyError(f"policy names an unknown section {name!r}") from None


def _role(name: str) -> Role:
    try:
        return Role(name)
    except ValueError:
        raise PolicyError(f"policy names an unknown role {name!r}") from None
