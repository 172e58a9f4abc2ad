"""Safe model files: one ``.npz`` of numeric arrays plus JSON metadata, never pickle.

Loading uses ``allow_pickle=False``, so a model file cannot execute code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

_META = "__meta__"


def encode_strings(items: Sequence[str]) -> npt.NDArray[np.uint8]:
    """A list of strings (without newlines) → a compact uint8 array."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8).copy()


def decode_strings(arr: npt.NDArray[np.uint8]) -> list[str]:
    """Inverse of :func:`encode_strings`."""
    text = arr.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def save_arrays(
    path: str | Path | IO[bytes], arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any]
) -> None:
    """Write ``arrays`` and JSON-serialisable ``meta`` to a compressed ``.npz``."""
    payload = dict(arrays)
    payload[_META] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8).copy()
    if isinstance(path, str | Path):
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **payload)  # type: ignore[arg-type]  # a file handle keeps the exact file name
    else:
        np.savez_compressed(path, **payload)  # type: ignore[arg-type]


def load_arrays(
    path: str | Path | IO[bytes],
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """Read a file written by :func:`save_arrays` (no pickle: ``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != _META}
        meta = json.loads(z[_META].tobytes().decode("utf-8"))
    if not isinstance(meta, dict):
        raise ValueError("model file metadata is not a JSON object")
    return arrays, meta


def check_kind(meta: Mapping[str, Any], kind: str) -> None:
    """Refuse to load a file saved by another model class."""
    if meta.get("kind") != kind:
        raise ValueError(f"model file holds {meta.get('kind')!r}, expected {kind!r}")
