"""CareRanker: public API, intents, actionability refinements, profiles, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.care import (
    AuthorHistory,
    CareComment,
    CarePost,
    CareRanker,
    CareScore,
    CareSettings,
    PostFeatures,
)
from socialreferral.errors import InvalidInput

T0 = datetime(2024, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ranker() -> CareRanker:
    return CareRanker()


def test_bare_strings_work_with_defaults(ranker: CareRanker) -> None:
    scores = ranker.score(["@acme my card was charged twice and nobody answers", "hello"])
    assert [type(s) for s in scores] == [CareScore, CareScore]
    complaint, greeting = scores
    assert complaint.intent == "complaint" and complaint.actionable
    assert complaint.rank_score > greeting.rank_score
    assert complaint.author_score == pytest.approx(0.125)  # default author: the floors
    assert complaint.business_function is not None or complaint.function_candidates


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("@acme my package never arrived, still waiting after 2 weeks", "complaint"),
        ("@acme the app keeps crashing since the update, unacceptable", "complaint"),
        ("@acme why is my account locked again?? this is ridiculous", "complaint"),
        ("@acme where can i find the warranty form for my phone?", "question"),
        ("@acme does anyone know how much the premium plan costs?", "question"),
        ("@acme thanks, the delivery was quick and the staff were lovely", "sharing"),
        ("click here for free followers and a giveaway", "spam"),
    ],
)
def test_intents(ranker: CareRanker, text: str, intent: str) -> None:
    assert ranker.score([text])[0].intent == intent


def test_negation_flips_positive_and_blocks_negative(ranker: CareRanker) -> None:
    not_happy, not_bad = ranker.score(["@acme not happy with my order", "@acme not bad at all"])
    assert any(p.startswith("negated_positive") for p in not_happy.features.negative_phrases)
    assert not not_bad.features.negative_phrases


def test_complaints_outrank_praise_and_questions(ranker: CareRanker) -> None:
    complaint, question, praise = ranker.score(
        [
            "@acme I was charged for a flight you cancelled and still no refund",
            "@acme what time does the store open on sunday?",
            "@acme love the new menu, great job",
        ]
    )
    assert complaint.rank_score > question.rank_score > praise.rank_score


def test_profiles_change_the_order_as_configured(ranker: CareRanker) -> None:
    posts = [
        "@acme looking for a new phone, want to buy one this week",
        "@acme how do i reset my password?",
    ]
    default = ranker.score(posts)
    holiday = ranker.with_profile("holiday_season").score(posts)
    assert default[1].rank_score > default[0].rank_score
    assert holiday[0].rank_score > holiday[1].rank_score
    assert holiday[0].profile == "holiday_season"
    with pytest.raises(InvalidInput):
        ranker.with_profile("no-such-profile")


def test_author_history_raises_priority(ranker: CareRanker) -> None:
    text = "@acme my bill is wrong this month"
    plain, known = ranker.score(
        [
            CarePost(text=text),
            CarePost(
                text=text,
                author=AuthorHistory(
                    main_posts=5,
                    relevant_comments_received=15,
                    ascore_total=10.0,
                    representative_interactions=5,
                ),
            ),
        ]
    )
    assert known.author_score == pytest.approx(1.0)
    assert known.rank_score == pytest.approx(plain.rank_score * 8)


def test_relevant_comments_count_only_related_ones(ranker: CareRanker) -> None:
    post = CarePost(
        text="@acme my router keeps dropping the wifi connection",
        comments=(
            CareComment(text="same here, my router drops wifi every evening", author_id="b"),
            CareComment(text="lol", author_id="c"),
            CareComment(text="😂😂", author_id="d"),
        ),
    )
    [s] = ranker.score([post])
    assert s.features.relevant_comments == 1


def test_brand_reply_drops_the_thread(ranker: CareRanker) -> None:
    settings = CareSettings(brand_ids=["AcmeHelp"])
    r = CareRanker(settings, tone_model=ranker.tone_model)
    post = CarePost(
        text="@acmehelp my order never arrived",
        author_id="u1",
        created_at=T0,
        comments=(
            CareComment(
                text="sorry! please DM us",
                author_id="acmehelp",
                created_at=T0 + timedelta(minutes=5),
            ),
        ),
    )
    [s] = r.score([post])
    assert s.intent == "complaint" and not s.actionable
    assert "brand already replied" in s.reasons[0]
    [own] = r.score([CarePost(text="we are sorry to hear that", author_id="AcmeHelp")])
    assert not own.actionable and "written by the brand" in own.reasons[0]


def test_question_answered_by_community_drops(ranker: CareRanker) -> None:
    question = "@acme how do i change the email on my account?"
    answered = CarePost(
        text=question,
        author_id="u1",
        created_at=T0,
        comments=(
            CareComment(
                text="you can change it under settings > profile",
                author_id="helper",
                created_at=T0 + timedelta(minutes=3),
            ),
        ),
    )
    follow_up = CareComment(
        text="tried that, still doesnt work", author_id="u1", created_at=T0 + timedelta(minutes=9)
    )
    still = answered.model_copy(update={"comments": (*answered.comments, follow_up)})
    unanswered = CarePost(text=question, author_id="u1", created_at=T0)
    a, b, c = ranker.score([answered, still, unanswered])
    assert a.intent == "question" and not a.actionable
    assert "answered by community member helper" in a.reasons[0]
    assert b.actionable and c.actionable


def test_let_the_community_answer_suggestion(ranker: CareRanker) -> None:
    post = CarePost(
        text="@acme which charger works with the x200?",
        author_id="u1",
        comments=(CareComment(text="hmm good one", author_id="guru"),),
    )
    [s] = ranker.score([post], helpful_members=frozenset({"guru"}))
    assert s.actionable and s.suggestion == "let_community_answer"
    [plain] = ranker.score([post])
    assert plain.suggestion == "respond"


def test_competitor_complaint_is_not_ours(ranker: CareRanker) -> None:
    settings = CareSettings(competitors=["@RivalTel", "rivaltel"], brand_ids=["acme"])
    r = CareRanker(settings, tone_model=ranker.tone_model)
    theirs, both = r.score(
        [
            "@rivaltel dropped my calls all week, terrible service",
            "@rivaltel is awful and @acme is no better, my calls keep dropping",
        ]
    )
    assert theirs.intent == "complaint" and not theirs.actionable
    assert "competitor" in theirs.reasons[0]
    assert both.actionable


def test_bad_input_is_a_clear_error(ranker: CareRanker) -> None:
    with pytest.raises(InvalidInput) as err:
        ranker.score(["fine", 42])  # type: ignore[list-item]
    assert err.value.field == "posts[1]"
    with pytest.raises(InvalidInput):
        ranker.score("not a list")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        ranker.score(["x" * 10_001])
    with pytest.raises(ValueError):
        CarePost(text="x" * 10_001)


def test_scores_round_trip_through_validation(ranker: CareRanker) -> None:
    for s in ranker.score(["@acme still no refund after 3 weeks #fail", "hi"]):
        again = CareScore.model_validate_json(s.model_dump_json())
        assert again == s
        assert PostFeatures.model_validate(s.features.model_dump()) == s.features
        assert s.model_dump()["factors"]  # computed field serialises


def test_empty_batch(ranker: CareRanker) -> None:
    assert ranker.score([]) == []
