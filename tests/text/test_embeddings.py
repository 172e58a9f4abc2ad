"""SentenceEncoder: the numpy forward pass matches sentence-transformers' all-MiniLM-L6-v2.

The float32 checks need the model package (``socialreferral models install``, as tox does);
the shipped int8 copy needs nothing.
The reference embeddings in ``fixtures/minilm_reference.json`` were computed once with
sentence-transformers 6.2.0 / torch 2.13.0 (CPU) from the same model files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from socialreferral.text.embeddings import (
    EncoderUnavailable,
    SentenceEncoder,
    encoder_available,
    find_model_dir,
    read_safetensors,
)

FIXTURE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def reference() -> dict[str, list[object]]:
    data: dict[str, list[object]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(cache_size=0)


def test_model_package_is_installed(encoder: SentenceEncoder) -> None:
    # Deliberately not a skip: CI installs the model package (see the module doc).
    assert encoder_available()
    assert (find_model_dir() / "model.safetensors").is_file()
    assert encoder.precision == "float32"
    assert encoder.source == str(find_model_dir())


def test_shipped_int8_copy_is_close_to_the_original(reference: dict[str, list[object]]) -> None:
    shipped = SentenceEncoder(shipped=True, cache_size=0)
    assert shipped.precision == "int8" and shipped.model_dir is None
    texts = [str(t) for t in reference["texts"]]
    ref = np.array(reference["embeddings"], dtype=np.float32)
    got = shipped.encode(texts)
    cos = (got * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() > 0.995, cos
    assert cos.mean() > 0.999
    with pytest.raises(ValueError, match="not both"):
        SentenceEncoder(find_model_dir(), shipped=True)


def test_safetensors_reader(tmp_path: Path) -> None:
    import struct

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = json.dumps(
        {"__metadata__": {}, "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}
    ).encode()
    path = tmp_path / "m.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + a.tobytes())
    np.testing.assert_array_equal(read_safetensors(path)["w"], a)
    path.write_bytes(b"\xff" * 16)
    with pytest.raises(EncoderUnavailable, match="not a safetensors file"):
        read_safetensors(path)


def test_matches_sentence_transformers(
    encoder: SentenceEncoder, reference: dict[str, list[object]]
) -> None:
    texts = [str(t) for t in reference["texts"]]
    ref = np.array(reference["embeddings"], dtype=np.float32)
    got = encoder.encode(texts)
    assert got.shape == ref.shape == (len(texts), 384)
    cos = (got * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() > 0.9999, cos
    np.testing.assert_allclose(got, ref, atol=2e-5)


def test_batching_and_cache_do_not_change_results(
    reference: dict[str, list[object]], encoder: SentenceEncoder
) -> None:
    texts = [str(t) for t in reference["texts"]]
    small = SentenceEncoder(batch_size=3, cache_size=4)
    a = small.encode(texts)
    b = small.encode(texts[::-1])[::-1]  # partly from cache, different batches
    np.testing.assert_allclose(a, encoder.encode(texts), atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert len(small._cache) == 4


def test_unit_length_and_empty_input(encoder: SentenceEncoder) -> None:
    e = encoder.encode(["", "hello"])
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, rtol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_similar_sentences_are_closer(encoder: SentenceEncoder) -> None:
    a, b, c = encoder.encode(["my card was stolen", "someone took my credit card", "nice weather"])
    assert float(a @ b) > float(a @ c) + 0.2


def test_missing_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match="socialreferral models install"):
        SentenceEncoder(tmp_path)
    assert not encoder_available(tmp_path)
    assert encoder_available()  # the shipped copy is always there


def test_pooled_layers(reference: dict[str, list[object]]) -> None:
    """Several layers: each block is that layer's pooled embedding, the row unit length;
    the last layer alone is the model's own sentence embedding (the default)."""
    texts = [*(str(t) for t in reference["texts"][:6]), ""]
    last = SentenceEncoder(shipped=True, cache_size=0).encode(texts)
    assert SentenceEncoder(shipped=True, pool_layers=(6,)).pool_layers == (6,)
    np.testing.assert_array_equal(
        SentenceEncoder(shipped=True, cache_size=0, pool_layers=(6,)).encode(texts), last
    )
    both = SentenceEncoder(shipped=True, cache_size=0, pool_layers=(3, 6))
    assert both.output_dim == 768
    got = both.encode(texts)
    assert got.shape == (len(texts), 768)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(got[:, 384:] * np.sqrt(2), last, atol=1e-6)
    third = SentenceEncoder(shipped=True, cache_size=0, pool_layers=(3,)).encode(texts)
    np.testing.assert_allclose(got[:, :384] * np.sqrt(2), third, atol=1e-6)
    assert np.abs(third - last).max() > 0.1  # a different layer, not a copy
    for bad in [(), (7,), (-1, 6)]:
        with pytest.raises(ValueError, match="pool_layers"):
            SentenceEncoder(shipped=True, pool_layers=bad)
