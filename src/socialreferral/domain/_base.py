"""Shared pydantic configuration for domain models."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict


class DomainModel(BaseModel):
    """Base for domain models: immutable, strict about unknown fields, JSON-friendly."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True,
                              defer_build=True)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (naive datetimes are rejected elsewhere)."""
    return datetime.now(UTC)
