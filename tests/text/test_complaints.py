"""Complaint cues: hand-written examples of each cue kind, and the batch path equals the
per-post definition (``complaint_evidence``)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from socialreferral.text import Annotator, analyze
from socialreferral.text._token_ids import TokenTable, encode
from socialreferral.text._tokenize import sentiment_tokens
from socialreferral.text.complaints import ComplaintCues, complaint_evidence, cue_key

COMPLAINTS = [
    # service failure, negated expected action, inability
    "my internet is down again, third time this week",
    "the app doesn't work since the update",
    "I can't login to my account",
    "package never arrived and no one answers the phone",
    # waiting / silence
    "been on hold for 2 hours @acme",
    "still waiting for a reply to my email",
    # money taken
    "you charged me twice for the same order",
    "when do I get my money back?",
    # expectation-reality contrast, questions in a negative context
    "I paid for next day delivery and it's been a week",
    "was told it would be fixed by friday, nothing",
    "why is my bill higher than last month??",
    "how hard is it to send a replacement",
    # negated positive, threat to leave, sarcasm, hashtags
    "not happy with the service at all",
    "switching to another bank after this",
    "thanks a lot for losing my bag @airline",
    "flight delayed again #fail",
]
NOT_COMPLAINTS = [
    "thanks for the quick help, all sorted now!",
    "love the new update, great job",
    "what time do you open on sunday?",
    "can you tell me how to change my address",
    "no problems, no complaints, great service today",
    "just landed in lisbon, the crew were lovely",
    "is the new card available in blue?",
    "happy friday everyone",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_complaints_are_found_with_their_cues(text: str) -> None:
    [a] = analyze([text])
    assert a.intent == "complaint", a.explanation.intent
    assert "outweighs" in a.explanation.intent or "tone" in a.explanation.intent


@pytest.mark.parametrize("text", NOT_COMPLAINTS)
def test_praise_questions_and_chat_are_not_complaints(text: str) -> None:
    [a] = analyze([text])
    assert a.intent != "complaint", a.explanation.intent


def test_a_question_asked_in_anger_is_a_complaint_a_plain_one_is_a_question() -> None:
    angry, plain = analyze(["why is my refund still not here??", "where is the nearest branch?"])
    assert angry.intent == "complaint" and angry.info_seeking  # the pattern is still reported
    assert plain.intent == "question"


def test_cue_keys_match_the_shared_lists() -> None:
    assert cue_key("don't_NEG") == "dont"
    assert cue_key("<num>") == "1"  # the rules' number slot
    assert cue_key("<user>") == "@user"
    ev = complaint_evidence(sentiment_tokens("it doesn't work and I can't login, on hold"))
    assert ev.cues == 3 and set(ev.terms) == {"doesnt work", "cant login", "on hold"}
    assert complaint_evidence(sentiment_tokens("not bad, great")).cues == -1  # one positive


def _random_posts(n: int) -> list[str]:
    rng = random.Random(7)
    vocabulary = (
        "not never can't unable don't login work working arrived refund charged twice on hold "
        "still waiting for 3 hours why is the app down again great happy love thanks nothing "
        "#fail 😡 😀 but , . ? ! @acme my bill paid supposed to was told keeps crashing "
        "switching to never again ok fine bad terrible"
    )
    words = vocabulary.split(" ")
    return [" ".join(rng.choice(words) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def test_batch_scores_equal_the_per_post_definition() -> None:
    posts = COMPLAINTS + NOT_COMPLAINTS + _random_posts(400)
    table = TokenTable()
    cues = ComplaintCues(table)
    with table.lock:
        batch = encode(posts, table)
        got = cues.scores(batch)
        for i, text in enumerate(posts):
            want = complaint_evidence(sentiment_tokens(text))
            assert int(got.cues[i]) == want.cues, text
            assert sorted(got.terms(batch, i, limit=100)) == sorted(want.terms), text
            assert got.terms(batch, i) == got.terms(batch, i, limit=100)[:4]


def test_annotator_complaints_survive_a_table_reset() -> None:
    posts = _random_posts(300)
    small = Annotator(max_tokens=20)  # starts over many times
    big = Annotator()
    a = [x.intent for x in small.annotate(posts)]
    b = [x.intent for x in big.annotate(posts)]
    assert a == b
    assert np.mean([x == "complaint" for x in a]) > 0.2
