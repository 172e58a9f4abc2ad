"""The ``[influence]`` settings section: typed, validated, light to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from socialreferral.errors import ConfigurationError
from socialreferral.settings import settings_from_mapping


def test_keywords_scoring_and_spikes_are_validated() -> None:
    settings = settings_from_mapping({"influence": {
        "keywords": [{"term": "United Airlines", "aliases": ["@united", "#UnitedAirlines"]},
                     {"term": "Delta", "kind": "competitor", "exclude": ["delta variant"]}],
        "hour_shards": 8, "spikes": {"volume_ratio": 3.0, "baseline": {"history_days": 14}},
        "scoring": {"recency_half_life_hours": 24}}})
    influence = settings.influence
    assert [k.key for k in influence.keywords] == ["unitedairlines", "delta"]
    assert influence.spikes.volume_ratio == 3.0 and influence.spikes.baseline.history_days == 14
    assert influence.scoring.recency_half_life_hours == 24 and influence.hour_shards == 8
    assert settings_from_mapping({}).influence.keywords == ()


@pytest.mark.parametrize("table, where", [
    ({"keywords": [{"term": "Acme"}, {"term": "#acme"}]}, "influence"),
    ({"keywords": [{"term": "!!!"}]}, "influence.keywords.0.term"),
    ({"keywords": [{"term": "Acme", "kind": "villain"}]}, "influence.keywords.0.kind"),
    ({"hour_shards": 0}, "influence.hour_shards"),
    ({"ledger_hours": 0.5}, "influence.ledger_hours"),
    ({"spikes": {"volume_ratio": 0.5}}, "influence.spikes.volume_ratio"),
    ({"typo": 1}, "influence.typo"),
])
def test_bad_tables_name_the_field(table: dict[str, object], where: str) -> None:
    with pytest.raises(ConfigurationError, match=where.replace(".", r"\.")):
        settings_from_mapping({"influence": table})


def test_reading_settings_loads_no_numerical_module() -> None:
    code = ("import sys, socialreferral.settings, socialreferral.repositories; "
            "print(sorted({'numpy', 'scipy', 'sklearn'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
