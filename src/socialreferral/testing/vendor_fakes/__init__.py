"""Loopback fakes of the vendors' HTTP APIs, for the *real* client libraries to talk to.

Each fake is a small in-memory service answering the documented request and response
shapes of one vendor (the examples, with their sources, are kept in ``tests/fixtures/<vendor>/``),
served on ``127.0.0.1`` by :class:`~socialreferral.testing.vendor_fakes.server.LoopbackServer`
(a real socket, optionally TLS with a throw-away CA made by ``cryptography``), so
``httpx``, ``azure-identity``/MSAL, Authlib and the SDKs run their real code paths.
They ship inside the package, like the conformance kit, so integrators' tests and
``socialreferral demo --settings examples/meta-dynamics-fakes.toml`` can start them.

Fakes: :mod:`.dataverse` (Dynamics 365 Web API + Entra ID token endpoint),
:mod:`.graph` (Meta Graph API + Facebook Login),
:mod:`.x_api` (X API v2 + X OAuth 2.0), :mod:`.linkedin_api` (LinkedIn Community
Management API + Sign In with LinkedIn). Each module's docstring says what it does not
cover.
"""

from __future__ import annotations

__all__: list[str] = []
