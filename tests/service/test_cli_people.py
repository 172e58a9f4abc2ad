"""``socialreferral people``: capture (CSV, JSON lines), fuse, find, show, review,
api-key create/list/revoke, blacklist, b2b and the demo, on a local data directory."""

from __future__ import annotations

import json
from pathlib import Path

from people_helpers import b2b_world
from service_helpers import local_providers
from typer.testing import CliRunner

from socialreferral.cli import app

runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_capture_fuse_find_show_review_and_keys(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_providers(data):
        pass
    csv_file = tmp_path / "profiles.csv"
    csv_file.write_text("id,first_name,last_name,email,city\n"
                        "a1,Ann,Lee,ann.lee@gmail.com,London\n"
                        "b1,Bob,Stone,bob@example.org,Leeds\n")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "a2", "first_name": "Annie", "last_name": "Lee",
                                 "email": "AnnLee@gmail.com", "network": "x",
                                 "handle": "@annlee", "scopes": "public_profile,email"})
                     + "\n")
    d = ("--data-dir", str(data))
    assert "2 profiles read, 2 new" in _invoke("people", "capture", str(csv_file), *d)
    assert "1 profiles read, 1 new" in _invoke("people", "capture", str(jsonl), "--source",
                                               "social", *d)
    assert "0 new or changed" in _invoke("people", "capture", str(csv_file), *d)
    fused = json.loads(_invoke("people", "fuse", "--mode", "full", "--json", *d))
    assert fused["fusion"]["records"] == 3 and fused["fusion"]["people"] == 2
    [ann] = json.loads(_invoke("people", "find", "--email", "ann.lee+x@gmail.com", "--json", *d))
    assert ann["sources"] == ["import", "social"]
    shown = _invoke("people", "show", ann["person_id"], *d)
    assert "golden record" in shown and "sources" in shown and "import:a1" in shown
    detail = json.loads(_invoke("people", "show", ann["person_id"], "--json", *d))
    assert detail["golden"]["fields"]["handle"]["source"] == "social"
    assert "review band" in _invoke("people", "review", "list", *d)
    split = _invoke("people", "review", "split", "import:a1", "social:x:a2", *d)
    assert split.count("->") == 2
    assert len(json.loads(_invoke("people", "find", "--handle", "annlee", "--json", *d))) == 1
    again = json.loads(_invoke("people", "fuse", "--mode", "full", "--json", *d))
    assert again["fusion"]["people"] == 3  # the split sticks
    # API keys: shown once on stdout, listed without the secret, revoked.
    created = runner.invoke(app, ["people", "api-key", "create", "crm-sync", "--scope",
                                  "people:read", *d])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("srk_")
    listing = _invoke("people", "api-key", "list", *d)
    key_id = key.split("_")[1]
    assert key_id in listing and key.split("_", 2)[2] not in listing
    assert "revoked" in _invoke("people", "api-key", "revoke", key_id, *d)
    bad = runner.invoke(app, ["people", "api-key", "create", "x", "--scope", "admin", *d])
    assert bad.exit_code == 2 and "scopes" in bad.output
    bad = runner.invoke(app, ["people", "find", *d])
    assert bad.exit_code == 2
    bad = runner.invoke(app, ["people", "show", "p-nobody", *d])
    assert bad.exit_code == 2 and "no person" in bad.output
    with local_providers(data) as providers:
        entries = providers.repositories.audit.entries()
    assert {e.action for e in entries} >= {"search", "read", "decide"}
    assert all(e.caller_id.startswith("cli:") for e in entries)


def test_b2b_blacklist_and_demo(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_providers(data):
        pass
    directory = tmp_path / "directory.json"
    directory.write_text(json.dumps(b2b_world()))
    companies = tmp_path / "companies.txt"
    companies.write_text("Acme Tools\n")
    d = ("--data-dir", str(data))
    _invoke("people", "blacklist", "add", "emp-s1", "--contact", "x-bridge", "--tie",
            "emp-s1,x-weak", *d)
    shown = json.loads(_invoke("people", "blacklist", "show", "emp-s1", *d))
    assert shown == {"contacts": ["x-bridge"], "ties": [["emp-s1", "x-weak"]]}
    out = json.loads(_invoke("people", "b2b", str(companies), "--directory", str(directory),
                             "--user", "emp-s1", "--json", *d))
    assert out["created"] and not out["existing"]
    for task in out["tasks"]:
        assert "x-bridge" not in task["path"]["people"]
    again = json.loads(_invoke("people", "b2b", str(companies), "--directory",
                               str(directory), "--user", "emp-s1", "--json", *d))
    assert again["created"] == [] and sorted(again["existing"]) == sorted(out["created"])
    human = _invoke("people", "b2b", str(companies), "--directory", str(directory), "--user",
                    "emp-s1", *d)
    assert "ranked contacts" in human and "existed already" in human
    missing = runner.invoke(app, ["people", "b2b", str(companies), "--user", "u", *d])
    assert missing.exit_code == 2 and "directory_file" in missing.output
    demo = json.loads(_invoke("people", "demo", "--json", "--data-dir", str(tmp_path / "demo")))
    assert demo["first_run"]["created"] and demo["second_run"]["created"] == []
    assert sorted(demo["second_run"]["existing"]) == sorted(demo["first_run"]["created"])
    assert all(demo["blacklisted_by_requester"] not in t["path"] for t in demo["tasks"])
    assert demo["ranked"][0]["role"] in ("decision_maker", "buyer")
