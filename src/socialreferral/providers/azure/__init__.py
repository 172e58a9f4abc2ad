"""The Azure provider: Queue Storage (+ Blob claim check), Cosmos DB, Key Vault, Batch.

Install with ``pip install 'socialreferral[azure]'``. Importing this package or any of its
modules needs no Azure SDK; the SDK is imported when an adapter is built. See
``docs/providers/azure.md``.
"""
