"""Catalog classifiers kept on disk between worker processes.

Bootstrapping a catalog's product classifier fits a model on a few thousand generated
sentences: seconds, paid again by every new worker process (the 3-6 s cold start of
issue 14). :class:`ClassifierFiles` keeps each built classifier as the pickle-free
``.npz`` bytes of :meth:`~socialreferral.text.IntentClassifier.save`, named by a digest of
everything it was built from (:func:`~socialreferral.text.catalog_analyzer.classifier_name`),
so a changed catalog or a new package version never reuses an old file. Loading one
never unpickles: a tampered file can mislabel posts but cannot run code.

Writes go to a temporary file in the same folder and are renamed into place, so two
workers building the same classifier at once, or a worker killed mid-write, leave either
a whole file or none. The folder is created private to the user (0700).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from socialreferral.text.activity import AnalyzerSettings

__all__ = ["ClassifierFiles", "classifier_files_for", "default_classifier_dir"]

_NAME = re.compile(r"^[0-9a-f]{64}$")
MAX_FILE_BYTES = 256 * 1024 * 1024
"""Larger files are not read (a catalog classifier is a few MB)."""


class ClassifierFiles:
    """A :class:`~socialreferral.text.catalog_analyzer.ClassifierCache` over one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or ``None`` when it is missing, unreadable or too large."""
        path = self._path(name)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def write(self, name: str, data: bytes) -> None:
        """Write atomically; a folder that cannot be written only costs the next start."""
        path = self._path(name)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"not a classifier name: {name[:80]!r}")
        return self.folder / f"{name}.npz"


def default_classifier_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/socialreferral/classifiers`` (``~/.cache`` when unset)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "socialreferral" / "classifiers"


def classifier_files_for(
    settings: AnalyzerSettings, environ: Mapping[str, str]
) -> ClassifierFiles | None:
    """The folder ``settings`` asks for (``None`` when classifiers are not kept or the
    analyzer builds none)."""
    if not settings.keep_classifiers or settings.kind != "text":
        return None
    return ClassifierFiles(settings.classifier_dir or default_classifier_dir(environ))
