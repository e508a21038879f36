"""The risk and resilience assessment is an entry of its section with structured fields,
versioned like every entry."""

from __future__ import annotations

import pytest

from support.family_vault import FamilyVault
from workbook.domain.frameworks import FrameworkError
from workbook.domain.ids import new_id
from workbook.services.errors import InvalidInput
from workbook.services.family.assessments import (
    RESILIENCE_FACTORS,
    RISK_FACTORS,
    Rating,
    frameworks,
    latest_assessment,
    save_assessment,
)


def test_save_and_read_back_then_a_new_version_has_the_head_as_parent(fv: FamilyVault) -> None:
    assert len(RISK_FACTORS) == 3 and len(RESILIENCE_FACTORS) == 5
    with fv.sign_in("sw1") as s:
        assert latest_assessment(s, fv.family_id) is None
        save_assessment(s, fv.family_id, {"violence": ("low", "no incidents this year"),
                                          "family": Rating("high", "grandmother daily")},
                        "Risks are manageable with the plan.", date="2026-02-01")
        first = latest_assessment(s, fv.family_id)
        assert first is not None
        assert first.factors["violence"] == Rating("low", "no incidents this year")
        assert first.formulation == "Risks are manageable with the plan."
        version_id = save_assessment(s, first.entry_id and fv.family_id,
                                     {"violence": ("medium", "threats reported")},
                                     "Risk is rising.", entry_id=first.entry_id)
        second = latest_assessment(s, fv.family_id)
        assert second is not None and second.entry_id == first.entry_id
        assert second.version_id == version_id and second.factors["violence"].rating == "medium"
        history = s.families.entry_history(first.entry_id)
        assert [v.parents for v in history] == [(), (first.version_id,)]
        view = s.workbooks.open(fv.family_id, audit=False).to_json()
        (entry,) = view["sections"]["risk-assessment"]["entries"]
        assert entry["type"] == "assessment" and "Risk is rising." in entry["text"]


@pytest.mark.parametrize("factors", [{"mood": ("low", "")}, {"violence": ("extreme", "")}])
def test_unknown_factors_and_ratings_are_refused(fv: FamilyVault, factors: dict) -> None:
    with fv.sign_in("sw1") as s, pytest.raises(InvalidInput):
        save_assessment(s, fv.family_id, factors, "Formulation")


def test_a_formulation_is_required(fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as s, pytest.raises(InvalidInput, match="formulation"):
        save_assessment(s, fv.family_id, {}, "   ")


def test_from_workbook_reads_the_same_assessment_from_an_opened_family(fv: FamilyVault) -> None:
    from workbook.services.family.assessments import from_workbook

    with fv.sign_in("sw1") as s:
        save_assessment(s, fv.family_id, {"individual": ("high", "strong bond")}, "Stable.")
        latest = latest_assessment(s, fv.family_id)
        found = from_workbook(s.workbooks.open(fv.family_id, audit=False))
    assert latest is not None and found is not None
    assert (found.entry_id, found.version_id, found.factors, found.formulation) == (
        latest.entry_id, latest.version_id, latest.factors, latest.formulation)
    assert found.author == "sw1"


def test_a_family_safeguarding_assessment_names_its_framework(fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as s:
        save_assessment(s, fv.family_id, {"domestic-abuse": ("high", "police callouts"),
                                          "basic-care": ("adequate", "")},
                        "Mother protective when sober.", framework="family-safeguarding")
        found = latest_assessment(s, fv.family_id)
        view = s.workbooks.open(fv.family_id, audit=False).to_json()
    assert found is not None and found.framework == "family-safeguarding"
    assert found.factors["domestic-abuse"] == Rating("high", "police callouts")
    (entry,) = view["sections"]["risk-assessment"]["entries"]
    assert entry["text"].startswith(
        "Family safeguarding assessment. The child's developmental needs - not rated. "
        "Parenting capacity - basic care: adequate. Family and environment - parental "
        "domestic abuse: high (police callouts).")


def test_an_assessment_saved_before_frameworks_reads_as_radicalisation(
        fv: FamilyVault) -> None:
    payload = {"text": "old", "date": "2025-01-02", "type": "assessment", "significant": False,
               "assessment": {"form": "risk-resilience-v1", "formulation": "Old judgement.",
                              "factors": {"violence": {"rating": "low", "rationale": "none"}}}}
    with fv.sign_in("sw1") as s:
        with s.write():
            s.records.write(family_id=fv.family_id, record_id=new_id(), kind="entry",
                            section="risk-assessment", payload=payload)
        found = latest_assessment(s, fv.family_id)
    assert found is not None and found.framework == "radicalisation"
    assert found.factors == {"violence": Rating("low", "none")}
    assert found.formulation == "Old judgement."


@pytest.mark.parametrize(("framework", "factors", "expect"), [
    ("triangle", {}, "unknown assessment framework 'triangle'"),
    ("family-safeguarding", {"violence": ("low", "")}, "unknown assessment factor 'violence'"),
    ("family-safeguarding", {"basic-care": ("high", "")}, "poor, limited, adequate, good"),
])
def test_bad_framework_input_is_refused_and_changes_nothing(
        fv: FamilyVault, framework: str, factors: dict, expect: str) -> None:
    with fv.sign_in("sw1") as s:
        with pytest.raises(InvalidInput, match=expect):
            save_assessment(s, fv.family_id, factors, "F", framework=framework)
        assert latest_assessment(s, fv.family_id) is None


def test_the_authoritys_own_framework_file_and_a_malformed_one(fv: FamilyVault) -> None:
    folder = fv.path / "frameworks"
    folder.mkdir()
    (folder / "early-help.toml").write_text(
        'id = "early-help"\ntitle = "Early help"\n[scales.need]\nlevels = ["none", "high"]\n'
        'worse = "high"\n[[domains]]\nkey = "needs"\ntitle = "Needs"\nscale = "need"\n'
        'factors = [{ key = "school", label = "School attendance" }]\n', encoding="utf-8")
    with fv.sign_in("sw1") as s:
        assert "early-help" in frameworks(s)
        save_assessment(s, fv.family_id, {"school": ("high", "")}, "F", framework="early-help")
        found = latest_assessment(s, fv.family_id)
        assert found is not None and found.factors == {"school": Rating("high", "")}
        (folder / "broken.toml").write_bytes(b"id = \xff")
        with pytest.raises(FrameworkError, match="frameworks/broken.toml: not UTF-8"):
            save_assessment(s, fv.family_id, {}, "G", framework="radicalisation")
        again = latest_assessment(s, fv.family_id)
    assert again is not None and again.version_id == found.version_id
