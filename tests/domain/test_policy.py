"""Contact policy: opt-outs, cool-down, caps — examples plus a property over random streams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from socialreferral.domain.policy import (
    ContactHistory,
    ContactPolicy,
    PolicyReason,
    decide,
    longest_window,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = ContactPolicy()  # 2 offers / prospect / 7 d; 30 d cool-down; 5 asks / referrer / 7 d


def _history(*contacts: tuple[str, str, str, float]) -> ContactHistory:
    h = ContactHistory()
    for prospect, referrer, product, days in contacts:
        h = h.record(prospect, referrer, product, T0 + timedelta(days=days))
    return h


def test_first_contact_allowed_and_explained() -> None:
    d = decide(POLICY, ContactHistory(), "p1", "r1", "loan", T0)
    assert d.allowed and d.reason is PolicyReason.ALLOWED
    assert d.explanation.factor("offers_to_prospect").value == 0


def test_opt_outs_win() -> None:
    assert decide(POLICY, ContactHistory(), "p1", "r1", "loan", T0, {"p1"}).reason is (
        PolicyReason.PROSPECT_OPTED_OUT
    )
    assert decide(POLICY, ContactHistory(), "p1", "r1", "loan", T0, {"r1"}).reason is (
        PolicyReason.REFERRER_OPTED_OUT
    )


def test_product_cooldown() -> None:
    h = _history(("p1", "r1", "loan", 0))
    assert decide(POLICY, h, "p1", "r2", "loan", T0 + timedelta(days=29)).reason is (
        PolicyReason.PRODUCT_COOLDOWN
    )
    assert decide(POLICY, h, "p1", "r2", "loan", T0 + timedelta(days=30)).allowed
    assert decide(POLICY, h, "p1", "r2", "card", T0 + timedelta(days=1)).allowed


def test_prospect_cap_slides() -> None:
    h = _history(("p1", "r1", "a", 0), ("p1", "r2", "b", 3))
    d = decide(POLICY, h, "p1", "r3", "c", T0 + timedelta(days=6))
    assert d.reason is PolicyReason.PROSPECT_CAP and "cap 2" in d.explanation.summary
    # The first offer leaves the window after 7 days.
    assert decide(POLICY, h, "p1", "r3", "c", T0 + timedelta(days=7)).allowed


def test_referrer_cap() -> None:
    h = _history(*[(f"p{i}", "r1", "a", i * 0.5) for i in range(5)])
    assert decide(POLICY, h, "p9", "r1", "a", T0 + timedelta(days=3)).reason is (
        PolicyReason.REFERRER_CAP
    )
    assert decide(POLICY, h, "p9", "r2", "a", T0 + timedelta(days=3)).allowed


def test_longest_window_covers_every_rule() -> None:
    assert longest_window(POLICY) == timedelta(days=30)


_contacts = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=3, allow_nan=False),  # days since previous candidate
        st.sampled_from(["p1", "p2", "p3"]),
        st.sampled_from(["r1", "r2", "r3", "r4"]),
        st.sampled_from(["loan", "card", "insurance"]),
    ),
    max_size=80,
)
_policies = st.builds(
    ContactPolicy,
    max_offers_per_prospect=st.integers(0, 4),
    prospect_window_days=st.sampled_from([1.0, 7.0, 10.5]),
    product_cooldown_days=st.sampled_from([0.0, 5.0, 30.0]),
    max_asks_per_referrer=st.integers(0, 6),
    referrer_window_days=st.sampled_from([2.0, 7.0]),
)


@settings(max_examples=200, deadline=None)
@given(policy=_policies, stream=_contacts, opted_out=st.sets(st.sampled_from(["p3", "r4"])))
def test_caps_hold_in_every_window(
    policy: ContactPolicy,
    stream: list[tuple[float, str, str, str]],
    opted_out: set[str],
) -> None:
    history = ContactHistory()
    now = T0
    refused = 0
    for gap, prospect, referrer, product in stream:
        now += timedelta(days=gap)
        d = decide(policy, history, prospect, referrer, product, now, opted_out)
        if d.allowed:
            history = history.record(prospect, referrer, product, now)
        else:
            refused += 1
    records = history.records
    pw = timedelta(days=policy.prospect_window_days)
    rw = timedelta(days=policy.referrer_window_days)
    cool = timedelta(days=policy.product_cooldown_days)
    for r in records:
        assert r.prospect_id not in opted_out and r.referrer_id not in opted_out
        # The busiest window of any length ends at a contact, so checking those suffices.
        in_pw = [x for x in records if x.prospect_id == r.prospect_id and r.at - pw < x.at <= r.at]
        in_rw = [x for x in records if x.referrer_id == r.referrer_id and r.at - rw < x.at <= r.at]
        assert len(in_pw) <= policy.max_offers_per_prospect
        assert len(in_rw) <= policy.max_asks_per_referrer
        same = [
            x
            for x in records
            if (x.prospect_id, x.product_id) == (r.prospect_id, r.product_id)
            and x is not r
            and r.at - cool < x.at <= r.at
        ]
        assert not same
    assert len(records) + refused == len(stream)


@settings(max_examples=100, deadline=None)
@given(stream=_contacts)
def test_refusals_name_a_rule_that_really_applies(
    stream: list[tuple[float, str, str, str]],
) -> None:
    """The policy is not simply refusing: every refusal is justified by the history."""
    history = ContactHistory()
    now = T0
    for gap, prospect, referrer, product in stream:
        now += timedelta(days=gap)
        d = decide(POLICY, history, prospect, referrer, product, now)
        recs = history.records
        if d.reason is PolicyReason.PRODUCT_COOLDOWN:
            assert any(
                (x.prospect_id, x.product_id) == (prospect, product)
                and x.at > now - timedelta(days=30)
                for x in recs
            )
        elif d.reason is PolicyReason.PROSPECT_CAP:
            assert (
                sum(x.prospect_id == prospect and x.at > now - timedelta(days=7) for x in recs) >= 2
            )
        elif d.reason is PolicyReason.REFERRER_CAP:
            assert (
                sum(x.referrer_id == referrer and x.at > now - timedelta(days=7) for x in recs) >= 5
            )
        else:
            assert d.allowed
            history = history.record(prospect, referrer, product, now)
