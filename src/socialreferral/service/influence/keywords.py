"""Tracked keywords: the configured ones and those marketers add and remove at run time.

Keywords in ``[influence] keywords`` are configuration: always tracked, not removable
here (change the settings). Marketers add others (REST, CLI), which are stored in the
keyword repository. Removing a keyword stops tracking it; the posts and aggregates it
collected stay readable until erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from socialreferral.errors import InvalidInput, UnknownKeyword
from socialreferral.influence.keywords import MAX_KEYWORDS, TrackedKeyword, TrackingConfig
from socialreferral.influence.settings import InfluenceSettings
from socialreferral.repositories import Repositories

KeywordSource = Literal["settings", "added"]


@dataclass(frozen=True, slots=True)
class KeywordInfo:
    """A tracked keyword and where it comes from (``settings`` ones cannot be removed)."""

    keyword: TrackedKeyword
    source: KeywordSource


class TrackedKeywords:
    """The keywords tracked now: ``[influence] keywords`` plus the stored ones."""

    def __init__(self, repositories: Repositories, settings: InfluenceSettings) -> None:
        self._repositories = repositories
        self._settings = settings

    def all(self) -> list[KeywordInfo]:
        """Configured keywords first (in settings order), then added ones (oldest first)."""
        configured = [KeywordInfo(k, "settings") for k in self._settings.keywords]
        keys = {k.keyword.key for k in configured}
        added = [KeywordInfo(k, "added") for k in self._repositories.influence_keywords.added()
                 if k.key not in keys]
        return configured + added

    def config(self) -> TrackingConfig | None:
        """What a tracker matches against now, or None when nothing is tracked."""
        keywords = tuple(info.keyword for info in self.all())
        return TrackingConfig(keywords=keywords) if keywords else None

    def add(self, keyword: TrackedKeyword, at: datetime) -> bool:
        """Track ``keyword`` (replacing an added one of the same key); True if new.

        ``InvalidInput`` when a configured keyword has the same key (change the settings
        instead) or when :data:`MAX_KEYWORDS` would be exceeded.
        """
        if any(k.key == keyword.key for k in self._settings.keywords):
            raise InvalidInput(f"{keyword.key!r} is configured in the settings; change it "
                               "there", field="term")
        current = self.all()
        if (len(current) >= MAX_KEYWORDS
                and not any(i.keyword.key == keyword.key for i in current)):
            raise InvalidInput(f"at most {MAX_KEYWORDS} keywords are tracked", field="term")
        return self._repositories.influence_keywords.save(keyword, at)

    def remove(self, key: str) -> None:
        """Stop tracking the added keyword ``key`` (its data stays until erased).

        ``InvalidInput`` for a configured keyword, ``UnknownKeyword`` for one not added.
        """
        if any(k.key == key for k in self._settings.keywords):
            raise InvalidInput(f"{key!r} is configured in the settings; remove it there",
                               field="key")
        if not self._repositories.influence_keywords.remove(key):
            raise UnknownKeyword(f"no added keyword {key!r}")


__all__ = ["KeywordInfo", "KeywordSource", "TrackedKeywords"]
