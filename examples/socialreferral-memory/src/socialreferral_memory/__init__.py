"""In-memory socialreferral adapters: an example of a third-party provider plugin."""

from socialreferral_memory.adapters import MemoryDocumentStore, MemoryQueue, MemorySecretStore
from socialreferral_memory.crm import MemoryCRM
from socialreferral_memory.social import MemorySocialChannel

__all__ = [
    "MemoryCRM",
    "MemoryDocumentStore",
    "MemoryQueue",
    "MemorySecretStore",
    "MemorySocialChannel",
]
