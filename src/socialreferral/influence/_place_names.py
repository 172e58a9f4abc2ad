"""Hand-kept name tables the GeoNames data lacks: nicknames, short forms, provinces.

Keys are normalised the way :func:`socialreferral.influence.gazetteer.normalize` does
(lower-case ASCII, no dots or apostrophes, hyphens as spaces).
"""

from __future__ import annotations

# Nicknames and abbreviations people write in a profile → (GeoNames city name, country,
# first-level division).
CITY_ALIASES: dict[str, tuple[str, str, str]] = {
    "nyc": ("New York City", "US", "NY"),
    "new york": ("New York City", "US", "NY"),
    "ny ny": ("New York City", "US", "NY"),
    "big apple": ("New York City", "US", "NY"),
    "the big apple": ("New York City", "US", "NY"),
    "bk": ("Brooklyn", "US", "NY"),
    "bronx": ("The Bronx", "US", "NY"),
    "la": ("Los Angeles", "US", "CA"),
    "socal": ("Los Angeles", "US", "CA"),
    "sf": ("San Francisco", "US", "CA"),
    "san fran": ("San Francisco", "US", "CA"),
    "san fransisco": ("San Francisco", "US", "CA"),
    "bay area": ("San Francisco", "US", "CA"),
    "sf bay area": ("San Francisco", "US", "CA"),
    "the bay": ("San Francisco", "US", "CA"),
    "silicon valley": ("San Jose", "US", "CA"),
    "dc": ("Washington", "US", "DC"),
    "washington dc": ("Washington", "US", "DC"),
    "dmv": ("Washington", "US", "DC"),
    "philly": ("Philadelphia", "US", "PA"),
    "nola": ("New Orleans", "US", "LA"),
    "vegas": ("Las Vegas", "US", "NV"),
    "atl": ("Atlanta", "US", "GA"),
    "chitown": ("Chicago", "US", "IL"),
    "chi town": ("Chicago", "US", "IL"),
    "chi": ("Chicago", "US", "IL"),
    "htx": ("Houston", "US", "TX"),
    "h town": ("Houston", "US", "TX"),
    "dfw": ("Dallas", "US", "TX"),
    "dallas fort worth": ("Dallas", "US", "TX"),
    "atx": ("Austin", "US", "TX"),
    "pdx": ("Portland", "US", "OR"),
    "slc": ("Salt Lake City", "US", "UT"),
    "stl": ("St Louis", "US", "MO"),
    "motor city": ("Detroit", "US", "MI"),
    "twin cities": ("Minneapolis", "US", "MN"),
    "ldn": ("London", "GB", "ENG"),
    "london town": ("London", "GB", "ENG"),
    "hk": ("Hong Kong", "HK", ""),
    "kl": ("Kuala Lumpur", "MY", "14"),
    "cdmx": ("Mexico City", "MX", "09"),
    "rio": ("Rio de Janeiro", "BR", "21"),
    "bombay": ("Mumbai", "IN", "16"),
    "new delhi": ("Delhi", "IN", "07"),
    "joburg": ("Johannesburg", "ZA", "06"),
    "jozi": ("Johannesburg", "ZA", "06"),
    "the 6ix": ("Toronto", "CA", "08"),
    "the six": ("Toronto", "CA", "08"),
    "tdot": ("Toronto", "CA", "08"),
    "yyc": ("Calgary", "CA", "01"),
    "yvr": ("Vancouver", "CA", "02"),
    "mtl": ("Montreal", "CA", "10"),
}

# Country names people use that differ from GeoNames' English name.
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "the us": "US",
    "the usa": "US",
    "america": "US",
    "united states of america": "US",
    "the united states": "US",
    "murica": "US",
    "uk": "GB",
    "u k": "GB",
    "the uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "deutschland": "DE",
    "espana": "ES",
    "brasil": "BR",
    "italia": "IT",
    "holland": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "uae": "AE",
    "ksa": "SA",
    "korea": "KR",
    "czech republic": "CZ",
    "the philippines": "PH",
    "viet nam": "VN",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "nippon": "JP",
    "suisse": "CH",
    "schweiz": "CH",
    "osterreich": "AT",
    "polska": "PL",
    "eire": "IE",
}

# First-level divisions outside the US people write in profiles: (country, GeoNames
# admin1 code, names and abbreviations).
REGIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("CA", "01", ("alberta", "ab")),
    ("CA", "02", ("british columbia", "bc")),
    ("CA", "03", ("manitoba", "mb")),
    ("CA", "04", ("new brunswick", "nb")),
    ("CA", "05", ("newfoundland", "newfoundland and labrador", "nl")),
    ("CA", "07", ("nova scotia", "ns")),
    ("CA", "08", ("ontario", "on")),
    ("CA", "09", ("prince edward island", "pei", "pe")),
    ("CA", "10", ("quebec", "qc")),
    ("CA", "11", ("saskatchewan", "sk")),
    ("CA", "12", ("yukon", "yt")),
    ("CA", "13", ("northwest territories", "nt")),
    ("CA", "14", ("nunavut", "nu")),
    ("AU", "01", ("australian capital territory", "act")),
    ("AU", "02", ("new south wales", "nsw")),
    ("AU", "03", ("northern territory", "nt")),
    ("AU", "04", ("queensland", "qld")),
    ("AU", "05", ("south australia", "sa")),
    ("AU", "06", ("tasmania", "tas")),
    ("AU", "07", ("victoria", "vic")),
    ("AU", "08", ("western australia", "wa")),
    ("GB", "ENG", ("england",)),
    ("GB", "SCT", ("scotland",)),
    ("GB", "WLS", ("wales",)),
    ("GB", "NIR", ("northern ireland", "ni")),
)

# Whole segments that are not places even where a small town shares the name.
NOT_PLACES = frozenset(
    """earth world worldwide everywhere anywhere somewhere nowhere here there home online
    internet global globe universe moon mars heaven hell paradise cloud localhost hogwarts
    narnia wakanda gotham neverland mordor void space na none null he him she her they them
    his hers bed wherever road dreamland of at in on to""".split()
) | frozenset(
    [
        "planet earth",
        "the world",
        "world wide",
        "the internet",
        "the universe",
        "the moon",
        "the cloud",
        "middle earth",
        "the void",
        "outer space",
        "n a",
        "my bed",
        "on the road",
        "milky way",
        "the milky way",
        "in my head",
        "your heart",
        "in your heart",
        "everywhere else",
    ]
)

# Leading words that introduce a place ("based in London").
PREFIXES = (
    "based in ",
    "living in ",
    "lives in ",
    "born in ",
    "born and raised in ",
    "currently in ",
    "located in ",
    "from ",
    "in ",
)
