"""Assessment frameworks are data: the built-in files parse, each scale says which end is
worse, and a malformed file is one clear FrameworkError naming it."""

from __future__ import annotations

import pytest

from workbook.domain.frameworks import (
    FrameworkError,
    builtin_frameworks,
    combine,
    parse_framework,
)

GOOD = """
id = "early-help"
title = "Early help"
[scales.need]
levels = ["none", "some", "high"]
worse = "high"
[[domains]]
key = "needs"
title = "Needs"
scale = "need"
factors = [{ key = "school", label = "School attendance" }]
"""


def test_the_built_in_frameworks_and_their_scales() -> None:
    offered = builtin_frameworks()
    assert sorted(offered) == ["family-safeguarding", "radicalisation"]
    fs = offered["family-safeguarding"]
    assert [d.title for d in fs.domains] == [
        "The child's developmental needs", "Parenting capacity", "Family and environment"]
    for key in ("domestic-abuse", "mental-health", "substance-misuse"):
        factor = fs.factor(key)
        assert factor is not None and factor.scale.worse == "high"
    capacity = fs.factor("basic-care")
    assert capacity is not None and capacity.scale.worse == "poor"
    assert capacity.scale.better == "good"
    rad = offered["radicalisation"]
    assert rad.factor_keys()[:8] == ("convictions", "violence", "networks", "psychological",
                                     "family", "leisure", "education_work", "individual")
    channel = rad.domains[-1]
    assert channel.optional and [f.key for f in channel.factors] == [
        "engagement", "intent", "capability"]
    family = rad.factor("family")
    assert family is not None and family.scale.worse == "none"  # a protective factor


def test_an_authority_framework_is_added_and_may_not_replace_a_built_in_one() -> None:
    offered = combine([("frameworks/early-help.toml", GOOD)])
    assert offered["early-help"].factor_keys() == ("school",)
    clash = GOOD.replace('"early-help"', '"radicalisation"')
    with pytest.raises(FrameworkError, match="already a framework 'radicalisation'"):
        combine([("frameworks/x.toml", clash)])


@pytest.mark.parametrize(("text", "expect"), [
    ("id = [", "not valid TOML"),
    (GOOD.replace('id = "early-help"', 'id = "Early Help"'), "id must be a short"),
    (GOOD.replace('worse = "high"', 'worse = "some"'), "worse must be its first or its last"),
    (GOOD.replace('["none", "some", "high"]', '["none"]'), "at least two"),
    (GOOD.replace('scale = "need"', 'scale = "needs"'), "names no known scale"),
    (GOOD.replace('title = "Needs"', 'title = ""'), "title must be text"),
    (GOOD + "colour = 1\n", "unknown key 'colour'"),
    (GOOD.replace('[{ key = "school", label = "School attendance" }]',
                  '[{ key = "a", label = "A" }, { key = "a", label = "B" }]'), "named twice"),
])
def test_a_malformed_file_is_one_clear_error(text: str, expect: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text, "frameworks/bad.toml")
    message = str(caught.value)
    assert message.startswith("frameworks/bad.toml: ") and expect in message
    assert "\n" not in message
