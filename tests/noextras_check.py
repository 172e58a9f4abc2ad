"""Run by the ``noextras`` tox env (no pytest there: the test extra pulls in boto3).

Proves that with no cloud SDK installed the package imports, the local default works, and
choosing a cloud provider fails with an install hint instead of an ImportError traceback.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import socialreferral
from socialreferral import ProviderNotInstalled, build_providers
from socialreferral.settings import load_settings, settings_from_mapping

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def main() -> None:
    leaked = [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "azure")]
    assert not leaked, f"cloud SDK modules imported: {leaked}"
    with tempfile.TemporaryDirectory() as tmp:
        local = settings_from_mapping({"local": {"data_dir": tmp}})
        with build_providers(local) as providers:
            providers.store.put("smoke", "k", {"ok": True})
            assert providers.store.get("smoke", "k").value == {"ok": True}
        env = {"SOCIALREFERRAL__LOCAL__DATA_DIR": tmp}
        for example, extra in (("aws-moto.toml", "aws"), ("azure-emulators.toml", "azure")):
            settings = load_settings(EXAMPLES / example, env=env)  # complete, valid settings
            try:
                build_providers(settings).close()
            except ProviderNotInstalled as exc:
                assert f"socialreferral[{extra}]" in str(exc), exc
            else:
                raise AssertionError(f"{example} built without its SDK")
    # Sentence embeddings work on a plain install: the shipped int8 model, no extra.
    from socialreferral.text import IntentClassifier, SentenceEncoder

    encoder = SentenceEncoder(cache_size=0)
    assert encoder.precision == "int8", encoder.source
    texts = ["my card has not arrived", "where is my new card", "card still not delivered",
             "what is the exchange rate", "exchange rate for euros", "rate to convert dollars"]
    labels = ["card"] * 3 + ["rate"] * 3
    clf = IntentClassifier(encoder=encoder).fit(texts, labels)
    assert clf.features == "hybrid", clf.features
    assert clf.predict(["has my card shipped yet"]) == ["card"]
    print(f"socialreferral {socialreferral.__version__}: OK without cloud SDKs; "
          f"sentence model {encoder.precision}")


if __name__ == "__main__":
    main()
