"""Testing support shipped with the package.

- :mod:`socialreferral.testing.contracts` — the conformance kit: one mixin per port that a
  provider's tests subclass (``class TestSqsQueue(QueueContract, SqsFixtures): pass``).
- :mod:`socialreferral.testing.fakes` — recording fakes for service-level tests.
- :mod:`socialreferral.testing.emulators` — stand-ins for what cloud emulators lack (moto's
  AWS Batch runs no container), plugged in by the composition root only when settings ask.
- :mod:`socialreferral.testing.pytest_plugin` — loaded automatically by pytest when the
  package is installed: markers and a summary of which backend each contract ran on.
"""
