"""A subject access export holds the person's own data: entries about other household members
only are left out, third parties' names, dates of birth, addresses and phone numbers inside
what is kept are redacted (the person's own stay), and the export tells the reviewer what was
withheld and why, by category."""

from __future__ import annotations

from pdf_text import flat, pages

from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.domain.third_parties import Member, ThirdParties
from workbook.services.printing import Printing

ABOUT_ZOE = ("Saw Zoë at school; her postcode LS1 4AB and mobile 07700 900111 checked. "
             "Her father now lives at 9 Low Road, York YO1 7HH (07700 900222), born "
             "02/04/1988; the aunt's landline is 0113 496 0000.")
ABOUT_DAD_ONLY = "Łukasz Kowalski attended the drug and alcohol service on time."
ABOUT_FAMILY = "Family meeting held; everyone agreed the plan."


def _family(team: TeamVault) -> tuple[str, str]:
    with team.session(Role.SOCIAL_WORKER) as s:
        fid = s.families.add("The Kowalski family", "SAR-1")
        s.families.add_person(fid, "Łukasz Kowalski", "1988-04-02", "father",
                              {"address": "9 Low Road, York YO1 7HH", "phone": "07700 900222"})
        zoe = s.families.add_person(fid, "Zoë Kowalska", "2017-01-20", "daughter",
                                    {"address": "1 High Street, Leeds LS1 4AB",
                                     "phone": "07700 900111"})
        for text, day in ((ABOUT_ZOE, "2026-02-01"), (ABOUT_DAD_ONLY, "2026-02-02"),
                          (ABOUT_FAMILY, "2026-02-03")):
            s.families.add_entry(fid, "case-notes", text, day)
    return fid, zoe


def test_the_export_leaves_out_entries_about_others_and_says_so(team: TeamVault) -> None:
    _fid, zoe = _family(team)
    with team.session(Role.SOCIAL_WORKER) as s:
        document = Printing(s).subject_access(zoe)
    text = flat("\n".join(pages(document.pdf)))
    assert "Saw Zoë at school" in text and ABOUT_FAMILY in text
    assert "drug and alcohol service" not in text
    assert "Withheld (for the reviewer)" in text
    assert "Entry about other household members only (1):" in text
    assert "07700 900222" in text  # not redacted unless asked


def test_redaction_covers_names_dates_addresses_and_phones_but_not_the_persons_own(
        team: TeamVault) -> None:
    _fid, zoe = _family(team)
    with team.session(Role.SOCIAL_WORKER) as s:
        document = Printing(s).subject_access(zoe, redact_third_parties=True)
    text = flat("\n".join(pages(document.pdf)))
    for withheld in ("9 Low Road", "YO1 7HH", "07700 900222", "0113 496 0000", "02/04/1988",
                     "Łukasz", "drug and alcohol service"):
        assert withheld not in text, withheld
    for own in ("Zoë", "LS1 4AB", "07700 900111", "20/01/2017"):
        assert own in text, own
    for mark in ("[address withheld]", "[phone number withheld]",
                 "[date of birth withheld]", "[third party]"):
        assert mark in text, mark
    assert "Address (1):" in text and "Phone number (2):" in text  # the address holds its postcode
    assert "Date of birth (1):" in text and "Entry about other household members only (1)" \
        in text


def test_the_rules_on_their_own() -> None:
    parties = ThirdParties(Member("Amir Khan", "2012-05-06", "4 Mill Lane, Leeds LS2 9JT",
                                  "0113 496 0001"),
                           (Member("Sara Malik", "1985-01-02"), Member("Omar Khan")),
                           "The Khan family")
    assert parties.about_others_only("Sara was seen at the GP.")
    assert not parties.about_others_only("Sara and Amir were seen.")
    assert not parties.about_others_only("The Khan family was seen.")  # names no one
    assert parties.redact("Sara (born 2/1/1985) rang from 0113 496 0001, then 020 7946 0018 "
                          "about LS2 9JT and M1 1AE.") == (
        "[third party] (born [date of birth withheld]) rang from 0113 496 0001, then "
        "[phone number withheld] about LS2 9JT and [address withheld].")
    assert dict(parties.withheld) == {"name": 1, "date of birth": 1, "phone number": 1,
                                      "address": 1}
