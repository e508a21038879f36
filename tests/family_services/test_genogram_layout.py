"""The genogram layout is pure: generations from parent links, partners side by side, children
under their parents, no two people on one spot - tested with no Qt and no vault."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.domain.genogram import GenogramPerson, layout, relationship_generation

P = GenogramPerson


def _family() -> list[GenogramPerson]:
    return [
        P("gm", "Gran", "female", "grandmother"),
        P("m", "Anna", "female", "mother", partner_of="f", parents=("gm",)),
        P("f", "Mark", "male", "father", separated=True),
        P("c1", "Zoë", "female", "daughter", parents=("m", "f"), index=True, dob="2015-03-02"),
        P("c2", "Jan", "male", "son", parents=("m", "f"), dob="2018-07-01"),
    ]


def test_generations_follow_parent_links() -> None:
    result = layout(_family())
    gen = {pid: n.generation for pid, n in result.nodes.items()}
    assert gen == {"gm": 0, "m": 1, "f": 1, "c1": 2, "c2": 2}
    assert result.generations == 3


def test_partners_stand_side_by_side_male_on_the_left_and_separation_is_kept() -> None:
    result = layout(_family())
    (line,) = result.partnerships
    assert (line.left, line.right) == ("f", "m")
    assert line.separated
    assert abs(result.nodes["f"].x - result.nodes["m"].x) == 1


def test_children_hang_under_their_parents_oldest_first() -> None:
    result = layout(_family())
    x = {pid: n.x for pid, n in result.nodes.items()}
    parents_mid = (x["m"] + x["f"]) / 2
    children_mid = (x["c1"] + x["c2"]) / 2
    assert abs(parents_mid - children_mid) <= 0.5
    assert x["c1"] < x["c2"]      # Zoë (2015) before Jan (2018)
    descents = {d.child: d.parents for d in result.descents}
    assert descents == {"m": ("gm",), "c1": ("f", "m"), "c2": ("f", "m")}
    assert result.nodes["c1"].person.index


def test_unlinked_people_are_placed_by_their_relationship() -> None:
    assert relationship_generation("grandfather (kinship carer)") == 0
    assert relationship_generation("Mother's partner") == 1
    assert relationship_generation("step-son") == 2
    assert relationship_generation("granddaughter") == 2
    result = layout([P("a", "A", relationship="son"), P("b", "B", relationship="aunt (carer)"),
                     P("c", "C", relationship="grandmother")])
    assert [result.nodes[p].generation for p in "cba"] == [0, 1, 2]


def test_an_empty_household_and_bad_links_do_not_break_the_layout() -> None:
    assert layout([]).nodes == {}
    cycle = [P("a", "A", parents=("b",)), P("b", "B", parents=("a",)),
             P("c", "C", partner_of="c", parents=("c", "zz"))]
    result = layout(cycle)
    assert set(result.nodes) == {"a", "b", "c"}


people = st.lists(
    st.tuples(st.sampled_from(["female", "male", "unknown"]),
              st.sampled_from(["mother", "father", "son", "daughter", "grandmother", "aunt"]),
              st.lists(st.integers(0, 11), max_size=2), st.integers(-1, 11), st.booleans()),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(people)
def test_no_two_people_share_a_spot_and_children_are_below_parents(spec: list) -> None:
    persons = []
    for i, (sex, rel, parents, partner, sep) in enumerate(spec):
        persons.append(P(f"p{i}", f"N{i}", sex, rel,
                         partner_of=f"p{partner}" if partner >= 0 else "",
                         parents=tuple(f"p{j}" for j in parents if j < i), separated=sep))
    result = layout(persons)
    assert set(result.nodes) == {p.person_id for p in persons}
    spots = [(n.generation, n.x) for n in result.nodes.values()]
    assert len(spots) == len(set(spots))
    for descent in result.descents:
        child = result.nodes[descent.child].generation
        assert all(result.nodes[p].generation < child for p in descent.parents)
