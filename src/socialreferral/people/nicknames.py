"""Common English given-name diminutives and the formal name they stand for.

A profile on a social network often says ``Bob`` where the bank's records say ``Robert``.
The linkage model compares the formal names as one extra level of the first-name
comparison ("same name behind a nickname"), so a nickname adds evidence without being
treated as an exact match. The table holds only widely used, unambiguous-enough
diminutives; a nickname shared by several names (``Al``) maps to one of them, which can
only ever cost that level some precision, never create a link on its own.
"""

from __future__ import annotations

_FORMAL_TO_NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "albert": ("al", "bert", "bertie"),
    "alexander": ("alex", "alec", "sandy", "xander", "lex"),
    "alexandra": ("alexa", "lexi", "sasha", "sandra"),
    "alfred": ("alf", "alfie", "fred"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "barbara": ("barb", "babs", "barbie"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "cath", "kate", "katie", "kathy", "cat", "kath", "kay"),
    "charles": ("charlie", "chuck", "chas", "chaz"),
    "charlotte": ("lottie", "charlie"),
    "christina": ("chris", "tina", "chrissy", "christine"),
    "christopher": ("chris", "kit", "topher", "kris"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davy", "davie"),
    "deborah": ("deb", "debbie", "debby"),
    "dorothy": ("dot", "dottie", "dolly"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "eliza", "lisa", "libby", "elise"),
    "eleanor": ("ellie", "nell", "nora", "elle"),
    "emily": ("em", "emmy", "millie"),
    "frances": ("fran", "frankie"),
    "francis": ("frank", "fran"),
    "frederick": ("freddie", "freddy", "fritz"),
    "gabriel": ("gabe",),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("hank", "hal", "harry"),
    "isabella": ("bella", "izzy", "isabel"),
    "jacqueline": ("jackie", "jacqui"),
    "james": ("jim", "jimmy", "jamie", "jas"),
    "jennifer": ("jen", "jenny", "jenn", "jennie"),
    "jessica": ("jess", "jessie"),
    "john": ("jack", "johnny", "jon"),
    "jonathan": ("jonny", "jonno"),
    "joseph": ("joe", "joey", "jos"),
    "joshua": ("josh",),
    "katherine": ("kathryn", "kathleen", "kat", "kitty"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie", "lars"),
    "leonard": ("leo", "len", "lenny"),
    "margaret": ("maggie", "meg", "peggy", "marge", "margie", "greta", "madge", "daisy"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "mickey", "mikey", "mitch"),
    "nathan": ("nate", "nat"),
    "nathaniel": ("nathan",),
    "nicholas": ("nick", "nicky", "nico", "klaus"),
    "nicola": ("nikki", "nicky", "nicole"),
    "oliver": ("ollie", "olly"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "patrick": ("paddy", "pat", "rick"),
    "peter": ("pete",),
    "philip": ("phil", "pip", "phillip"),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rick", "rich", "dick", "ricky", "richie"),
    "robert": ("bob", "rob", "bobby", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy"),
    "samuel": ("sammy",),
    "sarah": ("sally", "sadie", "sara"),
    "stephen": ("steve", "stevie", "steven"),
    "susan": ("sue", "susie", "suzy", "suzanne"),
    "theodore": ("theo",),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "william": ("will", "bill", "billy", "willy", "liam", "willie"),
    "zachary": ("zach", "zack"),
}


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for formal, nicks in _FORMAL_TO_NICKNAMES.items():
        for nick in nicks:
            index.setdefault(nick, formal)  # first listed formal name wins for shared ones
    for formal in _FORMAL_TO_NICKNAMES:
        index[formal] = formal  # a formal name listed as someone's nickname stays itself
    return index


_INDEX = _build_index()


def canonical_first_name(first: str) -> str:
    """The formal name behind ``first`` (already normalised to lower-case ASCII)."""
    return _INDEX.get(first, first)


__all__ = ["canonical_first_name"]
