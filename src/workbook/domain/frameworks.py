"""Assessment frameworks as data: which domains of factors a risk and resilience assessment
rates, on which scales, and which end of each scale is worse.

The built-in frameworks are resource files (`resources/frameworks/*.toml`); an authority adds
its own as files of the same shape (read by the services from the vault folder), so a new
framework needs no code. A framework decides no permission, but a practitioner's judgement is
recorded against it, so a file is parsed strictly: anything malformed is one `FrameworkError`
naming the file and the first problem, and no framework of that load is used."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from workbook.domain.errors import WorkbookError

# What an assessment saved before frameworks existed was rated against.
DEFAULT_FRAMEWORK = "radicalisation"
_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_MAX_TEXT = 200


class FrameworkError(WorkbookError, ValueError):
    """A framework file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Scale:
    """The levels a factor is rated on, in order, and the level at the worse end."""

    key: str
    levels: tuple[str, ...]
    worse: str

    @property
    def better(self) -> str:
        return self.levels[0] if self.worse == self.levels[-1] else self.levels[-1]

    def describe(self) -> str:
        return f"{', '.join(self.levels)} ({self.worse} is worse)"


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    scale: Scale


@dataclass(frozen=True)
class Domain:
    """A group of factors. An `optional` domain (the Channel dimensions) is rated only where it
    applies, and left out of the summary when nothing in it is rated."""

    key: str
    title: str
    factors: tuple[Factor, ...]
    note: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    heading: str       # the summary's first words, e.g. "Risk and resilience assessment"
    domains: tuple[Domain, ...]

    def factor(self, key: str) -> Factor | None:
        return next((f for d in self.domains for f in d.factors if f.key == key), None)

    def factor_keys(self) -> tuple[str, ...]:
        return tuple(f.key for d in self.domains for f in d.factors)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "domains": [
            {"key": d.key, "title": d.title, "optional": d.optional, "note": d.note,
             "factors": [{"key": f.key, "label": f.label, "levels": list(f.scale.levels),
                          "worse": f.scale.worse} for f in d.factors]}
            for d in self.domains]}


def parse_framework(text: str, source: str) -> Framework:
    """Parse one framework file; raise FrameworkError naming `source` and the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{source}: not valid TOML ({exc})") from None
    try:
        return _framework(data)
    except FrameworkError as exc:
        raise FrameworkError(f"{source}: {exc}") from None


def combine(texts: Iterable[tuple[str, str]]) -> dict[str, Framework]:
    """The built-in frameworks and those of `texts` (source, text), by id. An id given twice
    is refused: an authority's file never silently replaces a framework judgements used."""
    out = dict(builtin_frameworks())
    for source, text in texts:
        framework = parse_framework(text, source)
        if framework.id in out:
            raise FrameworkError(f"{source}: there is already a framework {framework.id!r}")
        out[framework.id] = framework
    return out


@cache
def builtin_frameworks() -> Mapping[str, Framework]:
    folder = resources.files("workbook.resources").joinpath("frameworks")
    found = [parse_framework(item.read_text("utf-8"), f"frameworks/{item.name}")
             for item in sorted(folder.iterdir(), key=lambda i: i.name)
             if item.name.endswith(".toml")]
    return {f.id: f for f in found}


def _framework(data: dict[str, Any]) -> Framework:
    _only(data, {"id", "title", "heading", "scales", "domains"}, "the file")
    ident = _name(data.get("id"), "id", _ID)
    title = _text(data.get("title"), "title")
    heading = _text(data.get("heading", title), "heading")
    raw_scales = data.get("scales")
    if not isinstance(raw_scales, dict) or not raw_scales:
        raise FrameworkError("[scales] must name at least one scale")
    scales = {key: _scale(key, value) for key, value in raw_scales.items()}
    raw_domains = data.get("domains")
    if not isinstance(raw_domains, list) or not raw_domains:
        raise FrameworkError("[[domains]] must list at least one domain")
    domains = tuple(_domain(d, scales) for d in raw_domains)
    keys = [f.key for d in domains for f in d.factors]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise FrameworkError(f"factor {twice[0]!r} is named twice")
    domain_keys = [d.key for d in domains]
    if len(set(domain_keys)) != len(domain_keys):
        raise FrameworkError("two domains have the same key")
    return Framework(ident, title, heading, domains)


def _scale(key: str, value: object) -> Scale:
    where = f"scale {key!r}"
    _name(key, where, _KEY)
    if not isinstance(value, dict):
        raise FrameworkError(f"{where} must be a table with levels and worse")
    _only(value, {"levels", "worse"}, where)
    levels = value.get("levels")
    if (not isinstance(levels, list) or len(levels) < 2
            or not all(isinstance(v, str) and _KEY.match(v) for v in levels)):
        raise FrameworkError(f"{where}: levels must be a list of at least two short lower-case "
                             "words")
    if len(set(levels)) != len(levels):
        raise FrameworkError(f"{where}: a level is named twice")
    worse = value.get("worse")
    if worse not in (levels[0], levels[-1]):
        raise FrameworkError(f"{where}: worse must be its first or its last level")
    return Scale(key, tuple(levels), str(worse))


def _domain(value: object, scales: dict[str, Scale]) -> Domain:
    if not isinstance(value, dict):
        raise FrameworkError("each domain must be a table")
    key = _name(value.get("key"), "a domain's key", _KEY)
    where = f"domain {key!r}"
    _only(value, {"key", "title", "scale", "factors", "note", "optional"}, where)
    title = _text(value.get("title"), f"{where}: title")
    note = _text(value["note"], f"{where}: note") if "note" in value else ""
    optional = value.get("optional", False)
    if not isinstance(optional, bool):
        raise FrameworkError(f"{where}: optional must be true or false")
    default = value.get("scale")
    factors = value.get("factors")
    if not isinstance(factors, list) or not factors:
        raise FrameworkError(f"{where}: factors must list at least one factor")
    out = []
    for item in factors:
        if not isinstance(item, dict):
            raise FrameworkError(f"{where}: each factor must be {{ key = ..., label = ... }}")
        _only(item, {"key", "label", "scale"}, f"{where}: a factor")
        fkey = _name(item.get("key"), f"{where}: a factor's key", _KEY)
        scale = item.get("scale", default)
        if scale not in scales:
            raise FrameworkError(f"{where}: factor {fkey!r} names no known scale")
        out.append(Factor(fkey, _text(item.get("label"), f"factor {fkey!r}: label"),
                          scales[str(scale)]))
    return Domain(key, title, tuple(out), note, optional)


def _only(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise FrameworkError(f"{where} has an unknown key {unknown[0]!r}")


def _name(value: object, where: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise FrameworkError(f"{where} must be a short lower-case name (letters, digits, -)")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise FrameworkError(f"{where} must be text of 1 to {_MAX_TEXT} characters")
    return value.strip()
