"""Settings of the local provider (section ``[local]`` of the settings file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from socialreferral.providers import ProviderSettings


class LocalSettings(ProviderSettings):
    """Where the local provider keeps its files and how it behaves.

    ``secret_key`` is a Fernet key (urlsafe base64, 32 bytes) for the encrypted secret
    file; give it through the environment (``SOCIALREFERRAL__LOCAL__SECRET_KEY``), never in
    a committed file. Without it a key file readable only by its owner is created in
    ``data_dir`` on first use.
    """

    data_dir: Path = Path(".socialreferral")
    queue_name: str = Field(default="events", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    max_receives: int | None = Field(default=5, ge=1)
    visibility_timeout: int = Field(default=30, ge=0, le=43_200)
    secret_key: SecretStr | None = None
    workers: int = Field(default=2, ge=1, le=64)
