"""Settings: per-port provider choice from TOML + environment, validated with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialreferral.errors import ConfigurationError
from socialreferral.settings import load_settings, settings_from_mapping


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_all_local() -> None:
    settings = load_settings(env={})
    assert dict(settings.ports.items()) == dict.fromkeys(
        ("queue", "store", "secrets", "batch", "crm", "social"), "local"
    )


def test_file_chooses_a_provider_per_port_and_keeps_provider_tables(tmp_path: Path) -> None:
    path = write(tmp_path, '[ports]\nqueue = "aws"\n\n[aws]\nregion = "eu-west-1"\n')
    settings = load_settings(path, env={})
    assert settings.ports.queue == "aws"
    assert settings.ports.store == "local"
    assert settings.providers["aws"] == {"region": "eu-west-1"}


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[ports]\nqueue = "aws"\n')
    env = {"SOCIALREFERRAL__PORTS__QUEUE": "azure", "SOCIALREFERRAL__LOCAL__DATA_DIR": "/x"}
    settings = load_settings(path, env=env)
    assert settings.ports.queue == "azure"
    assert settings.providers["local"] == {"data_dir": "/x"}


def test_settings_file_from_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, 'namespace = "acme-bank"\n')
    assert load_settings(env={"SOCIALREFERRAL_SETTINGS": str(path)}).namespace == "acme-bank"


def test_unknown_port_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[ports]\nqueeu = "aws"\n')
    with pytest.raises(ConfigurationError, match=r"ports\.queeu"):
        load_settings(path, env={})


def test_invalid_value_names_the_field_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[scaling]\nmax_nodes = 0\n")
    with pytest.raises(ConfigurationError) as info:
        load_settings(path, env={})
    assert "scaling.max_nodes" in str(info.value)
    assert str(path) in str(info.value)


def test_broken_toml_is_a_configuration_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[ports\nqueue=")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_settings(path, env={})


def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_scaling_policy_bounds_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="min_nodes"):
        settings_from_mapping({"scaling": {"min_nodes": 6, "max_nodes": 5}})


def test_environment_refines_a_serialised_provider_table() -> None:
    """A worker gets settings as JSON (provider tables under "providers") and adds secrets
    from its environment: both must merge, not replace each other."""
    dumped = settings_from_mapping({"local": {"data_dir": "/data", "workers": 3}}).model_dump(
        mode="json"
    )
    env = {"SOCIALREFERRAL__LOCAL__SECRET_KEY": "k"}
    merged = settings_from_mapping(dumped, env=env)
    assert merged.providers["local"] == {"data_dir": "/data", "workers": 3, "secret_key": "k"}


def test_overrides_sit_between_the_file_and_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[local]\ndata_dir = "/from-file"\nworkers = 4\nsecret_key = "k1"\n')
    settings = load_settings(
        path,
        env={"SOCIALREFERRAL__LOCAL__WORKERS": "6"},
        overrides={"local": {"data_dir": "/from-payload", "workers": 5}},
    )
    assert settings.providers["local"] == {
        "data_dir": "/from-payload",
        "workers": "6",
        "secret_key": "k1",
    }
    assert settings.source_file == path.resolve()
    assert "source_file" not in settings.model_dump()


def test_the_care_section_is_typed_and_validated(tmp_path: Path) -> None:
    from datetime import timedelta

    file = tmp_path / "s.toml"
    file.write_text(
        '[care]\npages = ["1000"]\nbrand_ids = ["@AcmeCare"]\n'
        '[care.sla]\nfirst_response = "PT45M"\nby_function = { warranty = 7200 }\n'
        '[[care.agents]]\nagent_id = "ann"\nfunctions = ["warranty", "undecided"]\ncap = 3\n'
        '[care.categorizer]\nevery_hours = 12\nstop_words = ["car", "truck"]\n')
    care = load_settings(file, env={}).care
    assert care.pages == frozenset({"1000"})
    assert care.brand_ids == frozenset({"acmecare", "1000"})  # a page is a brand account
    assert care.sla.first_response == timedelta(minutes=45)
    assert care.sla.by_function == {"warranty": timedelta(hours=2)}
    assert care.agents[0].cap == 3 and care.categorizer.every_hours == 12
    for bad, field in (
        ({"agents": [{"agent_id": "a", "functions": ["nope"]}]}, "care"),
        ({"sla": {"first_response": -5}}, "care.sla.first_response"),
        ({"active_profile": "nope"}, "care"),
        ({"categorizer": {"every_hours": 0}}, "care.categorizer.every_hours"),
        ({"agents": [{"agent_id": "a", "functions": ["*"]}] * 2}, "care"),
    ):
        with pytest.raises(ConfigurationError) as caught:
            settings_from_mapping({"care": bad}, source="s.toml")
        assert f"s.toml: {field}" in str(caught.value), str(caught.value)
