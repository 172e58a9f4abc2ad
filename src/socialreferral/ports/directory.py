"""Where B2B profiles come from: a company register and our staff's contact network.

Seed 004's second block retrieves employee profiles of the target companies "from SNS or
web", and its fifth walks "the best social connection path" from our salespeople. Two
small interfaces carry that, so the sales process (:mod:`socialreferral.service.people.
b2b`) never knows whether the data came from a register's API, a professional network's
partner programme, or a recording:

* :class:`CompanyDirectory` — companies (name, industry, size, region) and the profiles
  of their employees, as :class:`~socialreferral.people.profiles.CapturedProfile`
  (the same captures fusion links with CRM contacts and social logins);
* :class:`ContactNetwork` — our staff (who is in sales) and the ties between staff,
  intermediaries and contacts, with strengths in (0, 1].

These are not (yet) ports chosen in ``[ports]``: the composition root builds one from
``[people.b2b] directory_file`` (the replay adapter,
:class:`socialreferral.providers.local.directory.ReplayDirectory`) or an integrator passes
its own. No adapter here crawls anything: LinkedIn's User Agreement forbids scraping and
automated access without permission (docs/people.md, "What may be automated").
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from socialreferral.people.b2b import Company
from socialreferral.people.graph import Person, Tie
from socialreferral.people.profiles import CapturedProfile


class CompanyDirectory(ABC):
    """Companies and their employees' profiles."""

    @abstractmethod
    def companies(self) -> list[Company]:
        """Every company the directory can describe (a register's prefetch)."""

    @abstractmethod
    def employees(self, company: Company) -> list[CapturedProfile]:
        """The employee profiles of ``company`` the source may share (bounded by it)."""


class ContactNetwork(ABC):
    """Our staff and the ties the introduction paths walk."""

    @abstractmethod
    def staff(self) -> list[Person]:
        """Our employees (``is_employee``; ``is_sales`` for the sales team)."""

    @abstractmethod
    def ties(self) -> list[Tie]:
        """Ties between staff, intermediaries and contacts (ids as in :meth:`people`
        and in the employees' ``external_id``)."""

    @abstractmethod
    def people(self) -> list[Person]:
        """Intermediaries known by name (neither staff nor captured employees)."""


__all__ = ["CompanyDirectory", "ContactNetwork"]
