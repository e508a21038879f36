"""The vault's policy: which role reads which section. Parsed strictly, so that a typo in a
policy file is an error and never a silent change of who reads what."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from workbook.domain.errors import WorkbookError
from workbook.domain.roles import CORE_SECTIONS, PRACTITIONER_ROLES, Role, Section
from workbook.domain.time_limit_rules import (
    DEFAULT_TIME_LIMITS,
    LimitRule,
    parse_time_limits,
    time_limits_toml,
)

# Years a closed family's record is kept before it is reviewed for disposal, per family type.
# A policy without a [retention] table (every policy written before retention existed) keeps
# these; a policy that has one replaces them.
DEFAULT_RETENTION_YEARS: dict[str, int] = {
    "early-help": 6,
    "child-in-need": 25,
    "child-protection": 40,
    "looked-after": 75,
}
MAX_RETENTION_YEARS = 150
# Minutes without use before the desktop app locks: bounds fixed in code, the value from the
# signed policy's optional [session] table (never from a plain row in the vault).
DEFAULT_IDLE_LOCK_MINUTES = 5
MIN_IDLE_LOCK_MINUTES = 1
MAX_IDLE_LOCK_MINUTES = 30
_FAMILY_TYPE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class PolicyError(WorkbookError, ValueError):
    """A policy file that cannot be accepted; the message says exactly why."""


@dataclass(frozen=True)
class Policy:
    """Readers per section. Writers are every practitioner role, by design (P3)."""

    readers: dict[Section, frozenset[Role]]
    retention_years: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_RETENTION_YEARS))
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    # The time limits the unit keeps (domain/time_limit_rules.py), by name.
    time_limits: dict[str, LimitRule] = field(
        default_factory=lambda: dict(DEFAULT_TIME_LIMITS))

    def family_types(self) -> list[str]:
        return sorted(self.retention_years)

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
        if self.retention_years != DEFAULT_RETENTION_YEARS:
            lines += ["", "[retention]"]
            lines += [f'"{t}" = {y}' for t, y in sorted(self.retention_years.items())]
        if self.idle_lock_minutes != DEFAULT_IDLE_LOCK_MINUTES:
            lines += ["", "[session]", f"idle_lock_minutes = {self.idle_lock_minutes}"]
        lines += time_limits_toml(self.time_limits)
        return "\n".join(lines) + "\n"


def parse_policy(text: str) -> Policy:
    """Parse a policy file; raise PolicyError naming the first problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy is not valid TOML: {exc}") from None
    unknown_keys = set(data) - {"version", "core", "readers", "retention", "session",
                                  "time-limits"}
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
    retention = _retention(data.get("retention"))
    try:
        limits = parse_time_limits(data.get("time-limits"))
    except ValueError as exc:
        raise PolicyError(str(exc)) from None
    return Policy({s: frozenset(r) for s, r in readers.items()}, retention,
                  _idle_lock_minutes(data.get("session")), limits)


def _idle_lock_minutes(table: object) -> int:
    """[session] idle_lock_minutes: whole minutes within the bounds fixed in code."""
    if table is None:
        return DEFAULT_IDLE_LOCK_MINUTES
    if not isinstance(table, dict) or set(table) - {"idle_lock_minutes"}:
        raise PolicyError("[session] may only hold 'idle_lock_minutes'")
    minutes = table.get("idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or \
            not MIN_IDLE_LOCK_MINUTES <= minutes <= MAX_IDLE_LOCK_MINUTES:
        raise PolicyError(f"[session] idle_lock_minutes must be a whole number of minutes from "
                          f"{MIN_IDLE_LOCK_MINUTES} to {MAX_IDLE_LOCK_MINUTES}")
    return minutes


def _retention(table: object) -> dict[str, int]:
    """[retention]: family type = years kept after closing. Absent means the defaults."""
    if table is None:
        return dict(DEFAULT_RETENTION_YEARS)
    if not isinstance(table, dict) or not table:
        raise PolicyError("[retention] must be a table of family type = years")
    out: dict[str, int] = {}
    for name, years in table.items():
        if not _FAMILY_TYPE.match(name):
            raise PolicyError(f"[retention] family type {name!r} must be lower-case letters, "
                              "digits and hyphens")
        if isinstance(years, bool) or not isinstance(years, int) or \
                not 1 <= years <= MAX_RETENTION_YEARS:
            raise PolicyError(f"[retention] {name} must be a whole number of years from 1 to "
                              f"{MAX_RETENTION_YEARS}")
        out[name] = years
    return out


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
