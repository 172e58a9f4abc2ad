"""The public surface: ``__all__`` is exact, importable, and free of cloud SDKs."""

from __future__ import annotations

import subprocess
import sys

import socialreferral
import socialreferral.errors as errors


def test_all_names_exist_and_are_sorted() -> None:
    missing = [name for name in socialreferral.__all__ if not hasattr(socialreferral, name)]
    assert missing == []
    assert len(set(socialreferral.__all__)) == len(socialreferral.__all__)


def test_public_classes_are_reexported() -> None:
    public = {n for n in dir(socialreferral) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(socialreferral.__all__), public - set(socialreferral.__all__)


def test_import_loads_no_cloud_sdk_and_no_model() -> None:
    code = (
        "import sys, socialreferral; "
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'boto3','botocore','azure','sklearn','nltk','moto'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_subpackages_import_without_the_composition_root() -> None:
    """``socialreferral.text`` alone must not load bootstrap, settings or pydantic: the
    root package's names load on first access."""
    code = (
        "import sys, socialreferral.text, socialreferral.errors; "
        "print(','.join(sorted(m for m in sys.modules if m in "
        "{'socialreferral.bootstrap','socialreferral.settings','socialreferral.repositories',"
        "'pydantic','tenacity','pluggy'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert socialreferral.build_providers.__module__ == "socialreferral.bootstrap"


def test_error_leaves_inherit_their_builtin_meaning() -> None:
    assert issubclass(errors.DocumentNotFound, KeyError)
    assert issubclass(errors.DocumentNotFound, errors.NotFound)
    assert issubclass(errors.SignatureInvalid, PermissionError)
    assert issubclass(errors.MessageTooLarge, ValueError)
    assert issubclass(errors.Unsupported, NotImplementedError)
    assert issubclass(errors.DocumentExists, errors.ConcurrencyConflict)
    assert all(issubclass(getattr(errors, n), errors.SocialReferralError) for n in errors.__all__)


def test_unsupported_names_adapter_and_capability() -> None:
    exc = errors.Unsupported("LocalQueue (local)", "fifo")
    assert "LocalQueue (local)" in str(exc) and "'fifo'" in str(exc)


def test_install_hint_names_the_extra() -> None:
    exc = errors.ProviderNotInstalled("aws", "aws", "boto3")
    assert "pip install 'socialreferral[aws]'" in str(exc)
    assert isinstance(exc, ImportError)
