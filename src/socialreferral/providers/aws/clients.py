"""boto3 sessions and clients built from :class:`AwsSettings`, with botocore retries off.

The port base classes retry :class:`~socialreferral.errors.TransientError` themselves, so
botocore is told to try each call once: two stacked retry loops would multiply the wait
and hide throttling from the library's policy. Clients are created once per adapter and
reused; creating one costs milliseconds, which would dominate a queue's hot path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialreferral.providers import import_sdk

if TYPE_CHECKING:
    from socialreferral.providers.aws.settings import AwsSettings


def make_session(settings: AwsSettings) -> Any:
    """A ``boto3.session.Session`` with the configured credentials or profile and region."""
    boto3 = import_sdk("boto3", provider="aws", extra="aws")
    creds = settings.credentials
    kwargs: dict[str, Any] = {"region_name": settings.region}
    if creds.profile is not None:
        kwargs["profile_name"] = creds.profile
    if creds.access_key_id is not None and creds.secret_access_key is not None:
        kwargs["aws_access_key_id"] = creds.access_key_id.get_secret_value()
        kwargs["aws_secret_access_key"] = creds.secret_access_key.get_secret_value()
        if creds.session_token is not None:
            kwargs["aws_session_token"] = creds.session_token.get_secret_value()
    return boto3.session.Session(**kwargs)


def make_client(settings: AwsSettings, service: str, session: Any | None = None) -> Any:
    """A client for ``service`` ("sqs", "s3", "dynamodb", ...) honouring ``endpoint_url``."""
    return make_client_for(session or make_session(settings), settings.endpoint_url, service)


def make_client_for(session: Any, endpoint_url: str | None, service: str) -> Any:
    """A client for ``service`` from an existing session (see :func:`make_client`)."""
    config_module = import_sdk("botocore.config", provider="aws", extra="aws")
    config = config_module.Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        # long polls wait up to 20 s, so reads must be allowed to take longer than that
        read_timeout=60,
        max_pool_connections=32,
        # path-style S3 addressing works with moto/LocalStack endpoints as well as AWS
        s3={"addressing_style": "path"} if service == "s3" and endpoint_url else None,
    )
    return session.client(service, endpoint_url=endpoint_url, config=config)


__all__ = ["make_client", "make_client_for", "make_session"]
