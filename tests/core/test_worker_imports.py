"""What a queue worker imports (issue 14: cold start < 1 s, peak RSS <= 150 MB).

The ``referral.process-batch`` task's modules and the analyzer it builds must not drag in
nltk or scikit-learn (the English stemmer is nltk's code, copied), nor the use cases of
flows the worker does not run (the ``service``, ``service.people`` and ``scoring``
packages import their names on first access).
"""

from __future__ import annotations

import subprocess
import sys

WORKER_MODULES = ("socialreferral.tasks.referral, socialreferral.tasks.sinks, "
                  "socialreferral.text.catalog_analyzer, socialreferral.providers.local.batch")


def _loaded(code: str, candidates: set[str]) -> set[str]:
    probe = (f"import sys, {WORKER_MODULES}; {code}; "
             f"print(','.join(sorted(m for m in {sorted(candidates)!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return set(filter(None, out.stdout.strip().split(",")))


def test_worker_modules_leave_other_flows_unloaded() -> None:
    other_flows = {"nltk", "sklearn", "scipy.special", "socialreferral.people.b2b",
                   "socialreferral.service.people.fusion", "socialreferral.scoring.influence",
                   "socialreferral.service.authorization"}
    assert _loaded("pass", other_flows) == set()


def test_stemming_and_a_built_analyzer_do_not_import_nltk_or_sklearn() -> None:
    code = ("from socialreferral.text.activity import AnalyzerSettings, make_analyzer; "
            "a = make_analyzer(AnalyzerSettings()); "
            "a.annotator.annotate(['Refunds were added this evening, loving it'])")
    assert _loaded(code, {"nltk", "sklearn"}) == set()


def test_lazy_packages_still_export_every_name() -> None:
    import socialreferral.scoring as scoring
    import socialreferral.service as service
    import socialreferral.service.people as people

    for package in (service, people, scoring):
        missing = [n for n in package.__all__ if getattr(package, n, None) is None]
        assert missing == [], package.__name__
        assert set(package.__all__) <= set(dir(package))
