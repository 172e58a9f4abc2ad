"""Catalog classifiers kept on disk between worker processes (issue 14: worker cold start).

Backend: a temporary folder on the local file system (runtime.classifier_files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialreferral.domain.crm import Product
from socialreferral.runtime.classifier_files import (
    ClassifierFiles,
    classifier_files_for,
    default_classifier_dir,
)
from socialreferral.text.activity import AnalyzerSettings
from socialreferral.text.catalog_analyzer import CatalogClassifiers, catalog_key, classifier_name
from socialreferral.text.intent import IntentClassifier

CATALOG = [
    Product(product_id="home-loan", name="Home Loan", seed_phrases=("house loan", "mortgage")),
    Product(product_id="car-loan", name="Car Loan", seed_phrases=("vehicle loan", "auto loan")),
    Product(product_id="credit-card", name="Credit Card", seed_phrases=("credit cards",)),
]
POSTS = ["can anyone suggest a good car loan", "thinking about a mortgage", "pizza tonight"]


def _no_fit(*args: Any, **kwargs: Any) -> IntentClassifier:
    raise AssertionError("the classifier was fitted although a kept one exists")


def test_a_new_process_loads_the_kept_classifier_instead_of_fitting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = ClassifierFiles(tmp_path / "kept")
    built = CatalogClassifiers(cache=files).get(CATALOG)
    assert built is not None
    [kept] = list((tmp_path / "kept").glob("*.npz"))
    assert kept.stem == classifier_name(catalog_key(CATALOG), "tfidf", None)

    monkeypatch.setattr(IntentClassifier, "from_catalog", classmethod(_no_fit))
    loaded = CatalogClassifiers(cache=files).get(CATALOG)  # a fresh cache: a new worker
    assert loaded is not None
    assert loaded.predict(POSTS) == built.predict(POSTS)


def test_a_changed_catalog_is_fitted_and_kept_beside_the_old_one(tmp_path: Path) -> None:
    files = ClassifierFiles(tmp_path)
    CatalogClassifiers(cache=files).get(CATALOG)
    changed = [*CATALOG[:2], CATALOG[2].model_copy(update={"seed_phrases": ("store card",)})]
    CatalogClassifiers(cache=files).get(changed)
    assert len(list(tmp_path.glob("*.npz"))) == 2
    assert classifier_name(catalog_key(CATALOG), "tfidf", None) != classifier_name(
        catalog_key(changed), "tfidf", None
    )
    assert classifier_name(catalog_key(CATALOG), "tfidf", None) != classifier_name(
        catalog_key(CATALOG), "hybrid", None
    )


def test_an_unreadable_kept_file_is_rebuilt_and_replaced(tmp_path: Path) -> None:
    files = ClassifierFiles(tmp_path)
    name = classifier_name(catalog_key(CATALOG), "tfidf", None)
    (tmp_path / f"{name}.npz").write_bytes(b"PK\x03\x04 truncated by a crash")
    classifier = CatalogClassifiers(cache=files).get(CATALOG)
    assert classifier is not None and classifier.predict(POSTS)[0] == "car-loan"
    assert IntentClassifier.load(tmp_path / f"{name}.npz").predict(POSTS) == classifier.predict(
        POSTS
    )


def test_names_are_digests_only(tmp_path: Path) -> None:
    files = ClassifierFiles(tmp_path)
    for bad in ("../escape", "x" * 64, "A" * 64, ""):
        with pytest.raises(ValueError):
            files.read(bad)
    assert files.read("0" * 64) is None


def test_a_folder_that_cannot_be_written_costs_only_the_next_start(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    files = ClassifierFiles(blocker / "kept")
    files.write("0" * 64, b"data")  # no error: the classifier is still used in memory
    assert files.read("0" * 64) is None
    assert CatalogClassifiers(cache=files).get(CATALOG) is not None


def test_settings_choose_the_folder_or_none(tmp_path: Path) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    default = classifier_files_for(AnalyzerSettings(), environ)
    assert default is not None
    assert default.folder == tmp_path / "socialreferral" / "classifiers"
    assert default_classifier_dir({}).parts[-3:] == (".cache", "socialreferral", "classifiers")
    chosen = classifier_files_for(AnalyzerSettings(classifier_dir=tmp_path / "x"), environ)
    assert chosen is not None and chosen.folder == tmp_path / "x"
    assert classifier_files_for(AnalyzerSettings(keep_classifiers=False), environ) is None
    assert classifier_files_for(AnalyzerSettings(kind="keyword"), environ) is None
