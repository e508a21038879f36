"""Issue 5's speed figures: a 30-page case summary (< 1 s) and a home-visit summary (< 200 ms).

Each is measured twice: the report alone, laid out from plain content (what reports/ costs),
and end to end through services/printing on a real vault (open the family, decrypt, verify,
audit the reads, lay out). The floor is a minimal reportlab document of the same text: the same
paragraphs in a base font on a SimpleDocTemplate, with no embedded Unicode font, no page
furniture and no second pass for "Page X of Y". Run alone with
`.venv/bin/python bench/bench_printing.py`, or with every benchmark through `make bench`.
"""

from __future__ import annotations

import io
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

import common
from common import Row, repeat, say
from workbook.domain.genogram import GenogramPerson
from workbook.reports.case_summary import render_case_summary
from workbook.reports.content import (
    ActionLine,
    CaseSummaryContent,
    EntryLine,
    FamilyHeading,
    HomeVisitContent,
    PersonLine,
)
from workbook.reports.home_visit import render_home_visit
from workbook.services.printing import Printing, page_count

CASE_TARGET_MS = 1000.0
HOME_TARGET_MS = 200.0
ENTRIES = 150       # about 30 pages of chronology at the lengths below
RUNS = 5
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
_WORDS = ("visit", "school", "mother", "father", "agreed", "plan", "safe", "concern", "health",
          "Zoë", "Łukasz", "Şahin", "Nguyễn", "routine", "bedtime", "support", "review", "GP")


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(60, 140))) + "."


def _content(rng: random.Random) -> tuple[CaseSummaryContent, HomeVisitContent]:
    people = tuple(PersonLine(f"Person {i} Kowalska", "01/01/2010", "16", "daughter")
                   for i in range(6))
    genogram = tuple(GenogramPerson(f"p{i}", f"Person {i}", "female", "daughter")
                     for i in range(6))
    entries = tuple(EntryLine(f"{1 + i % 28:02d}/01/2026", "Case notes", "visit", "Sam Worker",
                              _text(rng)) for i in range(ENTRIES))
    actions = tuple(ActionLine(f"Action {i}", "Sam Worker", "01/02/2026", "open")
                    for i in range(8))
    family = FamilyHeading("The Kowalski family", "DEMO-0001", "Sam Worker", ("1 High St",))
    case = CaseSummaryContent(family, people, genogram, entries[:2], None, entries[:1],
                              actions, entries)
    home = HomeVisitContent(family, entries[:2], people, actions,
                            tuple(e for e in entries[-8:]), (("Case owner", "Sam Worker"),))
    return case, home


def _floor(texts: list[str]) -> bytes:
    buffer = io.BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(t, style) for t in texts])
    return buffer.getvalue()


def _end_to_end() -> list[Row]:
    from support import vaults
    from workbook.domain.roles import Role

    common.install_memory_keyring()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        team = vaults.create_team_vault(Path(tmp) / "vault")
        vaults.onboard(team, [Role.SOCIAL_WORKER])
        with team.session(Role.SOCIAL_WORKER) as s, s.write():
            family = s.families.add("The Kowalski family", "DEMO-0001")
            for i in range(5):
                s.families.add_person(family, f"Person {i} Kowalska", "2010-01-01", "daughter")
            for i in range(ENTRIES):
                s.families.add_entry(family, "case-notes", _text(rng),
                                     f"2026-01-{1 + i % 28:02d}", "visit")
            s.families.add_action(family, "Book a visit", s.user.username, "2026-02-01")
        with team.session(Role.SOCIAL_WORKER) as s:
            printing = Printing(s)
            pages = page_count(printing.case_summary(family).pdf)
            case = repeat(lambda: printing.case_summary(family), RUNS, warmup=1)
            home = repeat(lambda: printing.home_visit(family), RUNS, warmup=1)
    return [
        Row(f"case summary end to end ({pages} pages, real vault)", case.median_ms,
            target=CASE_TARGET_MS, note="services/printing: open, decrypt, verify, audit the "
            "reads, lay out; " + case.spread()),
        Row("home-visit summary end to end (real vault)", home.median_ms,
            target=HOME_TARGET_MS, note=home.spread()),
    ]


def run() -> list[Row]:
    rng = random.Random(1)
    case, home = _content(rng)
    say("bench_printing: laying out documents")
    pdf = render_case_summary(case, printed_by="Sam Worker", printed_at=NOW)
    pages = page_count(pdf)
    texts = [e.text for e in case.chronology or ()]
    case_t = repeat(lambda: render_case_summary(case, printed_by="Sam Worker",
                                                printed_at=NOW), RUNS, warmup=1)
    floor_case = repeat(lambda: _floor(texts), RUNS, warmup=1)
    home_t = repeat(lambda: render_home_visit(home, printed_by="Sam Worker", printed_at=NOW),
                    RUNS, warmup=1)
    floor_home = repeat(lambda: _floor([e.text for e in home.recent or ()]), RUNS, warmup=1)
    rows = [
        Row(f"case summary layout ({pages} pages)", case_t.median_ms, target=CASE_TARGET_MS,
            floor=floor_case.median_ms, note="floor: the same paragraphs as a minimal "
            "reportlab document (base font, no furniture); " + case_t.spread()),
        Row("home-visit summary layout", home_t.median_ms, target=HOME_TARGET_MS,
            floor=floor_home.median_ms, note=home_t.spread()),
    ]
    say("bench_printing: end to end on a small real vault")
    return rows + _end_to_end()


if __name__ == "__main__":
    common.print_table(run(), "bench_printing")
