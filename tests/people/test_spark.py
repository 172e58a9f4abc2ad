"""The Spark backend gives the same people as DuckDB (local mode; opt-in, slow).

Runs only where ``pyspark`` and a Java runtime are installed (the ``spark`` tox env:
``pip install -e '.[spark,test]'`` plus Debian's ``openjdk-17-jre-headless``). One
local[1] session, about two to three minutes on a loaded 2-core machine: Splink issues a
few hundred small Spark jobs, and each costs tens of milliseconds however small the data.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialreferral.people import LinkageSettings, resolve
from socialreferral.people.synthetic import generate

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
        reason="needs pyspark and a Java runtime (tox -e spark)",
    ),
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[1]")
        .appName("socialreferral-people-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(Path(tmp_path_factory.mktemp("checkpoints"))))
    yield session
    session.stop()


def _groups(ids: list[str]) -> list[tuple[int, ...]]:
    members: dict[str, list[int]] = {}
    for i, cid in enumerate(ids):
        members.setdefault(cid, []).append(i)
    return sorted(tuple(m) for m in members.values())


def test_spark_and_duckdb_find_the_same_people(spark: Any) -> None:
    records, _ = generate(25, seed=3)
    on_spark = resolve(records, settings=LinkageSettings(backend="spark"), spark_session=spark)
    on_duckdb = resolve(records)
    assert _groups(on_spark) == _groups(on_duckdb)
    assert len(set(on_duckdb)) < len(records)  # something was linked
