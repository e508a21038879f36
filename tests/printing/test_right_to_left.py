"""Arabic, Urdu and Hebrew names are shaped (joined letter forms, right-to-left word order) and
set in fonts that have every letter; the drawn genogram and the page footer show them too."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from pdf_text import pages

from workbook.domain.genogram import GenogramPerson
from workbook.reports import scripts
from workbook.reports.case_summary import render_case_summary
from workbook.reports.content import (
    CaseSummaryContent,
    EntryLine,
    FamilyHeading,
    HomeVisitContent,
    PersonLine,
)
from workbook.reports.home_visit import render_home_visit
from workbook.reports.house_style import FONT_ARABIC

ARABIC = "محمد عبد الله"
URDU = "عائشہ خان"        # ہ is not in DejaVu Sans: it must come from Noto Sans Arabic
HEBREW = "שלום כהן"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _nfkc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _content() -> CaseSummaryContent:
    family = FamilyHeading("The Rahman family", "RTL-1", URDU, ("12 Mill Lane",))
    people = (PersonLine(ARABIC, "01/01/1980", "46", "father"),
              PersonLine(URDU, "01/01/1985", "41", "mother"),
              PersonLine(HEBREW, "01/01/1990", "36", "family friend"),
              PersonLine("Zoë Rahman", "01/01/2015", "11", "daughter"))
    genogram = (GenogramPerson("a", ARABIC, "male", "father", partner_of="b"),
                GenogramPerson("b", URDU, "female", "mother"),
                GenogramPerson("c", "Zoë Rahman", "female", "daughter", parents=("a", "b")))
    notes = (EntryLine("01/01/2026", "Case notes", "visit", "Sam Worker",
                       f"Met {ARABIC} and {URDU} at home (interpreter: Urdu). «{URDU}»; "
                       f"(neighbour {HEBREW})."),)
    return CaseSummaryContent(family, people, genogram, notes, None, notes, (), notes)


def test_scripts_are_shaped_and_every_name_is_there() -> None:
    pdf = render_case_summary(_content(), printed_by=URDU, printed_at=NOW)
    text = "\n".join(pages(pdf))
    flat = _nfkc(text)
    for name in (ARABIC, URDU, HEBREW, "Zoë Rahman"):
        # Text extraction may give a right-to-left run's words in visual order: check words.
        for word in _nfkc(name).split():
            assert word in flat, name
    # Shaped Arabic comes out of the PDF as presentation forms: proof that HarfBuzz ran.
    assert any("\ufb50" <= c <= "\ufeff" for c in text)
    assert "(1)" in text and "(2)" in text  # genogram key for names a drawing cannot shape
    assert text.count("OFFICIAL-SENSITIVE") >= 2
    footer = flat.split("Printed by")[1]
    assert all(word in footer for word in _nfkc(URDU).split())


def test_urdu_words_use_the_arabic_font_and_mixed_words_stay_whole() -> None:
    assert FONT_ARABIC in scripts.with_script_fonts(URDU)
    mixed = scripts.with_script_fonts("(محمد)")  # parentheses are not in Noto Sans Arabic
    assert FONT_ARABIC not in mixed and mixed == "(محمد)"
    assert not scripts.needs_shaping("Zoë Łukasz Şahin Nguyễn Ó Briain")


def test_latin_documents_are_not_shaped() -> None:
    family = FamilyHeading("The Kowalski family", "K-1", "Sam Worker")
    content = HomeVisitContent(family, (), (PersonLine("Zoë Kowalska", "", "", "daughter"),),
                               (), (), ())
    pdf = render_home_visit(content, printed_by="Łukasz Şahin", printed_at=NOW)
    text = "\n".join(pages(pdf))
    assert "Zoë Kowalska" in text and "Łukasz Şahin" in text
    assert not any("\ufb50" <= c <= "\ufeff" for c in text)
