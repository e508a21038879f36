"""The in-memory search of the home screen (services/home/search.py).

Pure tests of folding, tokens and the index (no vault), a speed check over 20,000 persons, and
tests over a real vault proving the index holds only what the person may read: the
administrator, and a newcomer whose keys are not yet approved, get nothing."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import NotPermitted
from workbook.services.home.search import (
    IndexBuilder,
    SearchHit,
    SearchIndex,
    build_index,
    date_tokens,
    fold,
    may_search,
    query_tokens,
    tokens,
)

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER_PASS = "correct horse battery staple"
PASSES = {"admin": "keeper of accounts walks the quiet corridor",
          "pc1": "police constable reads the sealed notes",
          "new1": "newcomer waits for approval patiently"}
INITIAL = "initial pass phrase for everyone"


# --- folding and tokens -------------------------------------------------------------------
def test_fold_removes_accents_and_case() -> None:
    assert fold("Zoë") == "zoe"
    assert fold("ŁUKASZ") == "lukasz"
    assert fold("Şahin") == "sahin"
    assert fold("Nguyễn") == "nguyen"
    assert fold("Siobhán Ó Briain") == "siobhan o briain"
    assert fold("ﬁona") == "fiona"  # compatibility ligature


def test_tokens_split_on_spaces_and_hyphens() -> None:
    assert tokens("Zoë Smith-Jones") == ["zoe", "smith", "jones"]
    assert tokens("Begum\u2013Whitfield,  Leeds") == ["begum", "whitfield", "leeds"]
    assert tokens("O'Brien") == ["obrien"]


def test_dates_are_matched_as_shown_and_as_typed() -> None:
    assert "02/03/2015" in date_tokens("2015-03-02")
    assert "2/3/2015" in date_tokens("2015-03-02")
    assert "2015" in date_tokens("2015-03-02")
    assert query_tokens("2015-03-02") == ["02/03/2015"]
    assert query_tokens("02.03.2015") == ["02/03/2015"]


# --- the index on its own -----------------------------------------------------------------
def _hit(kind: str, name: str, family: str = "The Smith-Jones family", dob: str = "") -> SearchHit:
    return SearchHit(kind, f"f-{family}", f"p-{name}" if kind == "person" else "", name, family,
                     "REF-1", dob)


@pytest.fixture
def small_index() -> SearchIndex:
    index = SearchIndex()
    index.add(_hit("family", "The Smith-Jones family"), ["ref", "1", "ref1", "leeds"])
    index.add(_hit("person", "Zoë Smith-Jones"), date_tokens("2015-03-02") + ["leeds"])
    index.add(_hit("person", "Adam Smith-Jones"), date_tokens("1980-11-20"))
    index.add(_hit("family", "The Kowalski family", "The Kowalski family"), ["ref", "2"])
    index.add(_hit("person", "Łukasz Kowalski", "The Kowalski family"),
              date_tokens("1988-01-09"))
    return index.freeze()


def names(index: SearchIndex, text: str) -> list[str]:
    return [h.name for h in index.query(text).hits]


def test_zoe_finds_zoe_with_diaeresis(small_index: SearchIndex) -> None:
    assert names(small_index, "zoe") == ["Zoë Smith-Jones"]
    assert names(small_index, "ZOË") == ["Zoë Smith-Jones"]


def test_smith_finds_smith_jones_family_first(small_index: SearchIndex) -> None:
    found = names(small_index, "smith")
    assert found[0] == "The Smith-Jones family"
    assert set(found) == {"The Smith-Jones family", "Zoë Smith-Jones", "Adam Smith-Jones"}
    assert set(names(small_index, "jones")) == set(found)


def test_every_word_typed_must_match(small_index: SearchIndex) -> None:
    assert names(small_index, "zo smi") == ["Zoë Smith-Jones"]
    assert names(small_index, "zoe kowalski") == []
    assert names(small_index, "lukasz") == ["Łukasz Kowalski"]


def test_date_of_birth_and_reference(small_index: SearchIndex) -> None:
    assert names(small_index, "02/03/2015") == ["Zoë Smith-Jones"]
    assert names(small_index, "2/3/2015") == ["Zoë Smith-Jones"]
    assert names(small_index, "2015-03-02") == ["Zoë Smith-Jones"]
    assert names(small_index, "02/03") == ["Zoë Smith-Jones"]
    assert names(small_index, "ref 2") == ["The Kowalski family"]


@pytest.mark.parametrize("typed", ["obrien", "o'brien", "o brien", "O’Brien", "OBRIEN",
                                   "o brie"])
def test_obrien_is_found_however_it_is_typed(typed: str) -> None:
    """Issue 14: an apostrophe or a space in a name is no barrier (D'Souza likewise)."""
    index = SearchIndex()
    index.add(_hit("person", "Siobhán O'Brien", "The O'Brien family"), [])
    index.add(_hit("person", "Priya D’Souza", "The D'Souza family"), [])
    index.add(_hit("person", "Cian Ó Briain", "The Ó Briain family"), [])
    index.freeze()
    assert names(index, typed) == ["Siobhán O'Brien"]
    for souza in ("dsouza", "d'souza", "d souza", "D’SOUZA"):
        assert names(index, souza) == ["Priya D’Souza"], souza
    for briain in ("o briain", "obriain", "ó briain"):
        assert names(index, briain) == ["Cian Ó Briain"], briain


def test_a_person_result_names_the_family_s_reference() -> None:
    from workbook.ui.models.search_results_model import hit_subtitle, hit_text

    hit = SearchHit("person", "f1", "p1", "Zoë Ash", "The Ash family", "NU-1", "born 02/03/2015")
    assert "in The Ash family (NU-1)" in hit_text(hit)
    assert hit_subtitle(hit).startswith("In The Ash family (NU-1)")
    assert hit_text(hit) == "Zoë Ash  ·  in The Ash family (NU-1)  ·  born 02/03/2015"


def test_a_family_result_reads_as_one_line_with_its_subtitle() -> None:
    from workbook.ui.models.search_results_model import hit_subtitle, hit_text

    closed = SearchHit("family", "f1", "", "The Ash family", "The Ash family", "NU-1", "",
                       closed=True)
    assert hit_subtitle(closed) == "Family  ·  NU-1  ·  closed"
    assert hit_text(closed) == "The Ash family  ·  family  ·  NU-1  ·  closed"
    unreferenced = SearchHit("family", "f2", "", "The Oak family", "The Oak family", "", "")
    assert hit_text(unreferenced) == "The Oak family  ·  family"


def test_empty_query_and_clear(small_index: SearchIndex) -> None:
    assert small_index.query("   ").hits == []
    small_index.clear()
    assert len(small_index) == 0
    assert small_index.query("zoe").hits == []


def test_records_added_after_freezing_are_found_once_frozen_again(
        small_index: SearchIndex) -> None:
    small_index.add(_hit("person", "Zoe Kowalski", "The Kowalski family"), ["leeds"])
    assert names(small_index, "zoe") == ["Zoë Smith-Jones"]  # not until frozen again
    small_index.freeze()
    assert names(small_index, "zoe") == ["Zoe Kowalski", "Zoë Smith-Jones"]
    assert names(small_index, "zoe kow") == ["Zoe Kowalski"]
    # Earlier records keep their words; families still come first.
    assert names(small_index, "leeds") == ["The Smith-Jones family", "Zoe Kowalski",
                                           "Zoë Smith-Jones"]
    assert small_index.query("kowalski").total == 3


def test_a_word_repeated_in_one_record_counts_it_once() -> None:
    index = SearchIndex()
    index.add(_hit("person", "Sam Sam Smith"), ["sam", "samuel", "leeds", "leeds"])
    index.freeze()
    results = index.query("sam")
    assert results.total == 1 and [h.name for h in results.hits] == ["Sam Sam Smith"]


def test_limit_and_total() -> None:
    index = SearchIndex()
    for i in range(120):
        index.add(_hit("person", f"Sam Smith {i:03d}"), [])
    index.freeze()
    results = index.query("sam", limit=50)
    assert results.total == 120
    assert len(results.hits) == 50


FIRST = ("Zoë", "Zoe", "Amelia", "Oliver", "Łukasz", "Siobhán", "Mehmet", "Aaliyah", "Jan",
         "Elif", "Cian", "Noah", "Isla", "Harry", "Grace", "Muhammad", "Freya", "Jack")
LAST = ("Smith", "Jones", "Smith-Jones", "Kowalski", "Şahin", "Nguyễn", "Ó Briain", "Taylor",
        "Begum-Whitfield", "Brown", "Williams", "Evans", "Patel", "Khan", "Wilson", "Davies")


def test_each_keystroke_answers_for_20000_persons() -> None:
    """Every prefix of a typed name is answered over 22,000 hits. The speed target (50 ms a
    keystroke) is measured by bench/bench_gui_shell.py; the bound here only catches a search
    gone pathological (a busy CI machine must not fail it)."""
    rng = random.Random(3)
    index = SearchIndex()
    for f in range(2000):
        surname = rng.choice(LAST)
        family = f"The {surname} family"
        index.add(SearchHit("family", f"f{f}", "", family, family, f"REF-{f:04d}", ""),
                  tokens(f"REF-{f:04d}"))
        for p in range(10):
            dob = f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            address = f"{rng.randint(1, 200)} {rng.choice(LAST)} Road, Leeds LS{rng.randint(1, 28)}"
            index.add(SearchHit("person", f"f{f}", f"p{f}-{p}",
                                f"{rng.choice(FIRST)} {surname}", family, "", dob),
                      date_tokens(dob) + tokens(address))
    index.freeze()
    assert len(index) == 22000
    typed = "smith-jones zo"
    worst = 0.0
    for end in range(1, len(typed) + 1):
        best = min(_timed(index, typed[:end]) for _ in range(3))
        worst = max(worst, best)
    assert worst < 2.0, f"slowest keystroke took {worst * 1000:.1f} ms"
    assert all("Smith-Jones" in h.name for h in index.query(typed).hits)
    assert index.query("zoe smith").total > 0


def _timed(index: SearchIndex, text: str) -> float:
    started = time.perf_counter()
    index.query(text)
    return time.perf_counter() - started


# --- built from a real vault --------------------------------------------------------------
@dataclass
class Team:
    vault: Path
    zoe_family: str
    kowalski_family: str


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("WORKBOOK_KEYRING", raising=False)
        keyring.set_keyring(MemoryKeyring())
        try:
            yield _build_team(tmp_path_factory.mktemp("search") / "vault")
        finally:
            keyring.set_keyring(previous)


def _build_team(vault: Path) -> Team:
    created = create_vault(vault, team="North Unit", owner_username="tm",
                           owner_name="Tess Manager", passphrase=OWNER_PASS, kdf=FAST_KDF)
    with sign_in(vault, "tm", OWNER_PASS) as s:
        zoe = s.families.add("The Smith-Jones family", "NU-0001")
        s.families.add_person(zoe, "Zoë Smith-Jones", "2015-03-02", "daughter",
                              {"address": "4 Mill Lane, Leeds LS1 2AB"})
        s.families.add_person(zoe, "Adam Smith-Jones", "1980-11-20", "father")
        kow = s.families.add("The Kowalski family", "NU-0002")
        s.families.add_person(kow, "Łukasz Kowalski", "1988-01-09", "father")
        s.accounts.add("admin", "Avery Hall", "admin", INITIAL)
        s.accounts.add("pc1", "Pat Constable", "police", INITIAL)
        s.accounts.add("new1", "Nia Newcomer", "social-worker", INITIAL)
    fingerprints = {}
    for user in ("admin", "pc1", "new1"):
        with sign_in(vault, user, INITIAL) as s:
            s.accounts.change_passphrase(INITIAL, PASSES[user])
            fingerprints[user] = s.grants.fingerprint()
    with sign_in(vault, "tm", OWNER_PASS) as s:
        s.grants.approve("pc1", fingerprint=fingerprints["pc1"],
                         recovery_text=created.recovery_key)
    return Team(vault, zoe, kow)


def test_index_of_a_practitioner(team: Team) -> None:
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        index = build_index(s)
    assert len(index) == 5
    zoe = index.query("zoe").hits
    assert [(h.kind, h.name, h.family_id) for h in zoe] == [
        ("person", "Zoë Smith-Jones", team.zoe_family)]
    assert zoe[0].detail == "born 02/03/2015, daughter"
    assert {h.name for h in index.query("smith").hits} == {
        "The Smith-Jones family", "Zoë Smith-Jones", "Adam Smith-Jones"}
    assert [h.name for h in index.query("NU-0002").hits] == ["The Kowalski family"]
    # An address finds the person who lives there and their family.
    assert {h.name for h in index.query("mill lane").hits} == {
        "Zoë Smith-Jones", "The Smith-Jones family"}


def test_police_may_search_the_household(team: Team) -> None:
    with sign_in(team.vault, "pc1", PASSES["pc1"]) as s:
        assert may_search(s)
        index = build_index(s)
    assert [h.name for h in index.query("zoe").hits] == ["Zoë Smith-Jones"]


@pytest.mark.parametrize("user", ["admin", "new1"])
def test_no_household_key_means_an_empty_index(team: Team, user: str) -> None:
    with sign_in(team.vault, user, PASSES[user]) as s:
        assert not may_search(s)
        index = build_index(s)
    assert len(index) == 0
    assert index.query("smith").hits == []


def test_builder_works_in_steps_and_only_for_its_own_session(team: Team) -> None:
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        builder = IndexBuilder(s)
        assert builder.progress == (0, 4)  # open families to read, then families to list
        steps = 0
        while not builder.step(s, families=1):
            steps += 1
        assert steps == 2 and builder.progress == (4, 4)
        assert len(builder.index) == 5
        with sign_in(team.vault, "pc1", PASSES["pc1"]) as other, \
                pytest.raises(NotPermitted):
            IndexBuilder(s).step(other)


def test_each_step_adds_its_own_families_persons_and_the_answers_do_not_change(
        team: Team) -> None:
    """Issue 19: the persons of 20,000 open families all added in the last step made it last
    seconds; now each step adds those of the families it read, with the same answers."""
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        whole = build_index(s)
        builder = IndexBuilder(s)
        builder.step(s, families=1)
        assert 0 < len(builder.index) < 3  # one family's persons, before any family is listed
        while not builder.step(s, families=1):
            pass
    assert len(builder.index) == len(whole)
    for typed in ("smith", "zoe", "kowalski", "mill lane", "NU-0001", "father", "1988"):
        assert builder.index.query(typed) == whole.query(typed), typed
