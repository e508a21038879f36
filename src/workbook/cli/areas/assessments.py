"""`workbook assessment add|show|frameworks`: the risk and resilience assessment rated against a
framework (family safeguarding, radicalisation, or the authority's own)."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.errors import InvalidInput
from workbook.services.family import assessments


def add_arguments(grammar: Grammar) -> None:
    group = grammar.group("assessment", "the risk and resilience assessment")
    p = grammar.sub(group, "add", "rate a family's assessment against a framework (a new "
                                  "version of its current assessment, if it has one)")
    p.add_argument("family")
    p.add_argument("--framework", required=True,
                   help="family-safeguarding, radicalisation, or one the authority added")
    p.add_argument("--rate", action="append", default=[], metavar="FACTOR=LEVEL",
                   help="a factor's level (repeat for each factor)")
    p.add_argument("--rationale", action="append", default=[], metavar="FACTOR=TEXT",
                   help="why a factor has its level (repeat for each factor)")
    p.add_argument("--formulation", required=True)
    p.add_argument("--date", default="")
    p.add_argument("--significant", action="store_true")
    p = grammar.sub(group, "show", "a family's current assessment")
    p.add_argument("family")
    grammar.sub(group, "frameworks", "the frameworks offered, with their factors and levels")


def _pairs(values: list[str], option: str, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInput(f"{option} takes FACTOR={what}, e.g. {option} violence=low")
        if key in out:
            raise InvalidInput(f"factor {key!r} is given twice in {option}")
        out[key] = rest.strip()
    return out


def cmd_assessment_add(ctx: CliContext) -> None:
    a = ctx.args
    levels = _pairs(a.rate, "--rate", "LEVEL")
    reasons = _pairs(a.rationale, "--rationale", "TEXT")
    for key, level in levels.items():
        if not level:
            raise InvalidInput(f"--rate {key}= needs a level")
    factors = {key: assessments.Rating(levels.get(key, ""), reasons.get(key, ""))
               for key in {**levels, **reasons}}
    session = ctx.ready_session()
    current = assessments.latest_assessment(session, a.family)
    version = assessments.save_assessment(
        session, a.family, factors, a.formulation, date=a.date or "",
        entry_id=current.entry_id if current else "", significant=a.significant,
        framework=a.framework)
    saved = assessments.latest_assessment(session, a.family)
    entry_id = saved.entry_id if saved else ""
    ctx.out(entry_id, {"id": entry_id, "version": version, "framework": a.framework})


def cmd_assessment_show(ctx: CliContext) -> None:
    data = assessments.assessment_of_family(ctx.ready_session(), ctx.args.family)
    found = data["assessment"]
    if found is None:
        ctx.out("No structured assessment yet.", data)
        return
    lines = [f"{found['framework_title']} of {found['date']} by {found['author']}"]
    lines += [f"  {f['label']}: {f['level'] or 'not rated'}"
              + (f" ({f['rationale']})" if f["rationale"] else "")
              for f in found["factors"].values()]
    lines.append(f"Formulation: {found['formulation']}")
    ctx.out("\n".join(lines), data)


def cmd_assessment_frameworks(ctx: CliContext) -> None:
    offered = assessments.frameworks_of(ctx.vault_dir())
    data = [offered[name].to_json() for name in sorted(offered)]
    lines = []
    for framework in data:
        lines.append(f"{framework['id']}: {framework['title']}")
        for domain in framework["domains"]:
            lines.append(f"  {domain['title']}")
            lines += [f"    {f['key']}: {', '.join(f['levels'])} ({f['worse']} is worse)"
                      for f in domain["factors"]]
    ctx.out("\n".join(lines), data)


COMMANDS: dict[str, Handler] = {
    "assessment add": cmd_assessment_add,
    "assessment show": cmd_assessment_show,
    "assessment frameworks": cmd_assessment_frameworks,
}
