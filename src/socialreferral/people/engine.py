"""Fellegi-Sunter scoring with Splink, on DuckDB (in-process) or on a caller's Spark session.

This module is the only one that imports Splink, and it does so inside functions: Splink
pulls DuckDB, PyArrow and SQLGlot, and ``import socialreferral`` must stay fast and work
without them. Everything crossing this module's boundary is plain Python (row dicts in,
:class:`ScoredPair` and :class:`TrainedModel` out), so the rest of fusion never sees a
Splink object and a persisted model is just JSON.

Backends. ``duckdb`` opens a private in-memory database per call and closes it after.
``spark`` runs the same SQL on the ``SparkSession`` the caller passes: the composition
root (or the batch job) builds it with Splink's similarity UDF jar on the class path, e.g.
``SparkSession.builder.config("spark.jars", splink.backends.spark.similarity_jar_location())``.
Nothing here reads the environment or creates sessions.

Logging. Splink logs through the ``splink`` logger; a :class:`logging.NullHandler` is
attached once so that an application that has not configured logging does not get its
progress messages on stderr (an application that has configured logging still sees them).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import ConfigurationError, ProviderNotInstalled
from socialreferral.people.model_spec import Comparison, Level, ModelSpec, spec_for
from socialreferral.people.records import LINKAGE_COLUMNS
from socialreferral.people.settings import LinkageSettings

_LIST_COLUMNS = frozenset({"street_tokens"})


class LevelWeight(DomainModel):
    """The evidence one comparison gave for one pair (log2 of its Bayes factor)."""

    comparison: str
    level: str
    match_weight: float


class ScoredPair(DomainModel):
    """Two records, the probability that they are one person, and the evidence for it."""

    left_id: str
    right_id: str
    match_probability: float = Field(ge=0.0, le=1.0)
    match_weight: float
    evidence: tuple[LevelWeight, ...] = ()
    rule: str = Field(default="", description="deterministic rule that linked the pair, if any")


class TrainedModel(DomainModel):
    """A trained linkage model: the Splink settings JSON and the columns it compares.

    Persist it beside the clusters: incremental linking scores new records with the very
    model that built the clusters, so their weights mean the same.
    """

    splink_settings: dict[str, Any]
    comparisons: tuple[str, ...]
    populated: tuple[str, ...]
    trained_on: int = Field(ge=0, description="records the model was trained on")
    training: str = Field(description="priors or em")


def _quiet_splink() -> None:
    log = logging.getLogger("splink")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


@contextmanager
def _splink_warnings_ignored() -> Iterator[None]:
    # Splink and DuckDB emit deprecation and user warnings about their own internals; they
    # are not actionable for our callers and would be errors under `-W error`.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _import_splink() -> Any:
    try:
        import splink
    except ImportError as exc:  # pragma: no cover - splink is a core dependency
        raise ProviderNotInstalled("people linkage", "people", "splink") from exc
    _quiet_splink()
    return splink


def _level_sql_creator(level: Level, tf: bool) -> Any:
    import splink.comparison_level_library as cll

    if level.kind == "exact_tf":
        return cll.ExactMatchLevel(level.column, term_frequency_adjustments=tf)
    if level.kind == "exact":
        return cll.ExactMatchLevel(level.column)
    if level.kind == "jaro_winkler":
        return cll.JaroWinklerLevel(level.column, level.threshold)
    if level.kind == "damerau":
        return cll.DamerauLevenshteinLevel(level.column, int(level.threshold))
    if level.kind == "array_min":
        return cll.ArrayIntersectLevel(level.column, min_intersection=int(level.threshold))
    if level.kind == "all":
        return cll.And(*[_level_sql_creator(part, False) for part in level.parts])
    if level.kind == "else":
        return cll.ElseLevel()
    # Written in DuckDB SQL; Splink transpiles it (sqlglot) for Spark, where "x" is a string.
    return cll.CustomLevel(level.sql, base_dialect_str="duckdb")


def _level_creator(level: Level, tf: bool) -> Any:
    creator = _level_sql_creator(level, tf)
    return creator.configure(m_probability=level.m_prior, label_for_charts=level.label)


def _comparison_creator(comparison: Comparison, tf: bool) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    nulls = [cll.NullLevel(c) for c in comparison.null_columns]
    null = cll.And(*nulls).configure(is_null_level=True) if len(nulls) > 1 else nulls[0]
    levels = [null] + [_level_creator(lvl, tf) for lvl in comparison.levels]
    return cl.CustomComparison(
        comparison_levels=levels,
        output_column_name=comparison.name,
        comparison_description=comparison.description,
    )


def _block(rule: tuple[str, ...]) -> Any:
    from splink import block_on

    return block_on(*rule)


def _settings_creator(spec: ModelSpec, settings: LinkageSettings, n_records: int) -> Any:
    from splink import SettingsCreator

    tf = settings.term_frequency and n_records >= settings.tf_min_records
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[_comparison_creator(c, tf) for c in spec.comparisons],
        blocking_rules_to_generate_predictions=[_block(r) for r in spec.blocking_rules],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=20,
    )


def _arrow_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Any:
    import pyarrow as pa

    fields = [pa.field("unique_id", pa.string())]
    fields += [
        pa.field(c, pa.list_(pa.string()) if c in _LIST_COLUMNS else pa.string()) for c in columns
    ]
    schema = pa.schema(fields)
    data = {f.name: [row.get(f.name) for row in rows] for f in fields}
    return pa.Table.from_pydict(data, schema=schema)


class LinkageEngine:
    """Trains and applies the linkage model on one backend.

    ``spark_session`` is required for ``backend="spark"`` and ignored otherwise.
    """

    def __init__(self, settings: LinkageSettings, spark_session: Any = None) -> None:
        if settings.backend == "spark" and spark_session is None:
            raise ConfigurationError("backend 'spark' needs a SparkSession (spark_session=...)")
        self.settings = settings
        self._spark = spark_session

    def _db_api(self) -> Any:
        with _splink_warnings_ignored():
            return self._new_db_api()

    def _new_db_api(self) -> Any:
        splink = _import_splink()
        if self.settings.backend == "spark":
            from splink.backends.spark import SparkAPI

            spark_api: Any = SparkAPI  # untyped third-party constructor
            return spark_api(spark_session=self._spark)
        del splink
        from splink.backends.duckdb import DuckDBAPI

        return DuckDBAPI(":memory:")

    @staticmethod
    def _close(db_api: Any) -> None:
        con = getattr(db_api, "_con", None)
        if con is not None and hasattr(con, "close"):
            con.close()

    def spec(self, rows: Sequence[Mapping[str, Any]]) -> ModelSpec:
        """The model that fits the populated columns of ``rows``."""
        counts = {c: sum(1 for r in rows if r.get(c)) for c in LINKAGE_COLUMNS}
        return spec_for(counts)

    def train(self, rows: Sequence[Mapping[str, Any]]) -> TrainedModel:
        """Estimate the match prior, ``u`` from random pairs and (if chosen) ``m`` by EM."""
        spec = self.spec(rows)
        if not spec.comparisons:
            raise ConfigurationError("no attribute has values in two records: nothing to compare")
        use_em = self.settings.training == "em" or (
            self.settings.training == "auto" and len(rows) >= self.settings.em_min_records
        )
        db_api = self._db_api()
        try:
            with _splink_warnings_ignored():
                from splink import Linker

                table = db_api.register(_arrow_table(rows, LINKAGE_COLUMNS))
                linker = Linker(
                    table, _settings_creator(spec, self.settings, len(rows)), log_level=None
                )
                self._estimate_prior(linker, spec, len(rows))
                linker.training.estimate_u_using_random_sampling(
                    max_pairs=self.settings.u_max_pairs, seed=self.settings.seed
                )
                if use_em:
                    for rule in spec.em_rules[:2]:
                        linker.training.estimate_parameters_using_expectation_maximisation(
                            _block(rule), estimate_without_term_frequencies=True
                        )
                model = linker.misc.save_model_to_json()
            sampled = min(self.settings.u_max_pairs, len(rows) * (len(rows) - 1) / 2)
            _smooth_u(model, spec, sampled, self.settings.u_pseudo_pairs)
        finally:
            self._close(db_api)
        return TrainedModel(
            splink_settings=model,
            comparisons=tuple(c.name for c in spec.comparisons),
            populated=tuple(sorted(spec.populated)),
            trained_on=len(rows),
            training="em" if use_em else "priors",
        )

    def _estimate_prior(self, linker: Any, spec: ModelSpec, n: int) -> None:
        rules = [" AND ".join(f'l."{c}" = r."{c}"' for c in rule) for rule in spec.prior_rules]
        floor = 1.0 / max(n * (n - 1) / 2, 1.0)
        if rules and n >= 2:
            try:
                linker.training.estimate_probability_two_random_records_match(
                    rules, recall=self.settings.prior_match_recall
                )
            except Exception:
                linker._settings_obj._probability_two_random_records_match = max(floor, 1e-4)
        prior = linker._settings_obj._probability_two_random_records_match
        # Never below one expected match in the whole data set, never a certainty.
        linker._settings_obj._probability_two_random_records_match = min(max(prior, floor), 0.5)

    def fit_predict(
        self, rows: Sequence[Mapping[str, Any]], *, min_probability: float
    ) -> tuple[TrainedModel, list[ScoredPair]]:
        """Train on ``rows``, score their blocked pairs and re-estimate the match prior.

        The prior from exact rules is only a starting point: those rules miss the matches
        that differ on a name or a date, and how many they miss depends on which columns a
        data set has. With ``m`` and ``u`` fixed, the prior is then re-estimated as the
        mean match probability over all pairs (expectation maximisation on that one
        parameter), using the scored candidate pairs; pairs outside blocking count as
        non-matches.
        """
        model = self.train(rows)
        floor = min(min_probability, 0.5) / 100
        scored = self._run(rows, (), model, floor)
        n = len(rows)
        total_pairs = n * (n - 1) / 2
        prior = float(model.splink_settings["probability_two_random_records_match"])
        base = _logit2(prior)
        factors = [p.match_weight - base for p in scored]
        for _ in range(self.settings.prior_iterations):
            odds = prior / (1 - prior)
            expected = sum(odds / (odds + 2.0**-f) for f in factors)
            updated = min(max(expected / total_pairs, 1.0 / total_pairs), 0.5)
            if abs(updated - prior) <= 1e-3 * prior:
                prior = updated
                break
            prior = updated
        settings = dict(model.splink_settings)
        settings["probability_two_random_records_match"] = prior
        model = model.model_copy(update={"splink_settings": settings})
        shift = _logit2(prior)
        rescored = []
        for pair, f in zip(scored, factors, strict=True):
            weight = shift + f
            probability = 1.0 / (1.0 + 2.0**-weight)
            if probability >= min_probability:
                rescored.append(
                    pair.model_copy(
                        update={"match_weight": weight, "match_probability": probability}
                    )
                )
        return model, rescored

    def predict(
        self, rows: Sequence[Mapping[str, Any]], model: TrainedModel, *, min_probability: float
    ) -> list[ScoredPair]:
        """Score the blocked pairs of ``rows`` with ``model``; keep p >= ``min_probability``."""
        return self._run(rows, (), model, min_probability)

    def predict_between(
        self,
        existing: Sequence[Mapping[str, Any]],
        new: Sequence[Mapping[str, Any]],
        model: TrainedModel,
        *,
        min_probability: float,
    ) -> list[ScoredPair]:
        """Score pairs of new records with existing ones and with each other.

        Existing records are never compared among themselves, so the cost grows with the
        new records, not with the size of the index.
        """
        return self._run(existing, new, model, min_probability)

    def _run(
        self,
        rows: Sequence[Mapping[str, Any]],
        new: Sequence[Mapping[str, Any]],
        model: TrainedModel,
        min_probability: float,
    ) -> list[ScoredPair]:
        columns = LINKAGE_COLUMNS
        db_api = self._db_api()
        try:
            with _splink_warnings_ignored():
                from splink import Linker

                if not new:
                    table = db_api.register(_arrow_table(rows, columns))
                    linker = Linker(table, dict(model.splink_settings), log_level=None)
                    result = linker.inference.predict(threshold_match_probability=min_probability)
                else:
                    everything = db_api.register(_arrow_table([*rows, *new], columns))
                    old_t = db_api.register(_arrow_table(rows, columns))
                    new_t = db_api.register(_arrow_table(new, columns))
                    linker = Linker(everything, dict(model.splink_settings), log_level=None)
                    for col in _tf_columns(model):
                        linker.table_management.compute_tf_table(col)
                    result = linker.inference.predict_between(
                        old_t, new_t, threshold_match_probability=min_probability
                    )
                    within = linker.inference.predict_within(
                        new_t, threshold_match_probability=min_probability
                    )
                    records = result.as_record_list() + within.as_record_list()
                    return [_scored(r, model) for r in records]
                return [_scored(r, model) for r in result.as_record_list()]
        finally:
            self._close(db_api)


def _logit2(p: float) -> float:
    return math.log2(p / (1.0 - p))


def _smooth_u(model: dict[str, Any], spec: ModelSpec, sampled: float, pseudo: float) -> None:
    """Blend the sampled ``u`` with the prior as if ``pseudo`` prior pairs had been seen.

    With a million sampled pairs the prior is noise; with the 45 pairs of ten records it
    keeps one coincidence (or one duplicate in the sample) from deciding the model, and it
    gives levels never seen in the sample a non-zero ``u``.
    """
    by_name = {c.name: c for c in spec.comparisons}
    for comparison in model.get("comparisons", []):
        spec_comparison = by_name.get(comparison.get("output_column_name", ""))
        if spec_comparison is None:
            continue
        priors = {lvl.label: lvl.u_prior for lvl in spec_comparison.levels}
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            prior = priors.get(str(level.get("label_for_charts", "")))
            if prior is None:
                continue
            estimate = level.get("u_probability")
            estimate = float(estimate) if isinstance(estimate, int | float) else prior
            level["u_probability"] = (sampled * estimate + pseudo * prior) / (sampled + pseudo)


def _tf_columns(model: TrainedModel) -> list[str]:
    cols: list[str] = []
    for comparison in model.splink_settings.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            col = level.get("tf_adjustment_column")
            if col and col not in cols:
                cols.append(col)
    return cols


def _level_labels(model: TrainedModel) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.splink_settings.get("comparisons", []):
        name = comparison.get("output_column_name", "")
        levels = [lvl for lvl in comparison.get("comparison_levels", [])]
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        # Splink numbers the non-null levels from the top: the first is the highest.
        labels[name] = {
            len(non_null) - 1 - i: str(lvl.get("label_for_charts", ""))
            for i, lvl in enumerate(non_null)
        }
        labels[name][-1] = "unknown"
    return labels


def _scored(record: Mapping[str, Any], model: TrainedModel) -> ScoredPair:
    labels = _level_labels(model)
    evidence = []
    for name in model.comparisons:
        gamma = record.get(f"gamma_{name}")
        if gamma is None:
            continue
        weight = float(record.get(f"mw_{name}") or 0.0)
        tf = record.get(f"mw_tf_adj_{name}")
        if tf is not None:
            weight += float(tf)
        evidence.append(
            LevelWeight(
                comparison=name,
                level=labels.get(name, {}).get(int(gamma), str(gamma)),
                match_weight=round(weight, 4) if math.isfinite(weight) else -99.0,
            )
        )
    left, right = str(record["unique_id_l"]), str(record["unique_id_r"])
    if right < left:
        left, right = right, left
    return ScoredPair(
        left_id=left,
        right_id=right,
        match_probability=min(1.0, max(0.0, float(record["match_probability"]))),
        match_weight=float(record["match_weight"]),
        evidence=tuple(evidence),
    )


__all__ = ["LevelWeight", "LinkageEngine", "ScoredPair", "TrainedModel"]
