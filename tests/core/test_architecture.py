"""The layering rules of docs/architecture.md, checked on the source tree.

Use cases (``service/``) work on repositories and ports: they never import the
composition root, never read the environment and never hold a DocumentStore; erasure
names no collection; the pure packages import no adapter, SDK or entry point.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "socialreferral"
PURE = ("domain", "text", "scoring", "channels", "influence")
ENTRY_POINTS = ("socialreferral.bootstrap", "socialreferral.cli", "socialreferral.web",
                "socialreferral.tasks", "socialreferral.providers", "socialreferral.settings")


def _modules(package: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((SRC / package).rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_use_cases_do_not_build_providers_or_read_the_environment() -> None:
    for path, tree in _modules("service"):
        source = path.read_text(encoding="utf-8")
        assert "os.environ" not in source and "getenv" not in source, path
        assert not any(name.startswith(ENTRY_POINTS) for name in _imports(tree)), path


def test_no_use_case_holds_a_document_store() -> None:
    for path, tree in _modules("service"):
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert "DocumentStore" not in names, f"{path} names DocumentStore"
        assert "store" not in attributes, f"{path} reaches a .store"


def test_erase_person_names_no_collection() -> None:
    from socialreferral.repositories import Repositories

    collections = {c for f in Repositories.__dataclass_fields__.values()
                   for c in _collections_of(f.type)}
    assert collections, "the bundle should own collections"
    source = (SRC / "service" / "privacy.py").read_text(encoding="utf-8")
    strings = {n.value for n in ast.walk(ast.parse(source))
               if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not strings & collections, strings & collections


def _collections_of(annotation: object) -> tuple[str, ...]:
    import socialreferral.repositories as repositories

    cls = getattr(repositories, str(annotation), None)
    return tuple(getattr(cls, "collections", ()))


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_adapter_sdk_or_entry_point(package: str) -> None:
    forbidden = ("boto3", "botocore", "azure", "fastapi", "socialreferral.ports.",
                 *ENTRY_POINTS, "socialreferral.service", "socialreferral.repositories")
    for path, tree in _modules(package):
        bad = {n for n in _imports(tree) if n.startswith(forbidden)}
        assert not bad, f"{path} imports {sorted(bad)}"
        assert "os.environ" not in path.read_text(encoding="utf-8"), path


def test_every_collection_has_one_owner() -> None:
    from socialreferral.repositories import Repositories

    owners: dict[str, str] = {}
    for field in Repositories.__dataclass_fields__.values():
        for collection in _collections_of(field.type):
            assert collection not in owners, (collection, owners.get(collection), field.name)
            owners[collection] = field.name
