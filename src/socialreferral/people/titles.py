"""Job-title classifier: who in a company decides, buys, influences (seed 004).

"The most important criterion that has to be considered in the ranking is the job title
of the potential contact" — the person responsible for procurement. A title is read for
two things: its **function** (purchasing, or something else) and its **seniority** (from
owner and C-level down to intern). The class follows from both:

* ``decision_maker`` — owners, founders, C-level, presidents, managing directors, and
  VPs/directors/heads (budget holders), including heads of purchasing;
* ``buyer`` — purchasing staff below director level (buyer, procurement manager,
  category manager, sourcing specialist);
* ``influencer`` — managers, leads, architects, engineers, analysts, consultants: the
  people who evaluate and recommend;
* ``other`` — assistants, interns, students, retirees, or an unreadable title.

Rules, not a trained model: there is no labelled title set to learn from, the rules are
auditable, and the explanation names the words that decided. English, German and French
titles are covered (the seed's market is German).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.people.normalise import ascii_fold

TitleClass = Literal["decision_maker", "buyer", "influencer", "other"]
MAX_TITLE_CHARS = 200

# (pattern, seniority 0..5, label); first match by seniority wins, highest first.
_SENIORITY: tuple[tuple[str, int, str], ...] = (
    (r"\b(owner|founder|co ?founder|inhaber|gründer|grunder|fondateur)\b", 5, "owner/founder"),
    (r"\b(ceo|cfo|coo|cio|cto|cpo|cmo|cso|cdo|chief \w+( \w+)? officer|chief)\b", 5, "C-level"),
    (
        r"(?<!vice )(?<!vice-)\b(president|chairman|chairwoman|chair|vorstand|pdg)\b",
        5,
        "president/board",
    ),
    (
        r"\b(managing director|general manager|geschaftsfuhrer|directeur general)\b",
        5,
        "managing director",
    ),
    # "HR Business Partner" is a role, not a partner of the firm (see "professional").
    (r"(?<!business )(?<!business-)\b(partner|principal)\b", 4, "partner"),
    (r"\b(evp|svp|vp|vice president|vice-president)\b", 4, "vice president"),
    (
        r"\b(director|head|leiter|leiterin|bereichsleiter|directeur|directrice)\b",
        3,
        "director/head",
    ),
    (r"\b(manager|lead|leader|teamleiter|supervisor|responsable|chef)\b", 2, "manager/lead"),
    (
        r"\b(senior|sr|principal engineer|architect|specialist|expert|referent)\b",
        1,
        "senior/specialist",
    ),
    (
        r"\b(engineer|analyst|consultant|developer|officer|advisor|administrator|coordinator|berater"
        r"|business partner)\b",
        1,
        "professional",
    ),
    (
        r"\b(assistant|assistent|intern|praktikant|stagiaire|student|trainee|werkstudent|apprentice|azubi|retired)\b",
        0,
        "junior/assistant",
    ),
)
_PURCHASING = re.compile(
    r"\b(procurement|purchasing|purchaser|buyer|buying|sourcing|supply chain|vendor|"
    r"supplier|category manager|einkauf|einkaufer|einkäufer|beschaffung|achats|acheteur|"
    r"strategic sourcing)\b"
)
_JUNIOR = re.compile(
    r"\b(assistant|assistent|intern|praktikant|stagiaire|student|trainee|"
    r"werkstudent|apprentice|azubi|retired|former|ex)\b"
)
_COMPILED = tuple((re.compile(p), level, label) for p, level, label in _SENIORITY)


class TitleAssessment(DomainModel):
    """What a job title says about a contact's role in a purchase."""

    title: str
    title_class: TitleClass
    seniority: int = Field(ge=0, le=5, description="0 junior/unknown ... 5 owner/C-level")
    purchasing: bool
    score: float = Field(ge=0.0, le=1.0, description="how worth contacting, from the title")
    explanation: Explanation


_CLASS_BASE: dict[TitleClass, float] = {
    "decision_maker": 0.7,
    "buyer": 0.6,
    "influencer": 0.3,
    "other": 0.0,
}


def classify_title(title: str) -> TitleAssessment:
    """Classify ``title`` (any case, accents, punctuation); explained, never raises on text."""
    raw = (title or "")[:MAX_TITLE_CHARS]
    text = re.sub(r"[^a-z0-9äöüß ]+", " ", ascii_fold(raw).replace("&", " and "))
    text = re.sub(r"\s+", " ", text).strip()
    purchasing_match = _PURCHASING.search(text)
    junior_match = _JUNIOR.search(text)
    seniority, seniority_label, seniority_word = 0, "none found", ""
    for pattern, level, label in _COMPILED:
        match = pattern.search(text)
        if match and level > seniority:
            seniority, seniority_label, seniority_word = level, label, match.group(0)
    # "Assistant to the CFO" is an assistant; "Head of interns" is a head.
    senior_at = text.find(seniority_word) if seniority_word else len(text)
    if junior_match and (seniority < 3 or junior_match.start() < senior_at):
        seniority, seniority_label, seniority_word = 0, "junior/assistant", junior_match.group(0)
    purchasing = purchasing_match is not None
    title_class: TitleClass
    if seniority >= 3:
        title_class = "decision_maker"
    elif purchasing and not junior_match:
        title_class = "buyer"
    elif seniority >= 1:
        title_class = "influencer"
    else:
        title_class = "other"
    base = _CLASS_BASE[title_class]
    seniority_part = 0.2 * seniority / 5
    purchasing_part = 0.1 if purchasing else 0.0
    factors = (
        Factor(
            name="class",
            value=base,
            contribution=base,
            note=f"{title_class.replace('_', ' ')}",
        ),
        Factor(
            name="seniority",
            value=float(seniority),
            weight=0.04,
            contribution=seniority_part,
            note=f"{seniority_label}" + (f" ('{seniority_word}')" if seniority_word else ""),
        ),
        Factor(
            name="purchasing",
            value=1.0 if purchasing else 0.0,
            weight=0.1,
            contribution=purchasing_part,
            note=f"purchasing function ('{purchasing_match.group(0)}')"
            if purchasing_match
            else "no purchasing function named",
        ),
    )
    score = min(1.0, base + seniority_part + purchasing_part)
    summary = f"{raw or '(no title)'}: {title_class.replace('_', ' ')}"
    return TitleAssessment(
        title=raw,
        title_class=title_class,
        seniority=seniority,
        purchasing=purchasing,
        score=score,
        explanation=Explanation(summary=summary[:2000], factors=factors),
    )


__all__ = ["TitleAssessment", "TitleClass", "classify_title"]
