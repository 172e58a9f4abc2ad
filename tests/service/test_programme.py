"""The programme report: breakdowns by product, channel and week, rewards by status,
and the CSV export (service.programme).

Backend: local provider; records are written through the repositories with chosen
products, networks and times, so every expected figure is known.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from socialreferral.bootstrap import Providers
from socialreferral.domain.referrals import Offer, Referral, Reward, RewardStatus
from socialreferral.repositories import ProcessedEvent, ReferralLead, Repositories
from socialreferral.service.programme import build_programme, iso_week, programme_csv
from socialreferral.service.reports import build_report

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # ISO week 2026-W10


def seed(repos: Repositories) -> None:
    """Two networks, two products, two weeks:

    * facebook, loan, W10: 3 events (2 matched), 2 offers, 2 referrals, 2 leads (1 new),
      rewards 10.00 approved + 5.00 pending;
    * "+x" (a network name a spreadsheet would run as a formula), card, W11: 1 event,
      1 offer, 1 referral, no lead.
    """
    events = [ProcessedEvent(f"e{i}", "facebook", f"a{i}", i < 2, "loan" if i < 2 else None,
                             "positive", 0.5, MONDAY.timestamp(), MONDAY.timestamp())
              for i in range(3)]
    events.append(ProcessedEvent("e9", "+x", "a9", True, "card", "neutral", 0.2,
                                 (MONDAY + timedelta(days=7)).timestamp(),
                                 (MONDAY + timedelta(days=7)).timestamp()))
    repos.events.record_processed(events)
    for n, (product, network, at) in enumerate([
            ("loan", "facebook", MONDAY), ("loan", "facebook", MONDAY),
            ("card", "+x", MONDAY + timedelta(days=7))]):
        offer = Offer(offer_id=f"o{n}", event_id=f"e{n}", product_id=product,
                      prospect_id=f"p{n}", referrer_id="c1", created_at=at)
        repos.referrals.create_offer(offer, network=network, accepted_at=at.timestamp(),
                                     stored_at=at.timestamp(), referrer_person_id=None)
        repos.referrals.create_referral(Referral(
            referral_id=f"r{n}", offer_id=f"o{n}", referrer_id="c1", prospect_id=f"p{n}",
            product_id=product, created_at=at, link_expires_at=at + timedelta(days=3)))
    for n, created in ((0, True), (1, False)):
        repos.referrals.record_lead(ReferralLead(f"r{n}", f"l{n}", "c1", "loan", created,
                                                 MONDAY + timedelta(hours=1)))
    for n, (amount, status) in enumerate([("10.00", RewardStatus.APPROVED),
                                          ("5.00", RewardStatus.PENDING_REVIEW)]):
        repos.referrals.create_reward(Reward(
            reward_id=f"w{n}", referral_id=f"r{n}", referrer_id="c1", lead_id=f"l{n}",
            amount=Decimal(amount), currency="EUR", status=status),
            product_id="loan", at=MONDAY + timedelta(hours=2))


def test_breakdowns_count_each_record_where_it_belongs(providers: Providers) -> None:
    repos = providers.repositories
    seed(repos)
    report = build_programme(repos, currency="EUR")
    product = {s.key: s for s in report.by_product}
    channel = {s.key: s for s in report.by_channel}
    week = {s.key: s for s in report.by_week}
    loan = product["loan"]
    assert (loan.matched, loan.offers, loan.referrals, loan.leads, loan.new_customers,
            loan.rewards, loan.rewards_amount) == (2, 2, 2, 2, 1, 2, "10.00")
    assert loan.lead_rate == 1.0
    assert (product["card"].offers, product["card"].leads, product["card"].lead_rate) == (
        1, 0, 0.0)
    assert (channel["facebook"].events, channel["facebook"].matched,
            channel["facebook"].leads) == (3, 2, 2)
    assert (channel["+x"].events, channel["+x"].referrals) == (1, 1)
    assert list(week) == ["2026-W10", "2026-W11"]  # chronological
    assert (week["2026-W10"].events, week["2026-W10"].rewards,
            week["2026-W10"].rewards_amount) == (3, 2, "10.00")
    assert week["2026-W11"].offers == 1
    by_status = {t.status: (t.count, t.amount) for t in report.rewards_by_status}
    assert by_status == {"pending_review": (1, "5.00"), "approved": (1, "10.00"),
                         "paid": (0, "0.00"), "rejected": (0, "0.00")}


def test_the_funnel_is_the_same_as_the_cli_report(providers: Providers) -> None:
    repos = providers.repositories
    seed(repos)
    report = build_programme(repos, currency="EUR")
    cli = build_report(repos, currency="EUR")
    assert report.funnel == cli.funnel
    assert (report.new_customers, report.rewards_amount) == (cli.new_customers,
                                                             cli.rewards_amount)
    # The slices add up to the totals.
    totals = {s.name: s.count for s in report.funnel.total.stages}
    for slices in (report.by_product, report.by_channel, report.by_week):
        for metric in ("offers", "referrals", "leads", "rewards"):
            assert sum(getattr(s, metric) for s in slices) == totals[metric], metric
    assert sum(s.events for s in report.by_channel) == totals["events"]


def test_csv_is_long_form_and_defuses_formulas(providers: Providers) -> None:
    seed(providers.repositories)
    text = programme_csv(build_programme(providers.repositories, currency="EUR"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["dimension", "key", "metric", "value"]
    assert all(len(row) == 4 for row in rows)
    facts = {(d, k, m): v for d, k, m, v in rows[1:]}
    assert facts[("funnel", "total", "leads")] == "2"
    assert facts[("product", "loan", "rewards_amount")] == "10.00"
    assert facts[("reward_status", "approved", "amount_EUR")] == "10.00"
    # A key starting with "+" would run as a formula in a spreadsheet.
    assert ("channel", "'+x", "offers") in facts
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_an_empty_store_gives_an_empty_report(providers: Providers) -> None:
    report = build_programme(providers.repositories)
    assert report.by_product == report.by_channel == report.by_week == ()
    assert all(s.count == 0 for s in report.funnel.total.stages)
    assert iso_week(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-W01"
