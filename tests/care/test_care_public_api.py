"""The care package's public surface."""

from __future__ import annotations

import subprocess
import sys

import socialreferral.care as care


def test_all_names_exist_and_are_unique() -> None:
    assert [n for n in care.__all__ if not hasattr(care, n)] == []
    assert len(set(care.__all__)) == len(care.__all__)


def test_importing_care_loads_no_heavy_library() -> None:
    code = (
        "import sys, socialreferral.care; "
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'boto3','azure','sklearn','nltk','vaderSentiment'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
