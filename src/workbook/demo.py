"""A demo vault full of synthetic families, for trying Workbook, training and screenshots.

Everything here is invented with a seeded Faker (en_GB), so the same seed gives the same
households and texts, and nothing in a demo vault can ever be a real family. The vault is built
only through the services a real team would use - create, add accounts, replace the initial
passphrase, approve with the recovery key, then write as each professional - so the demo also
exercises the real key flow and its audit trail, and its entries are readable exactly by the
people the policy says.

The demo accounts have fixed, documented passphrases (DEMO_USERS) so that anyone can sign in
as any discipline and see what that discipline sees. They are public: a demo vault must never
hold real data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from faker import Faker

from workbook.crypto.passphrase_kdf import PRODUCTION_KDF, KdfParams
from workbook.demo_recording import add_assessments, visit_details, visit_source
from workbook.domain.roles import CORE_SECTIONS, Role, Section
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import InvalidInput
from workbook.services.session import Session
from workbook.vault.database import relax_sync

TEAM = "Demo Family Safeguarding Unit (synthetic data)"

# The one-time passphrase the owner gives every account; each demo user replaces it at once,
# as a real user must before anything else (P5).
INITIAL_PASSPHRASE = "first sign in only please"

HISTORY_DAYS = 548  # entries fall within the past 18 months


@dataclass(frozen=True)
class DemoUser:
    """One demo account. The passphrase is public on purpose: it is printed and documented."""

    username: str
    role: str
    passphrase: str
    full_name: str


# One account per role. Passphrases: four words, distinct, none containing its username (the
# passphrase rule refuses that), all accepted by workbook.domain.passphrase.check_passphrase.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN.value, "demo accounts and devices", "Avery Hall"),
    DemoUser("manager", Role.TEAM_MANAGER.value, "demo chairs group supervision",
             "Morgan Reid"),
    DemoUser("senior", Role.SENIOR_SOCIAL_WORKER.value, "demo channel liaison lead",
             "Sam Adeyemi"),
    DemoUser("social", Role.SOCIAL_WORKER.value, "demo home visit notes", "Priya Shah"),
    DemoUser("police", Role.POLICE.value, "demo hub constable notebook", "Tom Walsh"),
    DemoUser("mentalhealth", Role.MENTAL_HEALTH.value, "demo adult wellbeing worker",
             "Ruth Evans"),
    DemoUser("substance", Role.SUBSTANCE_MISUSE.value, "demo drug alcohol worker",
             "Kieran Doyle"),
    DemoUser("domesticabuse", Role.DOMESTIC_ABUSE.value, "demo probation secondee desk",
             "Helen Price"),
    DemoUser("psychologist", Role.PSYCHOLOGIST.value, "demo clinical formulation desk",
             "Amara Nwosu"),
    DemoUser("education", Role.EDUCATION.value, "demo school outreach visits", "Lewis Grant"),
    DemoUser("health", Role.HEALTH.value, "demo school nurse clinic", "Nadia Rahman"),
)

OWNER = "manager"
OUTCOMES_FROM = 10  # families: a demo this big also has closed families with outcomes

# Who writes each section. Specialist sections are written by their own discipline so that
# the entries are readable by its holders rather than sealed envelopes (P3).
SPECIALIST_AUTHORS: dict[Section, tuple[str, ...]] = {
    Section.MENTAL_HEALTH: ("mentalhealth", "mentalhealth", "psychologist"),
    Section.SUBSTANCE_MISUSE: ("substance",),
    Section.DOMESTIC_ABUSE: ("domesticabuse",),
    Section.POLICE: ("police",),
    Section.EDUCATION: ("education",),
    Section.CHANNEL: ("senior",),
}

# The order in which authors write; the case owners come first because they create families.
AUTHOR_ORDER: tuple[str, ...] = (
    "social", "senior", "manager", "health", "police", "mentalhealth", "psychologist",
    "substance", "domesticabuse", "education",
)


@dataclass(frozen=True)
class DemoResult:
    """What `build_demo` made. The recovery key is a demo one, printed so trainers can show
    approval and recovery; it is kept out of repr all the same, as for a real vault."""

    vault_id: str
    recovery_key: str = field(repr=False)
    users: list[DemoUser] = field(repr=False)
    families: int = 0
    persons: int = 0
    entries: int = 0
    actions: int = 0
    big_family_id: str = ""
    seconds: float = 0.0


def demo_user(username: str) -> DemoUser:
    for user in DEMO_USERS:
        if user.username == username:
            return user
    raise KeyError(username)


# --- the plan: invented data, decided before anything is written ----------------------------
@dataclass
class PlannedPerson:
    name: str
    dob: str
    relationship: str
    extra: dict[str, str]


@dataclass
class PlannedEntry:
    author: str
    section: str
    text: str
    date: str
    entry_type: str = "note"
    significant: bool = False
    visit: dict[str, str] = field(default_factory=dict)  # a visit's time, child seen, ...


@dataclass
class PlannedAction:
    author: str
    text: str
    owner: str
    due: str
    done_on: str = ""  # most actions already past their due date were done


@dataclass
class PlannedFamily:
    name: str
    reference: str
    case_owner: str
    referred: str = ""  # when the family came to the unit: no supervision review before it
    persons: list[PlannedPerson] = field(default_factory=list)
    entries: list[PlannedEntry] = field(default_factory=list)
    actions: list[PlannedAction] = field(default_factory=list)


@dataclass
class _Household:
    """What the text generators need to know about a family to write about it plausibly."""

    surname: str
    adults: list[PlannedPerson]
    children: list[PlannedPerson]
    address: str
    language: str
    school: str
    gp: str
    referred: date


# Households with names that exercise diacritics, non-Western name order and hyphenated
# surnames in every screen, sort and printout: (family surname, language, [(name, age,
# relationship)]).
SPECIAL_HOUSEHOLDS: tuple[tuple[str, str, tuple[tuple[str, int, str], ...]], ...] = (
    ("Kowalski", "Polish", (
        ("Łukasz Kowalski", 38, "father"), ("Magdalena Kowalska", 35, "mother"),
        ("Zoë Kowalska", 9, "daughter"), ("Jan Kowalski", 4, "son"))),
    ("Şahin", "Turkish", (
        ("Mehmet Şahin", 41, "father"), ("Ayşe Şahin", 36, "mother"),
        ("Elif Şahin", 13, "daughter"))),
    ("Nguyễn", "Vietnamese", (
        ("Nguyễn Thị Lan", 33, "mother"), ("Nguyễn Minh Đức", 11, "son"),
        ("Zoë Nguyễn-Clarke", 6, "daughter"))),
    ("Ó Briain", "English and Irish", (
        ("Siobhán Ó Briain", 29, "mother"), ("Pádraig Ó Briain", 63,
                                             "grandfather (kinship carer)"),
        ("Cian Ó Briain", 8, "son"))),
    ("Begum-Whitfield", "Bengali and English", (
        ("Rehana Begum-Whitfield", 34, "mother"), ("Daniel Whitfield", 37, "father"),
        ("Aaliyah Begum-Whitfield", 12, "daughter"), ("Zayn Begum-Whitfield", 2, "son"))),
)

LANGUAGES = ("English",) * 12 + (
    "Polish", "Urdu", "Punjabi", "Romanian", "Arabic", "Bengali", "Somali", "Portuguese",
    "Lithuanian", "Welsh", "Tigrinya", "Kurdish (Sorani)",
)

SAFETY_FLAGS: tuple[tuple[str, str], ...] = (
    ("Dog on premises", "a large dog lives at the address; ask for it to be shut away before "
                        "going in"),
    ("Visit in pairs", "agreed at supervision after threats were made to a worker"),
    ("Violent partner", "{adult}'s former partner is subject to a non-molestation order; do "
                        "not visit if he is present and leave at once if he arrives"),
    ("Weapons reported", "police report a knife was found in the home last year; check with "
                         "the police officer in the hub before visiting"),
    ("Lone working", "ring the duty desk before and after every visit"),
    ("Drug paraphernalia", "used needles have been seen in the hallway; do not sit on soft "
                           "furnishings and wear the issued gloves if asked to help tidy"),
    ("Aggressive relative", "{adult}'s brother visits most evenings and has been verbally "
                            "aggressive to staff; visit in the morning"),
    ("Access", "the front door does not open; use the side gate and knock at the kitchen"),
)


# Phrase tables for the text generators: invented, but in the words case records use.
REFERRAL_CAPACITY = (
    "basic care is mostly met but supervision is inconsistent",
    "warmth and love are evident; routines and boundaries are weak",
    "parenting capacity is reduced by the adult's mental health",
    "the adults minimise the impact of their arguments on the children",
)
REFERRAL_NEEDS = (
    "broadly on track", "speech delay noted", "low school attendance",
    "anxious and withdrawn at school",
)
REFERRAL_ENVIRONMENT = (
    "rent arrears and a damp flat", "isolated, with little wider family support",
    "supportive grandparents nearby", "recently moved into the area",
)
REFERRAL_FORMULATION = (
    "the risks are driven by the adults' conflict and are likely to escalate without support",
    "neglect is cumulative rather than deliberate; the family responds to practical help",
    "the children are protected by a strong bond with their mother, which the plan should "
    "build on",
)
VISIT_CHILD_DOING = (
    "watching television", "playing with Lego in the living room",
    "doing homework at the kitchen table", "asleep upstairs", "in the garden",
)
VISIT_HOME = (
    "warm and tidy", "cluttered but adequately clean", "cold; the meter had run out",
    "untidy, with dishes piled in the kitchen", "clean, with food in the fridge",
)
VISIT_CHILD_SAYS = (
    "they said things are better at home", "they said they like their new teacher",
    "they were quiet and did not want to talk today", "they said they worry about their mum",
    "they drew the family and named everyone in it",
)
VISIT_TOPIC = (
    "bedtime routines", "school attendance", "the plan", "money and the food bank referral",
    "contact with their father", "keeping the home safe",
)
RISK_CONVICTIONS = ("none known", "one historic conviction for assault",
                    "hostile talk about agencies")
RISK_VIOLENCE = ("low", "moderate", "raised when drinking")
RISK_NETWORKS = ("few outside the family", "peers known to police",
                 "a supportive church community")
RES_PSYCHOLOGICAL = ("low mood", "anxiety", "none noted")
RES_FAMILY = ("a close sibling bond", "grandmother involved daily", "parental conflict")
RES_WORK = ("attending school", "unemployed, seeking work", "a part-time job")
RISK_FORMULATION = (
    "risks are manageable with the current plan", "risk will rise if the partner returns",
    "protective factors outweigh the risks at present",
)
FOURP_PRECIPITATING = ("loss of tenancy", "a new partner moving in", "a bereavement last year")
FOURP_MAINTAINING = ("debt and isolation", "alcohol use", "mistrust of services")
FOURP_PROTECTIVE = ("a warm relationship with the children", "an engaged school",
                    "wider family nearby")
SHARED_WHAT = (
    "the chronology", "a summary of the plan", "the date of the next conference",
    "that the family is known to police for violence (no detail)",
)
SHARED_WITH = ("the school", "the GP", "the housing officer", "the health visitor",
               "the neighbouring authority")
SHARED_PURPOSE = ("planning support for the children", "a child protection enquiry",
                  "the review conference")
LAWFUL_BASES = (
    "Children Act 1989 s.47", "Children Act 2004 s.11",
    "UK GDPR Art. 6(1)(e) and Art. 9(2)(g), safeguarding",
)
CONSENT = (
    "sought and given by {adult}",
    "not sought, as asking would increase the risk to the children",
    "refused; overridden by the team manager because the threshold of significant harm is met",
)
TOLD = ("was told", "was not told, as telling them would increase the risk")


class _Texts:
    """Plausible, invented case-recording prose. Every choice comes from the seeded random
    source, so a seed reproduces the whole vault's wording."""

    def __init__(self, fake: Faker, rng: random.Random, today: date) -> None:
        self.fake = fake
        self.rng = rng
        self.today = today

    # --- helpers ---------------------------------------------------------------------------
    def pick(self, items: tuple[str, ...]) -> str:
        return items[self.rng.randrange(len(items))]

    def day_between(self, start: date, end: date) -> date:
        span = max((end - start).days, 0)
        return start + timedelta(days=self.rng.randint(0, span))

    @staticmethod
    def spoken(day: date) -> str:
        return f"{day.day} {day:%B %Y}"

    @staticmethod
    def first(person: PlannedPerson) -> str:
        return person.name.split()[0]

    def adult(self, h: _Household) -> str:
        return self.first(self.rng.choice(h.adults))

    def child(self, h: _Household) -> str:
        return self.first(self.rng.choice(h.children)) if h.children else "the baby"

    # --- core sections ---------------------------------------------------------------------
    def household(self, h: _Household) -> str:
        interpreter = "no interpreter needed"
        if not h.language.startswith("English"):
            interpreter = (f"{self.pick(('a telephone', 'a face-to-face'))} interpreter is "
                           "needed for meetings with the adults")
        return (
            f"Household lives at {h.address}. First language: {h.language}; {interpreter}. "
            f"Key contacts: GP {h.gp}; school {h.school} (designated safeguarding lead "
            f"{self.fake.name()}); health visitor {self.fake.name()} "
            f"({self.fake.phone_number()})."
        )

    def referral(self, h: _Household) -> str:
        source = self.pick((
            f"the designated safeguarding lead at {h.school}",
            "a police protection notice after a domestic incident",
            "the health visitor",
            f"{self.adult(h)} (self-referral)",
            f"the GP at {h.gp}",
            "the emergency department at the district hospital",
            "an anonymous member of the public",
        ))
        concern = self.pick((
            f"{self.child(h)} arriving at school hungry and in unwashed clothes",
            "repeated police call-outs to arguments at the address",
            f"bruising noticed on {self.child(h)}'s arm",
            f"{self.adult(h)}'s drinking and missed health appointments",
            "the home being cold and without food",
            f"{self.child(h)} saying they are scared to go home",
        ))
        return (
            f"Referral received on {self.spoken(h.referred)} from {source}: concern about "
            f"{concern}. Assessment - parenting capacity: {self.pick(REFERRAL_CAPACITY)}. "
            f"The child's developmental needs: {self.pick(REFERRAL_NEEDS)}. "
            f"Family and environment: {self.pick(REFERRAL_ENVIRONMENT)}. "
            f"Initial formulation: {self.pick(REFERRAL_FORMULATION)}."
        )

    def plan_entry(self, h: _Household, day: date) -> str:
        kind = self.pick(("Child protection plan", "Child in need plan", "Early help plan"))
        category = self.pick(("neglect", "emotional abuse", "physical abuse"))
        when = self.spoken(day)
        under = f" under the category of {category}" if kind.startswith("Child prot") else ""
        return (
            f"{kind} agreed on {when}{under}. Outcome sought: {self.child(h)} is safe, warm "
            "and fed and attends school every day; the adults use the support offered and "
            "keep to the agreements made."
        )

    def case_note(self, h: _Household) -> tuple[str, str]:
        """A case note and its entry type."""
        kind = self.pick(("visit", "visit", "visit", "call", "call", "meeting", "note"))
        a, c = self.adult(h), self.child(h)
        if kind == "visit":
            text = (
                f"{self.pick(('Planned', 'Unannounced'))} home visit. {a} let me in. {c} was "
                f"{self.pick(VISIT_CHILD_DOING)}; the home was {self.pick(VISIT_HOME)}. "
                f"I saw {c} alone: {self.pick(VISIT_CHILD_SAYS)}. "
                f"Discussed {self.pick(VISIT_TOPIC)} with {a}. "
                f"Next visit in {self.rng.randint(1, 3)} weeks."
            )
        elif kind == "call":
            text = self.pick((
                f"Telephone call with {a} to confirm the core group date; {a} agreed to attend "
                "and asked for the meeting to be after the school run.",
                f"Call from {h.school}: {c} arrived late again and said there was no breakfast. "
                "School gave breakfast club; I will raise this at the next visit.",
                f"Call to {h.gp} to ask about missed appointments; the surgery confirmed two "
                f"missed immunisation appointments for {c}.",
                f"{a} rang, upset, to say the landlord has served notice. Gave the housing "
                "options number and agreed to write a support letter.",
            ))
        elif kind == "meeting":
            mood = self.pick(("calmer", "still difficult", "better since the new routine"))
            text = self.pick((
                f"Core group meeting at {h.school}. Present: {a}, school, health visitor, "
                "social worker. Plan reviewed: attendance improved; home conditions variable. "
                "Agreed to continue the plan unchanged.",
                "Strategy discussion with police and health after a new incident. Decision: "
                "single-agency enquiry; joint visit tomorrow.",
                f"Team-around-the-family meeting. {a} shared that things are {mood}. "
                "Actions agreed and added to the plan.",
            ))
        else:
            text = self.pick((
                "Chronology updated before the review conference.",
                f"Case recording: {a} did not attend the planned appointment; letter sent "
                "offering a new date.",
                f"Food bank voucher issued; {a} collected it the same day.",
            ))
        return text, kind

    def health_note(self, h: _Household) -> tuple[str, str]:
        c = self.child(h)
        options = (
            (f"Health visitor contact: {c}'s weight is on the "
             f"{self.rng.choice([9, 25, 50, 75])}th centile; development review completed; "
             "immunisations up to date.", "visit"),
            (f"School nurse saw {c}: reports headaches and poor sleep; advice given on screen "
             "time and referral to the GP.", "meeting"),
            (f"{c} was not brought to the dental appointment; second letter sent to "
             f"{self.adult(h)}.", "note"),
        )
        return options[self.rng.randrange(len(options))]

    def risk(self, h: _Household) -> str:
        if self.rng.random() < 0.5:
            return (
                "Risk and resilience assessment. Risk/threat - convictions and rhetoric: "
                f"{self.pick(RISK_CONVICTIONS)}; readiness to use violence: "
                f"{self.pick(RISK_VIOLENCE)}; networks and social influence: "
                f"{self.pick(RISK_NETWORKS)}. Resilience - psychological vulnerability: "
                f"{self.pick(RES_PSYCHOLOGICAL)}; family factors: {self.pick(RES_FAMILY)}; "
                f"education and work: {self.pick(RES_WORK)}. "
                f"Formulation: {self.pick(RISK_FORMULATION)}."
            )
        return (
            f"Formulation. Predisposing: {self.adult(h)}'s own childhood in care. "
            f"Precipitating: {self.pick(FOURP_PRECIPITATING)}. "
            f"Maintaining: {self.pick(FOURP_MAINTAINING)}. "
            f"Protective: {self.pick(FOURP_PROTECTIVE)}."
        )

    def safety_flag(self, h: _Household) -> str:
        flag, detail = SAFETY_FLAGS[self.rng.randrange(len(SAFETY_FLAGS))]
        return f"{flag}: {detail.format(adult=self.adult(h))}."

    def no_safety_concern(self, day: date) -> str:
        return (f"No safety concerns for visiting staff known at the check on {self.spoken(day)};"
                " the standard lone-working procedure applies.")

    def sharing(self, h: _Household, decider: str) -> str:
        consent = self.pick(CONSENT).format(adult=self.adult(h))
        return (
            f"Shared {self.pick(SHARED_WHAT)} with {self.pick(SHARED_WITH)} for "
            f"{self.pick(SHARED_PURPOSE)}. Lawful basis: {self.pick(LAWFUL_BASES)}. "
            f"Consent: {consent}. Decided by {decider}; the family {self.pick(TOLD)}."
        )

    # --- specialist sections ---------------------------------------------------------------
    def agency_check(self, section: Section, h: _Household, known: bool) -> str:
        """The check every specialist makes at referral; "known" only when their section then
        holds more about the family, so the two never contradict each other."""
        agency = {
            Section.MENTAL_HEALTH: "adult mental health services",
            Section.SUBSTANCE_MISUSE: "the drug and alcohol service",
            Section.DOMESTIC_ABUSE: "MARAC and probation",
            Section.POLICE: "local police systems and the PNC",
            Section.EDUCATION: "the education welfare service",
            Section.CHANNEL: "Channel (radicalisation screening)",
        }[section]
        who = self.child(h) if section in (Section.EDUCATION, Section.CHANNEL) else self.adult(h)
        found = f"{who} is known; see later entries." if known else "no trace."
        return f"Agency check at referral with {agency}: {found}"

    def specialist(self, section: Section, h: _Household, author: str) -> str:
        a, c = self.adult(h), self.child(h)
        if section is Section.MENTAL_HEALTH and author == "psychologist":
            return (f"Psychology consultation with the unit about {a}: the formulation suggests "
                    "an attachment pattern of pushing help away when it is most needed; advised "
                    "short, predictable contacts and one lead worker.")
        texts: dict[Section, tuple[str, ...]] = {
            Section.MENTAL_HEALTH: (
                f"Saw {a} at the community mental health clinic. Low mood and poor sleep; "
                f"PHQ-9 score {self.rng.randint(8, 22)}. No current thoughts of self-harm. "
                "Referred to talking therapies.",
                f"{a} reviewed by the duty psychiatrist; medication changed. Crisis line "
                "number given.",
            ),
            Section.SUBSTANCE_MISUSE: (
                f"{a} attended the drug and alcohol service. AUDIT score "
                f"{self.rng.randint(8, 30)}; reports about {self.rng.randint(20, 90)} units a "
                "week. Agreed to a community detox assessment.",
                f"Drug test for {a}: negative for opiates, positive for cannabis. Engaging "
                "with the weekly group.",
            ),
            Section.DOMESTIC_ABUSE: (
                f"DASH risk checklist completed with {a}: {self.rng.randint(5, 18)} ticks, "
                f"{self.pick(('standard', 'medium', 'high'))} risk. Safety plan agreed.",
                f"MARAC referral made for {a}; the former partner is on licence with a "
                "no-contact condition.",
            ),
            Section.POLICE: (
                f"Police attended the address at {self.rng.randint(19, 23)}:"
                f"{self.rng.choice(['05', '20', '45'])} after a 999 call reporting shouting. "
                "No arrests; the children were seen and safe. Protection notice submitted.",
                f"Intelligence (graded B2): {a}'s former partner is believed to be back in "
                "the area. Not to be disclosed to the family.",
            ),
            Section.EDUCATION: (
                f"{c}'s attendance this term is {self.rng.randint(62, 97)}% with "
                f"{self.rng.randint(0, 14)} unauthorised absences. Attendance plan agreed.",
                f"Team-around-the-child meeting at {h.school}: {c} is on SEN support for "
                "reading; mentoring offered twice a week.",
            ),
            Section.CHANNEL: (
                f"Channel panel discussed {c} after school reported viewing extremist content "
                "online. Panel agreed to offer an intervention provider; consent sought.",
                "Channel panel review: engagement with the mentor is good; agreed to close "
                "with no further action at the next panel.",
            ),
        }
        return self.pick(texts[section])


class _Planner:
    """Turns a seed into families: households, entries in every section, actions."""

    def __init__(self, seed: int, today: date) -> None:
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.visits = visit_source(seed)
        self.today = today
        self.texts = _Texts(self.fake, self.rng, today)

    def visit(self, text: str, kind: str) -> tuple[str, dict[str, str]]:
        """A visit's details, from their own random source (the seed's other choices stay)."""
        if kind != "visit":
            return text, {}
        return visit_details(self.visits, text)

    def dob(self, age: int) -> str:
        return (self.today - timedelta(days=age * 365 + self.rng.randint(0, 364))).isoformat()

    def household(self, index: int, specials: dict[int, int]) -> _Household:
        # Family 0 is the long-running one (see grow): known for the whole 18 months.
        days = HISTORY_DAYS if index == 0 else self.rng.randint(60, HISTORY_DAYS)
        referred = self.today - timedelta(days=days)
        address = self.fake.address().replace("\n", ", ")
        school_kind = ("Primary School", "Academy", "High School", "Community College")
        school = f"{self.fake.city()} {self.texts.pick(school_kind)}"
        gp = f"{self.fake.street_name()} Surgery"
        if index in specials:
            surname, language, people = SPECIAL_HOUSEHOLDS[specials[index]]
            adults: list[PlannedPerson] = []
            children: list[PlannedPerson] = []
            for person_name, age, relationship in people:
                extra = {"language": language}
                if age >= 18:
                    extra["address"] = address
                person = PlannedPerson(person_name, self.dob(age), relationship, extra)
                (adults if age >= 18 else children).append(person)
            return _Household(surname, adults, children, address, language, school, gp,
                              referred)
        language = self.texts.pick(LANGUAGES)
        surname = self.fake.last_name()
        carer = self.texts.pick(("mother", "mother", "mother", "grandmother (kinship carer)",
                                 "aunt (carer)"))
        age = self.rng.randint(48, 70) if carer.startswith("grand") else self.rng.randint(19, 48)
        adults = [PlannedPerson(f"{self.fake.first_name_female()} {surname}", self.dob(age),
                                carer, {"language": language, "address": address})]
        child_surname = surname
        if self.rng.random() < 0.55:
            partner_surname = self.fake.last_name()
            adults.append(PlannedPerson(
                f"{self.fake.first_name_male()} {partner_surname}",
                self.dob(self.rng.randint(21, 55)),
                self.texts.pick(("father", "father", "stepfather", "mother's partner")),
                {"language": language, "address": address},
            ))
            if self.rng.random() < 0.25:
                child_surname = f"{surname}-{partner_surname}"
        kids: list[PlannedPerson] = []
        for _ in range(self.rng.randint(1, 6 - len(adults))):
            female = self.rng.random() < 0.5
            first = self.fake.first_name_female() if female else self.fake.first_name_male()
            kids.append(PlannedPerson(
                f"{first} {child_surname}", self.dob(self.rng.randint(0, 17)),
                _child_relationship(carer, female), {"language": language},
            ))
        return _Household(child_surname, adults, kids, address, language, school, gp,
                          referred)

    def family(
        self, index: int, case_owner: str, specials: dict[int, int]
    ) -> tuple[PlannedFamily, _Household]:
        h = self.household(index, specials)
        family = PlannedFamily(f"The {h.surname} family", f"DEMO-{index + 1:04d}", case_owner,
                               h.referred.isoformat(), persons=h.adults + h.children)
        t = self.texts

        def when() -> str:
            return t.day_between(h.referred, self.today).isoformat()

        def entry(author: str, section: Section, text: str, day: str,
                  entry_type: str = "note", significant: bool = False) -> None:
            family.entries.append(PlannedEntry(author, section.value, text, day, entry_type,
                                               significant))

        entry(case_owner, Section.HOUSEHOLD, t.household(h), h.referred.isoformat())
        entry(case_owner, Section.REFERRAL_ASSESSMENT, t.referral(h), h.referred.isoformat(),
              significant=True)
        plan_day = h.referred + timedelta(days=self.rng.randint(10, 40))
        plan_day = min(plan_day, self.today)
        entry("manager", Section.PLAN, t.plan_entry(h, plan_day), plan_day.isoformat(),
              "meeting")
        for _ in range(self.rng.randint(3, 9)):
            text, kind = t.case_note(h)
            author = self.rng.choice((case_owner, case_owner, case_owner, "social", "senior"))
            text, visit = self.visit(text, kind)
            family.entries.append(PlannedEntry(author, Section.CASE_NOTES.value, text, when(),
                                               kind, visit=visit))
        if h.children:
            text, kind = t.health_note(h)
            entry("health", Section.CASE_NOTES, text, when(), kind)
        entry(self.rng.choice(("senior", "psychologist")), Section.RISK_ASSESSMENT, t.risk(h),
              when(), significant=self.rng.random() < 0.3)
        if self.rng.random() < 0.35:
            for _ in range(self.rng.randint(1, 3)):
                entry(self.rng.choice((case_owner, case_owner, "police")),
                      Section.HOME_VISIT_SAFETY, t.safety_flag(h), when(), significant=True)
        else:
            day = t.day_between(h.referred, self.today)
            entry(case_owner, Section.HOME_VISIT_SAFETY, t.no_safety_concern(day),
                  day.isoformat())
        decider = self.rng.choice(("manager", case_owner))
        entry(decider, Section.SHARING_LOG, t.sharing(h, demo_user(decider).full_name), when())
        for section, authors in SPECIALIST_AUTHORS.items():
            chance = 0.06 if section is Section.CHANNEL else 0.45
            more = 0
            while self.rng.random() < chance:
                more += 1
                chance /= 2
            entry(authors[0], section, t.agency_check(section, h, known=more > 0),
                  (h.referred + timedelta(days=self.rng.randint(1, 10))).isoformat())
            for _ in range(more):
                author = self.rng.choice(authors)
                entry(author, section, t.specialist(section, h, author), when(),
                      self.rng.choice(("visit", "meeting", "note", "call")),
                      significant=self.rng.random() < 0.2)
        self.add_actions(family, h)
        return family, h

    def add_actions(self, family: PlannedFamily, h: _Household) -> None:
        t = self.texts
        choices = (
            ("Complete the child and family assessment", family.case_owner),
            (f"Refer {t.adult(h)} to the drug and alcohol service", "substance"),
            (f"Arrange an attendance meeting with {h.school}", "education"),
            ("Book the next core group meeting", family.case_owner),
            (f"Complete a DASH risk assessment with {t.adult(h)}", "domesticabuse"),
            (f"Police checks on {t.adult(h)}'s new partner", "police"),
            ("Refer to the family hub for parenting support", family.case_owner),
            (f"Developmental review for {t.child(h)}", "health"),
            ("Psychology consultation on the family formulation", "psychologist"),
            ("Update the chronology before the review conference", "senior"),
            (f"Mental health assessment for {t.adult(h)}", "mentalhealth"),
            ("Explore kinship care options with the wider family", "social"),
        )
        for index in self.rng.sample(range(len(choices)), self.rng.randint(2, 5)):
            text, owner = choices[index]
            due = self.today + timedelta(days=self.rng.randint(-45, 75))
            author = self.rng.choice(("manager", family.case_owner))
            done_on = ""
            if due < self.today - timedelta(days=7) and self.rng.random() < 0.7:
                done_on = (due - timedelta(days=self.rng.randint(0, 5))).isoformat()
            family.actions.append(PlannedAction(author, text, owner, due.isoformat(), done_on))

    def grow(self, family: PlannedFamily, h: _Household, target: int) -> None:
        """Make one family long-running: core-section entries until every practitioner sees at
        least `target` entries, which is what the chronology and search must cope with."""
        t = self.texts
        core = {s.value for s in CORE_SECTIONS}
        count = sum(1 for e in family.entries if e.section in core)
        while count < target:
            day = t.day_between(h.referred, self.today).isoformat()
            roll = self.rng.random()
            if roll < 0.75:
                text, kind = t.case_note(h)
                author = self.rng.choice((family.case_owner, "social", "senior"))
                text, visit = self.visit(text, kind)
                family.entries.append(PlannedEntry(author, Section.CASE_NOTES.value, text, day,
                                                   kind, visit=visit))
            elif roll < 0.87:
                text, kind = t.health_note(h)
                family.entries.append(PlannedEntry("health", Section.CASE_NOTES.value, text,
                                                   day, kind))
            elif roll < 0.95:
                family.entries.append(PlannedEntry(
                    family.case_owner, Section.SHARING_LOG.value,
                    t.sharing(h, demo_user(family.case_owner).full_name), day))
            else:
                family.entries.append(PlannedEntry(
                    self.rng.choice(("senior", "psychologist")), Section.RISK_ASSESSMENT.value,
                    t.risk(h), day))
            count += 1


def _child_relationship(carer: str, female: bool) -> str:
    """A child's relationship as seen from the first carer listed, as a genogram labels it."""
    if carer.startswith("grandmother"):
        return "granddaughter" if female else "grandson"
    if carer.startswith("aunt"):
        return "niece" if female else "nephew"
    return "daughter" if female else "son"


def plan_families(
    families: int, big_family_entries: int, seed: int, today: date
) -> list[PlannedFamily]:
    """Decide every family before writing, so the result depends only on the seed and the
    day, not on the order in which authors write."""
    planner = _Planner(seed, today)
    specials = {(i + 1) % families: i for i in range(min(len(SPECIAL_HOUSEHOLDS), families))}
    owners = ("social",) * 6 + ("senior",) * 3 + ("manager",)
    planned = [planner.family(i, owners[i % len(owners)], specials) for i in range(families)]
    planner.grow(*planned[0], big_family_entries)
    return [family for family, _household in planned]


# --- building ---------------------------------------------------------------------------
def build_demo(
    vault_dir: Path,
    *,
    families: int = 200,
    big_family_entries: int = 2000,
    seed: int = 2026,
    kdf: KdfParams | None = None,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> DemoResult:
    """Create a demo vault in `vault_dir` (which must not exist or be empty).

    The owner (team manager) creates the vault and adds every other account; each person
    replaces the initial passphrase with their documented one; the owner then approves them
    all with the recovery key - the way a new team's first members get keys for sections
    nobody holds yet. Then each author signs in once and writes what their discipline would.
    `today` fixes the calendar for reproducible tests; by default it is the real date."""
    if families < 1:
        raise InvalidInput("a demo needs at least one family")
    if big_family_entries < 0:
        raise InvalidInput("big_family_entries must not be negative")
    say = progress or _quiet
    started = time.perf_counter()
    kdf = kdf or PRODUCTION_KDF
    today = today or date.today()
    owner = demo_user(OWNER)

    say(f"Creating the demo vault in {vault_dir} ...")
    created = create_vault(
        vault_dir, team=TEAM, owner_username=owner.username, owner_name=owner.full_name,
        passphrase=owner.passphrase, owner_role=owner.role, kdf=kdf,
    )
    members = [u for u in DEMO_USERS if u.username != OWNER]
    with sign_in(vault_dir, owner.username, owner.passphrase) as session:
        for user in members:
            session.accounts.add(user.username, user.full_name, user.role, INITIAL_PASSPHRASE)
    say(f"Added {len(members)} accounts; each now chooses their own passphrase ...")

    fingerprints: dict[str, str] = {}
    for user in members:
        with sign_in(vault_dir, user.username, INITIAL_PASSPHRASE) as session:
            session.accounts.change_passphrase(INITIAL_PASSPHRASE, user.passphrase)
            fingerprints[user.username] = session.grants.fingerprint()

    say("Approving every account with the recovery key ...")
    plan = plan_families(families, big_family_entries, seed, today)
    counts = {"persons": 0, "entries": 0, "actions": 0}
    with ExitStack() as stack:
        sessions: dict[str, Session] = {}
        owner_session = stack.enter_context(sign_in(vault_dir, owner.username, owner.passphrase))
        for user in members:
            owner_session.grants.approve(user.username, fingerprint=fingerprints[user.username],
                                         recovery_text=created.recovery_key)
        sessions[OWNER] = owner_session
        for username in AUTHOR_ORDER:
            if username not in sessions:
                user = demo_user(username)
                sessions[username] = stack.enter_context(
                    sign_in(vault_dir, user.username, user.passphrase))

        for session in sessions.values():
            _relax_sync(session)
        say(f"Adding {families} synthetic families ...")
        family_ids = [_create_family(sessions[f.case_owner], f, counts) for f in plan]
        for username in AUTHOR_ORDER:
            written = _write_as(sessions[username], username, plan, family_ids, counts)
            say(f"  {username}: {written} entries and actions")
        from workbook.demo_supervision import add_supervision_demo

        say("Adding risk and resilience assessments in both frameworks ...")
        add_assessments(sessions["senior"], family_ids, seed, today)
        say("Adding a year of group supervision, assessments and urgent concerns ...")
        add_supervision_demo(owner_session, family_ids, seed,
                             list(dict.fromkeys(f.case_owner for f in plan[:8])),
                             {fid: date.fromisoformat(f.referred)
                              for fid, f in zip(family_ids, plan, strict=True)})
        say("Closing families with their outcomes, and handing over a case owner ...")
        _add_outcomes_demo(sessions, family_ids, seed, today, counts)
        if len(family_ids) >= 3:
            _close_long_ago(owner_session, family_ids[-1], today)
        from workbook.demo_timescales import add_timescales_demo

        say("Starting the statutory time limits (conference, core group, visits, Channel) ...")
        add_timescales_demo(sessions["senior"],
                            family_ids[:-1] if len(family_ids) >= 3 else family_ids, today)
        _add_front_door(sessions, family_ids[min(1, len(family_ids) - 1)], say)
        from workbook.demo_concerns import add_concerns_demo

        say("Adding a concern mid-way through the six steps, an abstraction and consent ...")
        add_concerns_demo(sessions["mentalhealth"], sessions["social"],
                          family_ids[1] if len(family_ids) > 1 else family_ids[0], today)
        if len(family_ids) >= 3:
            from workbook.demo_transfer import add_transfer_demo

            say("Starting a transfer to another organisation, waiting for the police ...")
            add_transfer_demo(owner_session, sessions, plan[1].case_owner, family_ids[1])
    seconds = time.perf_counter() - started
    say(f"Demo vault ready in {seconds:.1f} s.")
    return DemoResult(
        vault_id=created.vault_id, recovery_key=created.recovery_key, users=list(DEMO_USERS),
        families=len(plan), persons=counts["persons"], entries=counts["entries"],
        actions=counts["actions"], big_family_id=family_ids[0], seconds=seconds,
    )


def _add_front_door(sessions: dict[str, Session], family_id: str,
                    say: Callable[[str], None]) -> None:
    """Referrals waiting at the front door (one overdue, one due within hours, one sealed to
    the police) and one decided (demo_front_door.py)."""
    from workbook.demo_front_door import add_front_door_demo

    say("Adding referrals at the front door ...")
    add_front_door_demo(sessions["social"], sessions["police"], family_id)
def _add_outcomes_demo(sessions: dict[str, Session], family_ids: list[str], seed: int,
                       today: date, counts: dict[str, int]) -> None:
    """Issue 15: families of their own, planned and written as the others are, then closed
    over the last months with outcomes and lessons learned; and the second family's case
    owner handed over twice (its history). Only in a demo of ten families or more: a
    smaller one (a test's) keeps exactly the families it asked for."""
    from workbook.demo_outcomes import CLOSINGS, close_with_outcomes, hand_over

    if len(family_ids) < OUTCOMES_FROM:
        return
    plan = plan_families(len(CLOSINGS), 0, seed + 15, today)
    for number, family in enumerate(plan, start=1):
        family.reference = f"DEMO-C{number:03d}"  # not to repeat the open families' numbers
    closed = [_create_family(sessions[f.case_owner], f, counts) for f in plan]
    for username in AUTHOR_ORDER:
        _write_as(sessions[username], username, plan, closed, counts)
    close_with_outcomes(sessions[OWNER], closed, [f.referred for f in plan], today)
    if len(family_ids) >= 2:
        hand_over(sessions[OWNER], family_ids[1], today)


def _close_long_ago(session: Session, family_id: str, today: date) -> None:
    """One family closed as early help seven years ago, so the disposal review has a family
    past its retention period to show."""

    real = session.clock
    closed = datetime(today.year - 7, today.month, min(today.day, 28), 12, tzinfo=UTC)
    session.clock = lambda: closed
    try:
        session.retention.close(family_id, "early-help")
    finally:
        session.clock = real


def _quiet(_message: str) -> None:
    """No progress wanted."""


def _relax_sync(session: Session) -> None:
    """Commit the demo's ~10,000 small transactions without an fsync each.

    The services make every add its own transaction (Session.write is not re-entrant, so the
    demo cannot wrap a batch). With synchronous=FULL each commit waits for the disk: cheap on
    an idle SSD, but on a busy or slow disk that alone took minutes. In WAL mode NORMAL stays
    consistent and only risks losing the last commits if the machine loses power mid-build -
    harmless for a throwaway demo, which is then simply built again. The setting lives on
    these connections only; every later connection opens with the vault's usual FULL."""
    relax_sync(session.conn)


def _create_family(session: Session, family: PlannedFamily, counts: dict[str, int]) -> str:
    """The family and its household, written on the day it came to the unit, so that its
    monthly review clock starts then."""
    from workbook.demo_genogram import genogram_links
    from workbook.demo_supervision import clock_at

    # Parents and partners before the people who point at them: the genogram's links are
    # ids, known once a person is written.
    order = sorted(range(len(family.persons)),
                   key=lambda i: _WRITE_FIRST.get(
                       family.persons[i].relationship.split(" (", 1)[0], 9))
    ids = [""] * len(family.persons)
    relationships = [p.relationship for p in family.persons]
    with clock_at(session, date.fromisoformat(family.referred)):
        family_id = session.families.add(family.name, family.reference)
        for i in order:
            person = family.persons[i]
            links = genogram_links(relationships, ids)[i]
            ids[i] = session.families.add_person(family_id, person.name, person.dob,
                                                 person.relationship,
                                                 {**person.extra, **links})
            counts["persons"] += 1
    return family_id


_WRITE_FIRST = {"grandfather": 0, "grandmother": 0, "mother": 1, "father": 2}


def _write_as(
    session: Session, username: str, plan: list[PlannedFamily], family_ids: list[str],
    counts: dict[str, int],
) -> int:
    """Everything one author writes, across all families, in one session. Each add is its own
    transaction, as the services offer no batch (see _relax_sync)."""
    from workbook.demo_supervision import clock_at
    from workbook.services.family.plan_actions import set_action_status

    today = date.fromisoformat(session.now()[:10])
    written = 0
    for family, family_id in zip(plan, family_ids, strict=True):
        for entry in family.entries:
            if entry.author == username:
                session.families.add_entry(family_id, entry.section, entry.text, entry.date,
                                           entry.entry_type, entry.significant, **entry.visit)
                counts["entries"] += 1
                written += 1
        for action in family.actions:
            if action.author == username:
                # Agreed about a month before it falls due (not before the family came to the
                # unit, not after today), so the overdue trend has a history.
                agreed = min(today, max(date.fromisoformat(family.referred),
                                        date.fromisoformat(action.due) - timedelta(days=30)))
                with clock_at(session, agreed):
                    action_id = session.families.add_action(family_id, action.text,
                                                            action.owner, action.due)
                if action.done_on:
                    with clock_at(session, max(agreed, date.fromisoformat(action.done_on))):
                        set_action_status(session, action_id, "done")
                counts["actions"] += 1
                written += 1
    return written
