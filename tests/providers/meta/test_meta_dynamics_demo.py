"""``socialreferral demo --fakes --settings examples/meta-dynamics-fakes.toml``: the
referral flow through the Meta Graph channel and the Dynamics 365 CRM against their
loopback fakes (real httpx, Authlib, azure-identity; real batch worker processes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialreferral.bootstrap import build_providers
from socialreferral.demo.runner import run_demo
from socialreferral.settings import load_settings
from socialreferral.testing.vendor_fakes.demo import PAGE_TOKEN_SECRET, meta_dynamics_fakes

pytest.importorskip("azure.identity")
EXAMPLE = Path(__file__).parents[3] / "examples" / "meta-dynamics-fakes.toml"


def test_offers_reach_messenger_and_leads_reach_dataverse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with meta_dynamics_fakes() as fakes:
        for name, value in fakes.env.items():
            monkeypatch.setenv(name, value)  # the batch workers inherit it
        settings = load_settings(EXAMPLE, overrides={"local": {"data_dir": str(tmp_path)}})
        assert (settings.ports.social, settings.ports.crm) == ("meta", "dynamics")
        with build_providers(settings) as providers:
            providers.secrets.set(PAGE_TOKEN_SECRET, fakes.graph.page_token)
            result = run_demo(providers, customers=10, posts=30, seed=3, workers=1,
                              social_seed=fakes)
        totals = {stage.name: stage.count for stage in result.report.funnel.total.stages}
        messages = [d for d in fakes.graph.delivered() if d.kind == "message"]
        assert totals["offers"] > 0 and len(messages) >= totals["offers"]
        leads = fakes.dataverse.rows("leads")
        # Dynamics' duplicate detection links a repeated prospect to the existing lead.
        assert totals["leads"] > 0 and 0 < len(leads) <= totals["leads"]
        assert fakes.dataverse.rows("products")  # the catalog went to Dynamics too


def test_the_cli_option_starts_the_fakes(tmp_path: Path) -> None:
    from socialreferral.cli import app

    result = CliRunner().invoke(app, ["demo", "--fakes", "--settings", str(EXAMPLE),
                                      "--customers", "10", "--posts", "30", "--seed", "3",
                                      "--workers", "1", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["leads"] > 0
