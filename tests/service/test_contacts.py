"""The contact policy over the store: caps hold for any event stream and across processes."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import NOW

from socialreferral.domain.policy import ContactPolicy
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.repositories import ContactRepository

POLICY = ContactPolicy(max_offers_per_prospect=2, prospect_window_days=7,
                       product_cooldown_days=3, max_asks_per_referrer=3,
                       referrer_window_days=7)
SRC = Path(__file__).resolve().parents[2] / "src"

contact = st.tuples(
    st.sampled_from(["p1", "p2", "p3"]),
    st.sampled_from(["r1", "r2"]),
    st.sampled_from(["loan", "card", "cover"]),
    st.floats(min_value=0, max_value=2.0),  # hours after the previous request
)


def _within(times: list[float], window_hours: float) -> int:
    times = sorted(times)
    return max((sum(1 for u in times if t <= u < t + window_hours) for t in times), default=0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(contact, min_size=1, max_size=25), st.booleans())
def test_caps_hold_for_any_stream(stream: list[tuple[str, str, str, float]],
                                  redeliver: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalDocumentStore(Path(tmp) / "store.sqlite3")
        contacts = ContactRepository(store)
        contacts.opt_out("p3", NOW)
        at = NOW
        allowed: list[tuple[str, str, str, float]] = []
        for n, (prospect, referrer, product, gap) in enumerate(stream):
            at += timedelta(hours=gap)
            offer_id = f"off-{n}"
            for _ in range(2 if redeliver else 1):  # a redelivery must not count twice
                decision = contacts.reserve(POLICY, offer_id=offer_id, prospect_id=prospect,
                                            referrer_id=referrer, product_id=product, now=at)
            if decision.allowed:
                hours = (at - NOW).total_seconds() / 3600
                allowed.append((prospect, referrer, product, hours))
        store.close()
    assert all(p != "p3" for p, _, _, _ in allowed)
    for who in ("p1", "p2"):
        times = [h for p, _, _, h in allowed if p == who]
        assert _within(times, 7 * 24) <= POLICY.max_offers_per_prospect
        for product in ("loan", "card", "cover"):
            same = [h for p, _, q, h in allowed if p == who and q == product]
            assert _within(same, 3 * 24) <= 1
    for who in ("r1", "r2"):
        assert _within([h for _, r, _, h in allowed if r == who], 7 * 24) <= 3


_RACER = """
import sys
from datetime import datetime, timezone
from socialreferral.domain.policy import ContactPolicy
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.repositories import ContactRepository
store = LocalDocumentStore(sys.argv[1])
contacts = ContactRepository(store)
policy = ContactPolicy(max_offers_per_prospect=3, product_cooldown_days=0,
                       max_asks_per_referrer=5)
now = datetime(2026, 3, 2, tzinfo=timezone.utc)
won = 0
for n in range(40):
    d = contacts.reserve(policy, offer_id=f"{sys.argv[2]}-{n}", prospect_id=f"p{n % 2}",
                         referrer_id=f"r{n % 3}", product_id=f"x{n}", now=now)
    won += d.allowed
print(won)
"""


def test_caps_hold_across_two_processes(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    LocalDocumentStore(db).close()
    env = {"PYTHONPATH": str(SRC)}
    racers = [subprocess.Popen([sys.executable, "-c", _RACER, str(db), name],
                               stdout=subprocess.PIPE, text=True, env=env)
              for name in ("a", "b")]
    wins = [int(r.communicate(timeout=60)[0].strip()) for r in racers]
    # Two prospects x 3 offers each; each of the 3 referrers may be asked at most 5 times.
    assert sum(wins) == 6
    store = LocalDocumentStore(db)
    for prospect in ("p0", "p1"):
        assert len(store.get("contacts", f"prospect:{prospect}").value["records"]) == 3
    total_asks = sum(len(store.get("contacts", f"referrer:r{i}").value["records"])
                     for i in range(3) if store.find("contacts", f"referrer:r{i}"))
    assert total_asks == 6
    store.close()
