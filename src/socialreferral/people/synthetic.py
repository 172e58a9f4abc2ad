"""Synthetic person records with known identities, for tests, demos and validation.

Each person gets several records from different kinds of source (a bank's CRM, a social
login, a web form, a crawled professional profile), each source knowing a different
subset of fields, with the corruptions real profiles show: typos, nicknames, given and
family names swapped, missing fields, e-mail variants (another provider, ``+tag``,
Gmail dots, upper case, a work address), phone formats, day/month swaps in dates of
birth, moves to another city, handles that differ between networks. Households share a
family name, an address and sometimes a landline, so non-matches are not trivially
different. Everything is derived from one ``seed``; no real person is in it.

This is the honest validation set for tuning the linkage defaults: nothing in it is
taken from a public benchmark.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from socialreferral.people.nicknames import _FORMAL_TO_NICKNAMES


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    """
    james mary robert patricia john jennifer michael linda william elizabeth david barbara
    richard susan joseph jessica thomas sarah charles karen christopher nancy daniel lisa
    matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily
    andrew donna joshua michelle kenneth dorothy kevin carol brian amanda george melissa
    timothy deborah ronald stephanie edward rebecca jason sharon jeffrey laura ryan cynthia
    jacob kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda larry
    pamela justin emma scott nicole brandon helen benjamin samantha samuel katherine gregory
    christine alexander debra frank rachel patrick carolyn raymond janet jack catherine
    dennis maria jerry heather tyler diane aaron ruth jose julie adam olivia henry joyce
    nathan virginia douglas victoria zachary kelly peter lauren kyle christina noah joan
    ethan evelyn jeremy judith walter megan christian andrea keith cheryl roger hannah terry
    jacqueline austin martha sean gloria gerald teresa carl ann harold sara dylan madison
    arthur frances lawrence kathryn jordan janice jesse jean bryan abigail billy alice bruce
    judy gabriel sophia joe grace logan denise albert amber willie doris alan marilyn juan
    danielle wayne beverly elijah isabella randy theresa roy diana vincent natalie ralph
    brittany eugene charlotte russell marie bobby kayla mason alexis philip lori louis
    aleksandra mohammed fatima wei mei hiroshi yuki olga dmitri priya arjun chiara giulia
    lars ingrid sven pierre amelie jurgen anke
    """
)
_LAST = _words(
    """
    smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez
    lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson
    white harris sanchez clark ramirez lewis robinson walker young allen king wright scott
    torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter
    roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart
    morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed
    kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray
    mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez
    powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales
    fisher vasquez simmons romero jordan patterson alexander hamilton graham reynolds
    griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar
    stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington
    kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson
    porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer
    wagner black robertson boyd rose stone salazar fox warren mills meyer rice schmidt garza
    daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn kelley
    spencer hawkins arnold pierce hansen peters santos hart bradley knight elliott
    cunningham duncan armstrong hudson carroll lane riley andrews ray berry perkins hoffman
    johnston matthews pena richards willis carpenter lawrence sandoval mueller schneider
    fischer weber becker schulz koch richter wolf schroeder neumann rossi russo ferrari
    esposito bianchi romano colombo ricci dubois moreau laurent oconnor mcallister van-der-
    berg de-souza nakamura tanaka suzuki kowalski nowak
    """
)
_CITIES = _words(
    """
    london manchester birmingham leeds glasgow sheffield bradford liverpool edinburgh
    bristol cardiff belfast leicester coventry nottingham newcastle brighton hull plymouth
    stoke wolverhampton derby swansea southampton salford aberdeen westminster portsmouth
    york peterborough dundee lancaster oxford newport preston cambridge norwich chester
    salisbury exeter gloucester lisburn chichester winchester durham wells ely munich berlin
    hamburg cologne frankfurt stuttgart dusseldorf dortmund essen leipzig bremen dresden
    hanover nuremberg duisburg bochum wuppertal bielefeld bonn munster
    """
)
_STREETS = _words(
    """
    high station church park victoria green manor kings queens mill school new grange north
    south west east orchard chapel springfield windsor albert york cedar elm oak willow
    meadow lime beech ash hill river bridge castle abbey market london main
    """
)
_STREET_TYPES = ("street", "road", "lane", "avenue", "close", "drive", "way", "place")
_DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "gmx.de",
    "web.de",
    "aol.com",
    "protonmail.com",
    "btinternet.com",
)
_WORK_DOMAINS = ("acme.com", "globex.co.uk", "initech.de", "umbrella.org", "contoso.com")
_NETWORKS = ("twitter", "instagram", "facebook", "linkedin")

_NICKNAMES = {formal: nicks for formal, nicks in _FORMAL_TO_NICKNAMES.items()}


@dataclass(frozen=True)
class Person:
    """The truth about one synthetic person."""

    person_id: str
    first_name: str
    last_name: str
    date_of_birth: str
    email: str
    work_email: str
    phone: str
    city: str
    postcode: str
    street: str
    handles: dict[str, str]


def _zipf_choice(rng: random.Random, items: list[str] | tuple[str, ...], s: float = 1.0) -> str:
    # Real name frequencies are heavy-tailed: "smith" is common, "nakamura" rare.
    weights = [1.0 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 2:
        return text
    i = rng.randrange(len(text))
    op = rng.random()
    letters = string.ascii_lowercase
    if op < 0.3:
        return text[:i] + rng.choice(letters) + text[i + 1 :]
    if op < 0.55:
        return text[:i] + text[i + 1 :]
    if op < 0.8:
        return text[:i] + rng.choice(letters) + text[i:]
    j = min(i + 1, len(text) - 1)
    chars = list(text)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _postcode(rng: random.Random) -> str:
    letters = string.ascii_uppercase
    return (
        f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(1, 29)} "
        f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _phone(rng: random.Random) -> str:
    return "7" + "".join(rng.choice(string.digits) for _ in range(9))


def _email_user(rng: random.Random, first: str, last: str, year: str) -> str:
    first, last = first.replace("-", ""), last.replace("-", "")
    patterns = (
        f"{first}.{last}",
        f"{first}{last}",
        f"{first[0]}{last}",
        f"{first}_{last}",
        f"{first}{year[2:]}",
        f"{last}.{first}",
        f"{first}.{last}{rng.randint(1, 99)}",
        f"{first[0]}.{last}{year[2:]}",
    )
    return rng.choice(patterns)


def make_person(rng: random.Random, person_id: str, household: Person | None = None) -> Person:
    """One person; with ``household``, someone living with that person (same surname)."""
    first = _zipf_choice(rng, _FIRST, 0.6)
    last = household.last_name if household else _zipf_choice(rng, _LAST, 0.7)
    year = rng.randint(1940, 2006)
    dob = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    user = _email_user(rng, first, last, str(year))
    handle_base = rng.choice((user.replace(".", "_"), f"{first}{last}", f"{first}_{year % 100}"))
    handles = {}
    for net in _NETWORKS:
        roll = rng.random()
        handles[net] = handle_base if roll < 0.6 else f"{handle_base}{rng.randint(1, 999)}"
    return Person(
        person_id=person_id,
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        email=f"{user}@{rng.choice(_DOMAINS)}",
        work_email=f"{first[0]}.{last}@{rng.choice(_WORK_DOMAINS)}",
        phone=_phone(rng),
        city=household.city if household else _zipf_choice(rng, _CITIES, 0.5),
        postcode=household.postcode if household else _postcode(rng),
        street=household.street
        if household
        else f"{rng.randint(1, 250)} {rng.choice(_STREETS)} {rng.choice(_STREET_TYPES)}",
        handles=handles,
    )


# Which fields each kind of source usually knows (probability the field is filled).
_SOURCES: dict[str, dict[str, float]] = {
    "crm": {
        "first_name": 0.99,
        "last_name": 0.99,
        "date_of_birth": 0.95,
        "email": 0.8,
        "phone": 0.8,
        "city": 0.95,
        "postcode": 0.9,
        "street": 0.9,
    },
    "social_login": {
        "first_name": 0.95,
        "last_name": 0.85,
        "date_of_birth": 0.4,
        "email": 0.9,
        "city": 0.5,
        "network": 1.0,
        "handle": 1.0,
    },
    "web_form": {
        "first_name": 0.97,
        "last_name": 0.97,
        "email": 0.97,
        "phone": 0.6,
        "postcode": 0.5,
        "date_of_birth": 0.3,
    },
    "professional": {
        "first_name": 0.99,
        "last_name": 0.99,
        "email": 0.3,
        "city": 0.8,
        "network": 1.0,
        "handle": 1.0,
    },
}


def _email_variant(rng: random.Random, person: Person) -> str:
    user, domain = person.email.split("@")
    roll = rng.random()
    if roll < 0.12:
        return person.work_email
    if roll < 0.22:
        return f"{user}@{rng.choice([d for d in _DOMAINS if d != domain])}"
    if roll < 0.28:
        return f"{user}+{rng.choice(('news', 'shop', 'bank'))}@{domain}"
    if roll < 0.33 and domain == "gmail.com":
        return f"{user.replace('.', '')}@{domain}"
    if roll < 0.4:
        return person.email.upper() if rng.random() < 0.5 else person.email.title()
    if roll < 0.45:
        return f"{_typo(rng, user)}@{domain}"
    return person.email


def _phone_format(rng: random.Random, digits: str) -> str:
    roll = rng.random()
    if roll < 0.03:
        digits = _typo(rng, digits)
    if roll < 0.35:
        return f"+44 {digits[:4]} {digits[4:]}"
    if roll < 0.7:
        return f"0{digits}"
    return f"0044{digits}" if roll < 0.8 else f"0{digits[:4]} {digits[4:7]} {digits[7:]}"


def _dob_format(rng: random.Random, dob: str) -> str:
    y, m, d = dob.split("-")
    roll = rng.random()
    if roll < 0.04:
        return f"{y}-{d}-{m}"  # day and month swapped
    if roll < 0.09:
        return _typo_digits(rng, dob)
    if roll < 0.3:
        return f"{d}/{m}/{y}"
    if roll < 0.4:
        return f"{y}{m}{d}"
    return dob


def _typo_digits(rng: random.Random, dob: str) -> str:
    chars = list(dob)
    positions = [i for i, c in enumerate(chars) if c.isdigit()]
    i = rng.choice(positions[2:])  # the century is rarely mistyped
    chars[i] = rng.choice(string.digits)
    return "".join(chars)


def make_record(
    rng: random.Random, person: Person, source: str, *, corruption: float = 1.0
) -> dict[str, str | None]:
    """One record of ``person`` as ``source`` would hold it; ``corruption`` scales noise."""
    fill = _SOURCES[source]

    def has(field: str) -> bool:
        return rng.random() < fill.get(field, 0.0)

    def noisy(p: float) -> bool:
        return rng.random() < p * corruption

    first, last = person.first_name, person.last_name.replace("-", " ")
    if noisy(0.18) and first in _NICKNAMES:
        first = rng.choice(_NICKNAMES[first])
    if noisy(0.08):
        first = _typo(rng, first)
    if noisy(0.08):
        last = _typo(rng, last)
    if noisy(0.03):
        first, last = last, first
    if rng.random() < 0.3:
        first, last = first.title(), last.title()
    city, postcode, street = person.city, person.postcode, person.street
    if noisy(0.06):  # moved since this source last heard
        city = _zipf_choice(rng, _CITIES, 0.5)
        postcode, street = _postcode(rng), f"{rng.randint(1, 250)} {rng.choice(_STREETS)} road"
    if noisy(0.05):
        city = _typo(rng, city)
    if noisy(0.05):
        street = _typo(rng, street)
    network = rng.choice(("linkedin",)) if source == "professional" else rng.choice(_NETWORKS[:3])
    handle = person.handles[network]
    if rng.random() < 0.2:
        handle = "@" + handle
    record: dict[str, str | None] = {
        "first_name": first if has("first_name") else None,
        "last_name": last if has("last_name") else None,
        "date_of_birth": _dob_format(rng, person.date_of_birth) if has("date_of_birth") else None,
        "email": _email_variant(rng, person) if has("email") else None,
        "phone": _phone_format(rng, person.phone) if has("phone") else None,
        "city": city if has("city") else None,
        "postcode": postcode if has("postcode") else None,
        "street": street if has("street") else None,
        "network": network if has("network") else None,
        "handle": handle if has("handle") else None,
    }
    if noisy(0.02):  # garbage typed into a form
        field = rng.choice(["email", "phone", "date_of_birth", "city"])
        record[field] = rng.choice(("n/a", "-", "unknown", "test", "???"))
    return record


def generate(
    n_people: int,
    *,
    seed: int = 0,
    mean_records: float = 2.5,
    max_records: int = 8,
    household_rate: float = 0.12,
    corruption: float = 1.0,
    fields: tuple[str, ...] | None = None,
) -> tuple[list[dict[str, str | None]], list[str]]:
    """``(records, person ids)``: about ``n_people * mean_records`` shuffled records.

    ``fields`` keeps only those keys (the others are dropped entirely), to validate
    the model on data sets where whole columns are missing.
    """
    rng = random.Random(seed)
    people: list[Person] = []
    for i in range(n_people):
        household = people[-1] if people and rng.random() < household_rate else None
        people.append(make_person(rng, f"P{i}", household))
    records: list[dict[str, str | None]] = []
    truth: list[str] = []
    p_more = 1.0 - 1.0 / max(mean_records, 1.0)
    sources = list(_SOURCES)
    for person in people:
        count = 1
        while count < max_records and rng.random() < p_more:
            count += 1
        for _ in range(count):
            source = rng.choices(sources, weights=(0.35, 0.3, 0.2, 0.15), k=1)[0]
            record = make_record(rng, person, source, corruption=corruption)
            if fields is not None:
                record = {k: v for k, v in record.items() if k in fields}
            records.append(record)
            truth.append(person.person_id)
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order], [truth[i] for i in order]


__all__ = ["Person", "generate", "make_person", "make_record"]
