"""Hypothesis profiles for the whole suite.

``ci`` (tox sets ``HYPOTHESIS_PROFILE=ci``) draws the same examples on every run, so a
verdict never changes on a new random draw and every failure reproduces; a developer
running pytest directly gets fresh random examples (the ``default`` profile), which is
how the property tests keep finding new cases.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
