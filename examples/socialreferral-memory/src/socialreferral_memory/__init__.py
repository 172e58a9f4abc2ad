"""In-memory socialreferral adapters: an example of a third-party provider plugin."""

from socialreferral_memory.adapters import MemoryDocumentStore, MemoryQueue, MemorySecretStore

__all__ = ["MemoryDocumentStore", "MemoryQueue", "MemorySecretStore"]
