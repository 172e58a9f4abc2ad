"""Time helpers for pure domain logic: callers pass ``now``; naive datetimes are refused."""

from __future__ import annotations

from datetime import datetime

from socialreferral.errors import InvalidInput


def require_aware(value: datetime, field: str = "now") -> datetime:
    """Return ``value`` unchanged, or raise ``InvalidInput`` if it has no timezone.

    Comparing naive and aware datetimes raises ``TypeError`` deep inside a rule; failing
    early with the field's name is kinder to the caller.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("datetime must be timezone-aware", field=field)
    return value
