"""The conformance kit: behaviour tests every adapter of a port must pass.

A provider proves its adapter by subclassing the port's contract and supplying its
fixtures (each contract module's docstring defines them)::

    from socialreferral.testing.contracts import QueueContract

    class TestSqsQueue(QueueContract, SqsFixtures):
        pass

Contracts and their fixtures:

* :class:`QueueContract`: ``make_queue`` (``make_queue(**options) -> Queue``, a fresh
  empty queue per call) and ``backend``.
* :class:`DocumentStoreContract`: ``store`` (fresh, empty) and ``backend``.
* :class:`SecretStoreContract`: ``secret_store`` and ``backend``.
* :class:`BatchComputeContract`: ``batch`` (with the kit's tasks registered) and
  ``backend``.
* :class:`CRMContract`: ``crm`` (a fresh adapter) and ``backend``.
* :class:`SocialChannelContract`: ``social`` (a fresh adapter), ``seed_social``
  (``seed_social(profiles, connections)`` makes the network hold what a real one already
  would for consenting people), ``delivered`` (``delivered(recipient_id=None)``: the
  messages the network received, one per delivery) and ``backend``.

``backend`` is a short string saying what the adapter ran against ("local SQLite",
"moto in-process"); every test records it with ``record_property`` and quotes it in its
assertion messages. Declared capabilities have their behaviour tested; undeclared ones
must raise :class:`~socialreferral.errors.Unsupported` naming the adapter.
"""

from socialreferral.testing.contracts.batch import BatchComputeContract
from socialreferral.testing.contracts.crm import CRMContract
from socialreferral.testing.contracts.queue import QueueContract
from socialreferral.testing.contracts.secrets import SecretStoreContract
from socialreferral.testing.contracts.social import SocialChannelContract
from socialreferral.testing.contracts.store import DocumentStoreContract

__all__ = [
    "BatchComputeContract",
    "CRMContract",
    "DocumentStoreContract",
    "QueueContract",
    "SecretStoreContract",
    "SocialChannelContract",
]
