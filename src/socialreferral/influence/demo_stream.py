"""A deterministic demo stream: airline chatter, noise, and planted spikes with ground truth.

Used by the demo, the benchmarks and the documentation figures; nothing here is real.

* **Authors** have Kaggle-like public metrics (followers log-normal around the PeerIndex
  users' median of ~44k with their spread, lists ~2% of followers, posts/day around 3.5),
  account ages, and profile locations: a mix of places people write in many ways ("NYC",
  "Austin TX", "🇧🇷"), junk ("somewhere over the rainbow", "she/her") and nothing.
* **Traffic** per keyword follows an hour-of-day profile (quiet at night, evening peak), a
  day-of-week profile, a slow upward trend and over-dispersed noise; ~20% of posts are noise
  that matches no keyword, some of it on purpose close ("United we stand", "delta variant").
* **Planted spikes** start after a warm-up week: ``volume`` (a campaign: more posts, mood
  unchanged or better), ``crisis`` (the United Airlines case: many more posts, mostly
  negative, a few loud authors and one viral post) and ``negativity`` (the mood sours at
  roughly normal volume). :attr:`DemoStream.spikes` is the ground truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.influence import _demo_text as txt
from socialreferral.influence.keywords import TrackedKeyword, TrackingConfig
from socialreferral.influence.records import AuthorMetrics, IncomingPost, SentimentLabel

SpikeKind = Literal["volume", "crisis", "negativity"]
_HOUR_PROFILE = np.array(
    [
        0.35,
        0.25,
        0.2,
        0.18,
        0.2,
        0.3,
        0.55,
        0.85,
        1.05,
        1.1,
        1.1,
        1.15,
        1.2,
        1.15,
        1.1,
        1.1,
        1.15,
        1.25,
        1.4,
        1.55,
        1.6,
        1.45,
        1.1,
        0.7,
    ]
)
_DOW_PROFILE = np.array([1.0, 0.95, 0.95, 1.0, 1.15, 0.8, 0.85])  # Monday first
_MOOD = np.array([0.2, 0.45, 0.35])  # negative, neutral, positive at normal times


class PlantedSpike(DomainModel):
    """Ground truth of one planted anomaly."""

    keyword: str
    kind: SpikeKind
    start: datetime
    hours: int = Field(ge=1, le=48)
    volume_factor: float = Field(gt=0.0)
    negative_share: float | None = None
    drivers: tuple[str, ...] = ()

    @property
    def end(self) -> datetime:
        """First instant after the spike."""
        return self.start + timedelta(hours=self.hours)


class DemoConfig(DomainModel):
    """Size and shape of a demo stream."""

    seed: int = 0
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
    days: int = Field(default=35, ge=1, le=366)
    posts: int = Field(default=100_000, ge=100, le=5_000_000)
    authors: int = Field(default=20_000, ge=10, le=2_000_000)
    noise_share: float = Field(default=0.2, ge=0.0, lt=1.0)
    warmup_days: int = Field(default=8, ge=0)
    spikes_per_week: float = Field(default=1.0, ge=0.0, le=7.0)
    located_share: float = Field(default=0.8, ge=0.0, le=1.0)
    resolvable_share: float = Field(default=0.7, ge=0.0, le=1.0)
    #: Start a crisis on the brand ("unitedairlines") this many hours into the stream, on
    #: top of the random spikes (which keep their draws): the demo's guaranteed spike.
    crisis_at_hour: int | None = Field(default=None, ge=0, le=366 * 24)
    crisis_hours: int = Field(default=3, ge=1, le=48)


def demo_tracking() -> TrackingConfig:
    """The keywords the demo stream talks about: a brand and two competitors."""
    return TrackingConfig(
        keywords=(
            TrackedKeyword(term="United Airlines", aliases=("@united", "#UnitedAirlines")),
            TrackedKeyword(
                term="Delta",
                kind="competitor",
                aliases=("@Delta", "#DeltaAirlines"),
                exclude=("delta variant",),
            ),
            TrackedKeyword(
                term="American Airlines",
                kind="competitor",
                aliases=("@AmericanAir", "#AmericanAirlines"),
            ),
        )
    )


_SHARES = {"unitedairlines": 0.45, "delta": 0.33, "americanairlines": 0.22}


@dataclass(frozen=True, slots=True)
class DemoAuthor:
    """A synthetic account; ``location_truth`` is (country, place) or None if junk/empty."""

    author_id: str
    handle: str
    name: str
    location: str
    location_truth: tuple[str, str] | None
    followers: int
    following: int
    listed: int
    posts_per_day: float
    age_days: float
    activity: float

    def metrics_at(self, days_in: float) -> AuthorMetrics:
        """The account's public counters ``days_in`` days into the stream."""
        age = self.age_days + days_in
        return AuthorMetrics(
            followers=self.followers,
            following=self.following,
            listed=self.listed,
            statuses=int(self.posts_per_day * age),
            account_age_days=round(age, 2),
        )


@dataclass(frozen=True, slots=True)
class DemoPost:
    """A generated post with its ground truth (``keyword`` None for noise)."""

    post: IncomingPost
    keyword: str | None
    sentiment: SentimentLabel
    spike: int | None


class DemoStream:
    """Generates :class:`DemoPost` s in time order; see the module docstring."""

    def __init__(self, config: DemoConfig | None = None) -> None:
        self.config = config or DemoConfig()
        self.tracking = demo_tracking()
        self._rng = np.random.default_rng(self.config.seed)
        self.authors = self._make_authors()
        weights = np.array([a.activity for a in self.authors])
        self._cdf = np.cumsum(weights / weights.sum())
        self.spikes = self._plant_spikes()

    # ------------------------------------------------------------------ authors
    def _make_authors(self) -> list[DemoAuthor]:
        rng, cfg = self._rng, self.config
        n = cfg.authors
        followers = np.clip(rng.lognormal(np.log(44_000), 2.8, n), 3, 9e7).astype(int)
        listed = (followers * 0.02 * rng.lognormal(0.0, 1.0, n)).astype(int)
        ppd = np.clip(rng.lognormal(np.log(3.5), 1.1, n), 0.05, 300)
        out: list[DemoAuthor] = []
        for i in range(n):
            first = txt.FIRST_NAMES[int(rng.integers(len(txt.FIRST_NAMES)))]
            last = txt.LAST_NAMES[int(rng.integers(len(txt.LAST_NAMES)))]
            location, truth = self._location()
            out.append(
                DemoAuthor(
                    author_id=f"u{i:07d}",
                    handle=f"{first.lower()}_{last.lower()}{i}",
                    name=f"{first} {last}",
                    location=location,
                    location_truth=truth,
                    followers=int(followers[i]),
                    following=int(rng.lognormal(np.log(770), 1.5)),
                    listed=int(listed[i]),
                    posts_per_day=float(ppd[i]),
                    age_days=float(rng.uniform(60, 4_000)),
                    # Busier accounts post more, but far from proportionally.
                    activity=float(ppd[i] ** 0.5 * rng.lognormal(0.0, 0.8)),
                )
            )
        return out

    def _location(self) -> tuple[str, tuple[str, str] | None]:
        rng, cfg = self._rng, self.config
        if rng.random() >= cfg.located_share:
            return "", None
        if rng.random() < cfg.resolvable_share:
            text, country, place = txt.RESOLVABLE_LOCATIONS[
                int(rng.integers(len(txt.RESOLVABLE_LOCATIONS)))
            ]
            return text, (country, place)
        return txt.UNRESOLVABLE_LOCATIONS[int(rng.integers(len(txt.UNRESOLVABLE_LOCATIONS)))], None

    # ------------------------------------------------------------------ spikes
    def _plant_spikes(self) -> list[PlantedSpike]:
        rng, cfg = self._rng, self.config
        hours = cfg.days * 24
        first = cfg.warmup_days * 24
        out: list[PlantedSpike] = []
        for kw in _SHARES:
            count = rng.poisson(cfg.spikes_per_week * max(cfg.days - cfg.warmup_days, 0) / 7)
            taken: list[int] = []
            for _ in range(int(count)):
                for _try in range(50):
                    h = int(rng.integers(first, max(first + 1, hours - 8)))
                    if all(abs(h - t) >= 48 for t in taken):
                        break
                else:
                    continue
                taken.append(h)
                kind: SpikeKind = ("volume", "crisis", "negativity")[
                    int(rng.choice(3, p=[0.4, 0.4, 0.2]))
                ]
                factor = {
                    "volume": rng.uniform(3.0, 6.0),
                    "crisis": rng.uniform(3.0, 8.0),
                    "negativity": rng.uniform(1.0, 1.4),
                }[kind]
                neg = {"volume": None, "crisis": rng.uniform(0.65, 0.85)}.get(
                    kind, rng.uniform(0.55, 0.7)
                )
                drivers = tuple(
                    self.authors[int(i)].author_id
                    for i in rng.choice(len(self.authors), 3, replace=False)
                )
                out.append(
                    PlantedSpike(
                        keyword=kw,
                        kind=kind,
                        start=cfg.start + timedelta(hours=h),
                        hours=int(rng.integers(2, 7)),
                        volume_factor=round(float(factor), 2),
                        negative_share=None if neg is None else round(float(neg), 2),
                        drivers=drivers if kind == "crisis" else (),
                    )
                )
        if cfg.crisis_at_hour is not None:
            out = [s for s in out if s.keyword != "unitedairlines"
                   or abs((s.start - cfg.start).total_seconds() / 3600 - cfg.crisis_at_hour)
                   >= 48]
            out.append(self._planted_crisis(cfg.crisis_at_hour))
        return sorted(out, key=lambda s: (s.start, s.keyword))

    def _planted_crisis(self, hour: int) -> PlantedSpike:
        # Its own generator: asking for the crisis changes none of the random draws.
        rng = np.random.default_rng(self.config.seed * 104_729 + 7)
        drivers = tuple(self.authors[int(i)].author_id
                        for i in rng.choice(len(self.authors), 3, replace=False))
        return PlantedSpike(keyword="unitedairlines", kind="crisis",
                            start=self.config.start + timedelta(hours=hour),
                            hours=self.config.crisis_hours, volume_factor=6.0,
                            negative_share=0.75, drivers=drivers)

    # ------------------------------------------------------------------ traffic
    def expected_rate(self, keyword: str, hour: int) -> float:
        """Expected posts in stream hour ``hour`` on ``keyword`` without spikes."""
        cfg = self.config
        total_hours = cfg.days * 24
        norm = float(_HOUR_PROFILE.mean() * _DOW_PROFILE.mean())
        base = cfg.posts * (1 - cfg.noise_share) * _SHARES[keyword] / total_hours / norm
        when = cfg.start + timedelta(hours=hour)
        trend = 0.85 + 0.3 * hour / max(total_hours, 1)
        return float(base * trend * _HOUR_PROFILE[when.hour] * _DOW_PROFILE[when.weekday()])

    def __iter__(self) -> Iterator[DemoPost]:
        return self.generate()

    def generate(self) -> Iterator[DemoPost]:
        """All posts of the stream in time order (deterministic for a seed)."""
        cfg, rng = self.config, np.random.default_rng(_traffic_seed(self.config.seed))
        counter = 0
        day_noise = rng.lognormal(0.0, 0.12, (cfg.days + 1, len(_SHARES)))
        metrics: dict[int, AuthorMetrics] = {}
        for hour in range(cfg.days * 24):
            if hour % 24 == 0:
                metrics.clear()  # counters move daily; within a day, reuse
            when = cfg.start + timedelta(hours=hour)
            batch: list[tuple[float, str | None, int | None]] = []
            for k, kw in enumerate(_SHARES):
                lam = self.expected_rate(kw, hour) * day_noise[hour // 24, k]
                lam *= rng.gamma(20.0, 1 / 20.0)  # over-dispersion beyond Poisson
                spike = self._spike_at(kw, when)
                if spike is not None:
                    lam *= self.spikes[spike].volume_factor
                n = int(rng.poisson(lam))
                batch.extend((off, kw, spike) for off in rng.uniform(0, 3600, n).tolist())
            noise_rate = sum(self.expected_rate(kw, hour) for kw in _SHARES)
            noise_rate *= cfg.noise_share / (1 - cfg.noise_share)
            n_noise = int(rng.poisson(noise_rate))
            batch.extend((off, None, None) for off in rng.uniform(0, 3600, n_noise).tolist())
            batch.sort(key=lambda b: b[0])
            # Random numbers for the whole hour at once: a call per number is the slow part.
            uniforms = rng.random((len(batch), 10)).tolist()
            noise = rng.standard_normal(len(batch)).tolist()
            drafts = [
                self._draft(u, z, topic, spike)
                for (_, topic, spike), u, z in zip(batch, uniforms, noise, strict=True)
            ]
            rates = np.array([d[2] for d in drafts], dtype=np.float64)
            retweets = rng.poisson(np.minimum(rates, 1e6)).tolist()
            likes = rng.poisson(np.minimum(rates * 3.0 + 0.5, 3e6)).tolist()
            for (offset, topic, spike), (author, label, _, text), rt, lk in zip(
                batch, drafts, retweets, likes, strict=True
            ):
                counter += 1
                idx = int(author.author_id[1:])
                if idx not in metrics:
                    metrics[idx] = author.metrics_at(hour / 24)
                post = IncomingPost(
                    post_id=f"p{counter:08d}",
                    author_id=author.author_id,
                    author_handle=author.handle,
                    author_name=author.name,
                    author_location=author.location,
                    metrics=metrics[idx],
                    text=text,
                    created_at=when + timedelta(seconds=offset),
                    retweets=min(int(rt), 10**7),
                    likes=min(int(lk), 10**7),
                )
                yield DemoPost(post, topic, label, spike)

    def _spike_at(self, keyword: str, when: datetime) -> int | None:
        for i, s in enumerate(self.spikes):
            if s.keyword == keyword and s.start <= when < s.end:
                return i
        return None

    def _draft(
        self, u: list[float], z: float, keyword: str | None, spike: int | None
    ) -> tuple[DemoAuthor, SentimentLabel, float, str]:
        # Author, ground-truth sentiment, retweet rate and text of one post from ten
        # uniforms (u) and one standard normal (z).
        planted = self.spikes[spike] if spike is not None else None
        pick = int(np.searchsorted(self._cdf, u[0], side="right"))
        author = self.authors[min(pick, len(self.authors) - 1)]
        if planted is not None and planted.drivers and u[1] < 0.15:
            author = self.authors[int(planted.drivers[int(u[2] * 3)][1:])]
        neg, neu = float(_MOOD[0]), float(_MOOD[1])
        if planted is not None and planted.negative_share is not None:
            neg = planted.negative_share
            neu = (1 - neg) * 0.6
        elif planted is not None:  # a campaign: more positive than usual
            neg, neu = 0.1, 0.4
        label: SentimentLabel = (
            "negative" if u[3] < neg else "neutral" if u[3] < neg + neu else "positive"
        )
        text = self._text(u[4:], keyword, label, planted)
        rate = 0.0005 * author.followers**0.85 * float(np.exp(z))
        if planted is not None and planted.kind == "crisis" and u[1] > 0.99:
            rate *= 200  # the viral post
        return author, label, rate, text

    def _text(
        self,
        u: list[float],
        keyword: str | None,
        label: SentimentLabel,
        planted: PlantedSpike | None,
    ) -> str:
        def pick(options: tuple[str, ...] | list[str], r: float) -> str:
            return options[int(r * len(options))]

        if keyword is None:
            template = pick(txt.NOISE, u[0])
            surface = ""
        else:
            surface = pick(txt.KEYWORD_SURFACES[keyword], u[1])
            if planted is not None and planted.kind == "crisis" and label == "negative":
                template = pick(txt.CRISIS if u[5] < 0.6 else txt.NEGATIVE, u[0])
            elif planted is not None and planted.kind == "volume" and u[5] < 0.5:
                template = pick(txt.CAMPAIGN, u[0])
            else:
                table = {"negative": txt.NEGATIVE, "neutral": txt.NEUTRAL, "positive": txt.POSITIVE}
                template = pick(table[label], u[0])
        return template.format(
            kw=surface,
            thing=pick(txt.THINGS, u[2]),
            pos=pick(txt.POSITIVE_ADJ, u[3]),
            neg=pick(txt.NEGATIVE_ADJ, u[4]),
            city=pick(txt.CITIES, (u[2] * 7.3) % 1.0),
        )


def _traffic_seed(seed: int) -> int:
    """The traffic generator's seed, distinct from the authors' and spikes' generator."""
    return seed * 7919 + 17


__all__ = [
    "DemoAuthor",
    "DemoConfig",
    "DemoPost",
    "DemoStream",
    "PlantedSpike",
    "SpikeKind",
    "demo_tracking",
]
