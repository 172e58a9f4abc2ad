"""Blob-storage claim check for :class:`~socialreferral.providers.azure.queue.AzureStorageQueue`.

Azure queue messages hold at most 64 KiB (48 KiB of raw bytes when base64-encoded). A
larger body is uploaded as a block blob and the queue message carries only a small JSON
envelope pointing at it (see :mod:`socialreferral.providers.azure.queue` for the format);
the blob is deleted when the message is acked. Poison messages keep their pointer, so a
poisoned large body stays readable until the poison message is acked.

Configuration: ``[azure] claim_check_container`` (created on first use) and the storage
account settings. Credentials: the storage account's connection string, shared key or a
token credential with *Storage Blob Data Contributor* on the container.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from socialreferral.errors import QueueError
from socialreferral.providers.azure.errors import error_code, map_azure_errors, status_of

if TYPE_CHECKING:
    from socialreferral.providers import BuildContext
    from socialreferral.providers.azure.settings import AzureSettings


class BlobClaimCheck:
    """Stores, fetches and deletes message bodies in one blob container."""

    def __init__(self, container_client: Any, *, prefix: str = "", create: bool = True) -> None:
        self._container = container_client
        self._prefix = prefix
        self._created = not create

    @classmethod
    def from_settings(
        cls, settings: AzureSettings, context: BuildContext, *, prefix: str = ""
    ) -> BlobClaimCheck:
        """Build from ``[azure]`` storage settings and ``claim_check_container``."""
        from socialreferral.providers.azure._clients import storage_service

        service = storage_service("blob", settings, context)
        container = service.get_container_client(settings.claim_check_container)
        return cls(container, prefix=prefix, create=settings.create_queues)

    @property
    def container_name(self) -> str:
        return str(self._container.container_name)

    def put(self, body: str) -> str:
        """Upload ``body``; return the pointer ``<container>/<blob name>``."""
        self._ensure_container()
        name = f"{self._prefix}{uuid.uuid4().hex}"
        with map_azure_errors("queue", f"claim check {name}"):
            self._container.upload_blob(name, body.encode("utf-8"), overwrite=True)
        return f"{self.container_name}/{name}"

    def get(self, pointer: str) -> str:
        """Download the body a pointer names."""
        name = self._blob_name(pointer)
        try:
            with map_azure_errors("queue", f"claim check {name}"):
                data: bytes = self._container.download_blob(name).readall()
        except QueueError as exc:
            if status_of(exc.__cause__ or exc) == 404:
                raise QueueError(
                    f"claim-checked body {pointer} is gone (already acked by another consumer?)"
                ) from exc
            raise
        return data.decode("utf-8")

    def delete(self, pointer: str) -> None:
        """Delete the body; a missing blob is fine (ack is idempotent)."""
        name = self._blob_name(pointer)
        try:
            with map_azure_errors("queue", f"claim check {name}"):
                self._container.delete_blob(name)
        except QueueError as exc:
            if status_of(exc.__cause__ or exc) != 404:
                raise

    def _blob_name(self, pointer: str) -> str:
        container, _, name = pointer.partition("/")
        if container != self.container_name or not name:
            raise QueueError(f"claim pointer {pointer!r} is not in {self.container_name}")
        return name

    def _ensure_container(self) -> None:
        if self._created:
            return
        try:
            with map_azure_errors("queue", f"container {self.container_name}"):
                self._container.create_container()
        except QueueError as exc:
            if error_code(exc.__cause__ or exc) != "ContainerAlreadyExists":
                raise
        self._created = True


__all__ = ["BlobClaimCheck"]
