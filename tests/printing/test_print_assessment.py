"""The printed case summary reads an assessment against its own framework: a family
safeguarding assessment prints the assessment triangle's domains and factors with the level
given and the scale's worse end, not the radicalisation factors as "not rated"."""

from __future__ import annotations

from pdf_text import flat, pages

from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.services.family.assessments import save_assessment
from workbook.services.printing import Printing


def _summary(team: TeamVault, framework: str, ratings: dict[str, tuple[str, str]]) -> str:
    with team.session(Role.SOCIAL_WORKER) as s:
        fid = s.families.add("The Ortega family", "FS-1")
        save_assessment(s, fid, ratings, "Mother's drinking leaves the baby unsafe at night.",
                        date="2026-02-10", framework=framework)
        document = Printing(s).case_summary(fid)
    return flat("\n".join(pages(document.pdf)))


def test_a_family_safeguarding_assessment_prints_its_own_domains(team: TeamVault) -> None:
    text = _summary(team, "family-safeguarding",
                    {"substance-misuse": ("high", "Drinks daily, alone with the baby"),
                     "warmth": ("good", "")})
    assert "Family safeguarding assessment" in text
    for words in ("The child's developmental needs", "Parenting capacity",
                  "Family and environment", "Parental substance misuse",
                  "Parental domestic abuse", "Parental mental health", "Emotional warmth",
                  "Drinks daily, alone with the baby", "(high is worse)", "(poor is worse)",
                  "Assessed 10/02/2026"):
        assert words in text, words
    for radicalisation in ("Risk/threat", "Convictions", "Readiness to use violence",
                           "Psychological vulnerability"):
        assert radicalisation not in text, radicalisation


def test_a_radicalisation_assessment_still_prints_its_factors(team: TeamVault) -> None:
    text = _summary(team, "radicalisation", {"violence": ("medium", "Talks of a knife")})
    assert "Talks of a knife" in text and "medium" in text
    assert "Parental substance misuse" not in text and "Parenting capacity" not in text
    assert "Intent to cause harm" not in text  # the Channel dimensions only when rated


def test_every_level_prints_whole_in_its_column(team: TeamVault) -> None:
    """The Level column is wide enough for the longest level: "medium" once printed as
    "mediu" over "m", which a worker at a door reads as a different word."""
    with team.session(Role.SOCIAL_WORKER) as s:
        fid = s.families.add("The Ortega family", "FS-1")
        save_assessment(s, fid, {"substance-misuse": ("medium", ""),
                                 "warmth": ("adequate", ""), "stability": ("limited", "")},
                        "Steady at home.", date="2026-02-10", framework="family-safeguarding")
        document = Printing(s).case_summary(fid)
    words = {w for page in pages(document.pdf) for line in page.splitlines()
             for w in line.split()}
    for level in ("medium", "adequate", "limited", "rated"):
        assert level in words, (level, sorted(w for w in words if w[:3] == level[:3]))
