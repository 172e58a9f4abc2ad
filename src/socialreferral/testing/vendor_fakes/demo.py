"""The Meta and Dynamics 365 fakes started together for ``socialreferral demo --fakes``.

:func:`meta_dynamics_fakes` serves :class:`~.graph.GraphFake` (HTTP) and
:class:`~.dataverse.DataverseFake` (TLS, throw-away CA) on 127.0.0.1 and yields
:class:`DemoFakes`: the ``SOCIALREFERRAL__*`` variables that point ``[meta]`` and
``[dynamics]`` at them (the CLI puts them in its environment, so the demo's batch
workers, separate processes, inherit them), and the two hooks the demo needs to put its
synthetic bank where a real network would already hold it: :meth:`DemoFakes.seed_social`
(customers' Facebook profiles and friends who use the app) and :meth:`DemoFakes.token_for`
(the long-lived token each customer's Facebook Login would have produced).

For demos and integration tests only: the fakes accept any client that presents their
fixed test credentials (below), which are not secrets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from socialreferral.domain.social import Connection, Profile
from socialreferral.testing.vendor_fakes import dataverse, graph
from socialreferral.testing.vendor_fakes.server import LoopbackServer

#: SecretStore name of the Page token the Meta channel reads (its settings' default).
PAGE_TOKEN_SECRET = "meta-page-token"


@dataclass
class DemoFakes:
    """Running fakes: their settings overrides and the demo's seeding hooks."""

    graph: graph.GraphFake
    dataverse: dataverse.DataverseFake
    env: dict[str, str] = field(default_factory=dict)

    def seed_social(self, profiles: Sequence[Profile], connections: Sequence[Connection]
                    ) -> None:
        """Make the Graph fake hold these consenting customers and their friendships."""
        for profile in profiles:
            # The friend count Graph reports is the ``summary.total_count`` of friends.
            self.graph.add_user(graph.FakeUser(
                profile.person_id, profile.display_name or profile.person_id,
                friends=["not-an-app-user"] * profile.followers, posts=profile.posts))
        for tie in connections:
            for pid in (tie.person_id, tie.other_id):
                if pid not in self.graph.users:
                    self.graph.add_user(graph.FakeUser(pid, pid))
            owner = self.graph.users[tie.person_id]
            owner.friends.append(tie.other_id)
            owner.mutual[tie.other_id] = tie.mutual_connections

    def token_for(self, person_id: str) -> str:
        """A long-lived user token the Graph fake accepts for ``person_id``."""
        return self.graph.issue(person_id, long=True)


@contextmanager
def meta_dynamics_fakes() -> Iterator[DemoFakes]:
    """Start both fakes; stop them on exit (module docstring)."""
    with ExitStack() as stack:
        graph_fake, dataverse_fake = graph.GraphFake(), dataverse.DataverseFake()
        graph_server = stack.enter_context(LoopbackServer(graph_fake))
        crm_server = stack.enter_context(LoopbackServer(dataverse_fake, tls=True))
        assert crm_server.ca_path is not None
        env = {
            "SOCIALREFERRAL__META__GRAPH_URL": graph_server.url,
            "SOCIALREFERRAL__META__DIALOG_URL": graph_server.url,
            "SOCIALREFERRAL__META__APP_ID": graph.APP_ID,
            "SOCIALREFERRAL__META__APP_SECRET": graph.APP_SECRET,
            "SOCIALREFERRAL__META__PAGE_ID": graph.PAGE_ID,
            "SOCIALREFERRAL__DYNAMICS__ENVIRONMENT_URL": crm_server.url,
            "SOCIALREFERRAL__DYNAMICS__AUTHORITY": crm_server.url,
            "SOCIALREFERRAL__DYNAMICS__DISABLE_INSTANCE_DISCOVERY": "true",
            "SOCIALREFERRAL__DYNAMICS__CA_BUNDLE": crm_server.ca_path,
            "SOCIALREFERRAL__DYNAMICS__TENANT_ID": dataverse.TENANT,
            "SOCIALREFERRAL__DYNAMICS__CLIENT_ID": dataverse.CLIENT_ID,
            "SOCIALREFERRAL__DYNAMICS__CLIENT_SECRET": dataverse.CLIENT_SECRET,
        }
        yield DemoFakes(graph_fake, dataverse_fake, env)


__all__ = ["PAGE_TOKEN_SECRET", "DemoFakes", "meta_dynamics_fakes"]
