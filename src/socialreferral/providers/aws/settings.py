"""Settings of the AWS provider (section ``[aws]`` of the settings file).

Every AWS adapter is built from one :class:`AwsSettings`: the region, an optional
``endpoint_url`` (moto_server, LocalStack), credentials, and the names of the resources the
adapters use. By default the resources must already exist (created by your infrastructure
code) and the adapters need only the least-privilege permissions listed in
``docs/providers/aws.md``; ``create_missing_resources = true`` lets them create what is
missing, which is meant for emulators and development accounts.

Credentials: give ``access_key_id``/``secret_access_key`` (through the environment,
``SOCIALREFERRAL__AWS__CREDENTIALS__SECRET_ACCESS_KEY``, never in a committed file) or a
``profile``; with neither, boto3's default chain applies (instance/task role, SSO, ...).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from socialreferral.providers import ProviderSettings

_NAME = r"^[A-Za-z0-9_-]{1,80}$"
_QUEUE_NAME = r"^[A-Za-z0-9_-]{1,75}(\.fifo)?$"
_URL = r"^https?://\S+$"


class AwsCredentials(BaseModel):
    """Static keys or a named profile; neither means boto3's default credential chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    session_token: SecretStr | None = None
    profile: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> AwsCredentials:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError("give both access_key_id and secret_access_key, or neither")
        if self.profile is not None and self.access_key_id is not None:
            raise ValueError("give either a profile or static keys, not both")
        if self.session_token is not None and self.access_key_id is None:
            raise ValueError("session_token needs access_key_id and secret_access_key")
        return self


class AwsSettings(ProviderSettings):
    """Everything the AWS adapters need; see ``docs/providers/aws.md`` for each field."""

    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    endpoint_url: str | None = Field(default=None, pattern=_URL)
    credentials: AwsCredentials = AwsCredentials()
    create_missing_resources: bool = False

    # --- SQS --------------------------------------------------------------------------
    queue_name: str | None = Field(default="socialreferral-events", pattern=_QUEUE_NAME)
    queue_url: str | None = Field(default=None, pattern=_URL)
    dead_letter_queue_name: str | None = Field(default=None, pattern=_QUEUE_NAME)
    dead_letter_queue_url: str | None = Field(default=None, pattern=_URL)
    max_receives: int | None = Field(default=5, ge=1, le=1000)
    visibility_timeout: int = Field(default=30, ge=0, le=43_200)
    claim_check_bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}$")
    claim_check_prefix: str = Field(default="claims/", max_length=200)

    # --- DynamoDB ---------------------------------------------------------------------
    table_name: str = Field(default="socialreferral-documents", pattern=r"^[A-Za-z0-9_.-]{3,255}$")
    #: Top-level value fields with a global secondary index ``by_<field>`` (see the docs).
    indexed_fields: tuple[str, ...] = Field(default=(), max_length=20)
    #: Use strongly consistent reads for get and key-condition queries.
    consistent_reads: bool = True

    # --- Secrets Manager --------------------------------------------------------------
    secret_prefix: str = Field(default="socialreferral/", pattern=r"^[A-Za-z0-9/_+=.@-]{0,200}$")
    secrets_cache_ttl: float = Field(default=60.0, ge=0, le=86_400)
    #: 0 deletes immediately (ForceDeleteWithoutRecovery); 7-30 schedules a recovery window.
    secret_recovery_days: int = Field(default=0, ge=0, le=30)

    # --- Batch ------------------------------------------------------------------------
    batch_job_queue: str | None = Field(default=None, min_length=1)
    batch_job_definition: str | None = Field(default=None, min_length=1)
    #: Container image used only when ``create_missing_resources`` registers a definition.
    batch_image: str = "public.ecr.aws/docker/library/python:3.11-slim"
    #: The task that scale() submits as workers (drains the events queue).
    batch_worker_task: str = Field(
        default="referral.process-batch", pattern=r"^[a-z][a-z0-9_.-]{0,127}$"
    )
    #: Emulators only (needs ``endpoint_url``): moto's Batch runs no container, so also run
    #: each submitted job's command (``socialreferral run-task ...``) in a local subprocess,
    #: as the container would, and report that outcome. Never set against AWS.
    emulator_runs_jobs: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> AwsSettings:
        if self.queue_name is None and self.queue_url is None:
            raise ValueError("give queue_name or queue_url")
        fifo = (self.queue_url or self.queue_name or "").endswith(".fifo")
        dlq = self.dead_letter_queue_url or self.dead_letter_queue_name
        if dlq is not None and dlq.endswith(".fifo") != fifo:
            raise ValueError("a FIFO queue needs a FIFO dead-letter queue (and vice versa)")
        if self.secret_recovery_days not in (0, *range(7, 31)):
            raise ValueError("secret_recovery_days must be 0 or between 7 and 30")
        if self.emulator_runs_jobs and self.endpoint_url is None:
            raise ValueError("emulator_runs_jobs needs endpoint_url (it is for emulators only)")
        for field in self.indexed_fields:
            if not field.replace("_", "").isalnum():
                raise ValueError(f"indexed field {field!r} must be letters, digits or '_'")
        return self

    @property
    def fifo(self) -> bool:
        """True when the configured queue is a FIFO queue (name ends in ``.fifo``)."""
        return (self.queue_url or self.queue_name or "").endswith(".fifo")


__all__ = ["AwsCredentials", "AwsSettings"]
