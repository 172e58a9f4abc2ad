"""The people package: exact public surface, and no heavy import until linkage runs."""

from __future__ import annotations

import subprocess
import sys

import socialreferral.people as people


def test_all_names_exist_and_cover_public_classes() -> None:
    assert all(hasattr(people, name) for name in people.__all__)
    public = {n for n in dir(people) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(people.__all__)


def test_import_loads_no_linkage_engine() -> None:
    code = (
        "import sys, socialreferral.people; "
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'splink', 'duckdb', 'pyarrow', 'sqlglot', 'pyspark', 'scipy'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""



def test_import_socialreferral_loads_no_linkage_engine_or_graph_library() -> None:
    """The repositories (built by bootstrap) hold people models, not Splink or SciPy."""
    code = (
        "import sys, socialreferral; "
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'splink', 'duckdb', 'pyarrow', 'sqlglot', 'pyspark', 'scipy', 'networkx'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
