"""What a run produced, and how it differs from the reference run's.

:meth:`Ledger.capture` reads every effect the flows promise exactly once — processed
events, offers, manual-offer opportunities, CRM leads, rewards, care items, CRM tasks,
messages sent through the SocialChannel — each as ``record id -> fingerprint`` (the
fields that must not depend on the run: an offer's event, product, referrer and status,
a reward's lead, amount, status and flags, ...) plus its *natural key* (what must be
unique: one reward per referral, one task per reward, one care item per conversation).
It also counts what sits in the dead-letter queue.

:func:`compare` then gives, per kind: **lost** (in the reference, not in the run),
**duplicated** (in the run but not in the reference, or a natural key held by two
records) and **changed** (same id, different fingerprint).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from socialreferral.bootstrap import Providers
from socialreferral.records import Capability

KINDS = ("events", "offers", "opportunities", "leads", "rewards", "care_items", "crm_tasks",
         "messages")


@dataclass
class Ledger:
    """``records[kind][id] = (natural key, fingerprint)``; ``dead_letters`` counted."""

    records: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    dead_letters: int = 0

    def count(self, kind: str) -> int:
        """How many records of ``kind``."""
        return len(self.records.get(kind, {}))

    def counts(self) -> dict[str, int]:
        """Records per kind."""
        return {kind: self.count(kind) for kind in KINDS}

    @classmethod
    def capture(cls, providers: Providers, *, dead_letters: bool = True) -> Ledger:
        """Read a run's effects from ``providers`` (see the module docstring)."""
        repositories, crm = providers.repositories, providers.crm
        ledger = cls()
        add = ledger._add
        add("events", ((e.event_id, e.event_id, f"{e.matched}|{e.product_id}")
                       for e in repositories.events.processed()))
        add("offers", ((o.offer_id, f"{o.event_id}|{o.product_id}",
                        f"{o.referrer_id}|{o.status.value}|{o.kind.value}")
                       for o in repositories.referrals.offers()))
        if crm.supports(Capability.OPPORTUNITIES):
            add("opportunities", ((o.opportunity_id, o.opportunity_id,
                                   f"{o.prospect_id}|{o.product_id}|{o.referrer_id}")
                                  for o in crm.list_opportunities()))
        add("leads", ((lead.lead_id, lead.referral_id or lead.lead_id,
                       f"{lead.email}|{lead.phone}|{lead.product_id}")
                      for lead in crm.list_leads()))
        add("rewards", ((r.reward.reward_id, r.reward.referral_id,
                         f"{r.reward.lead_id}|{r.reward.amount}|{r.reward.status.value}|"
                         f"{','.join(sorted(r.reward.flags))}")
                        for r in repositories.referrals.rewards()))
        add("care_items", ((i.ticket_id, i.ticket_id, f"{i.queue}|{i.posts}|{i.status}")
                           for i in repositories.care_items.since(0.0)))
        if crm.supports(Capability.TASKS):
            add("crm_tasks", ((t.task_id, t.related_id or t.task_id, t.subject)
                              for t in crm.list_tasks()))
        sent = getattr(providers.social, "sent_messages", None)
        if callable(sent):
            add("messages", ((m.message_id, m.message_id, f"{m.recipient_id}|{m.kind}")
                             for m in sent()))
        if dead_letters and providers.queue.supports(Capability.DEAD_LETTER):
            ledger.dead_letters = _count_dead_letters(providers)
        return ledger

    def _add(self, kind: str, rows: Iterable[tuple[str, str, str]]) -> None:
        table = self.records.setdefault(kind, {})
        for record_id, natural, fingerprint in rows:
            if record_id in table:  # two stored records with one id: a duplicate
                natural = f"{natural}#dup{len(table)}"
                record_id = f"{record_id}#dup{len(table)}"
            table[record_id] = (natural, fingerprint)


def _count_dead_letters(providers: Providers) -> int:
    """Messages in the dead-letter queue (received, so hidden for a while; not acked)."""
    seen: set[str] = set()
    for _ in range(1000):
        batch = providers.queue.dead_letters(10)
        fresh = [m for m in batch if m.message_id not in seen]
        if not fresh:
            break
        seen.update(m.message_id for m in fresh)
    return len(seen)


@dataclass(frozen=True)
class KindDiff:
    """Differences of one kind of record."""

    lost: tuple[str, ...] = ()
    duplicated: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """A run against the reference: per kind, and the totals the campaign asserts on."""

    kinds: dict[str, KindDiff]
    reference: dict[str, int]
    run: dict[str, int]
    dead_letters: int = 0

    @property
    def lost(self) -> int:
        """Records the reference has and the run lacks (dead letters included)."""
        return sum(len(d.lost) for d in self.kinds.values()) + self.dead_letters

    @property
    def duplicated(self) -> int:
        """Records beyond the reference's, or natural keys held twice."""
        return sum(len(d.duplicated) for d in self.kinds.values())

    @property
    def changed(self) -> int:
        """Records whose content differs from the reference's."""
        return sum(len(d.changed) for d in self.kinds.values())

    def describe(self, limit: int = 5) -> str:
        """Counts per kind and the first differing ids (for an assertion message)."""
        lines = [f"lost = {self.lost}, duplicated = {self.duplicated}, "
                 f"changed = {self.changed}, dead letters = {self.dead_letters}"]
        for kind, diff in self.kinds.items():
            lines.append(
                f"  {kind}: reference {self.reference.get(kind, 0)}, run "
                f"{self.run.get(kind, 0)}; lost {list(diff.lost[:limit])} "
                f"duplicated {list(diff.duplicated[:limit])} changed {list(diff.changed[:limit])}")
        return "\n".join(lines)


def compare(reference: Ledger, run: Ledger) -> Comparison:
    """``run`` against ``reference`` (see the module docstring)."""
    kinds: dict[str, KindDiff] = {}
    for kind in KINDS:
        want, got = reference.records.get(kind, {}), run.records.get(kind, {})
        lost = tuple(sorted(set(want) - set(got)))
        extra = set(got) - set(want)
        naturals = Counter(natural for natural, _ in got.values())
        # A key the reference itself holds twice is not unique in this workload.
        expected = Counter(natural for natural, _ in want.values())
        twice = {record_id for record_id, (natural, _) in got.items()
                 if naturals[natural] > 1 and expected[natural] <= 1}
        changed = tuple(sorted(i for i in set(want) & set(got) if want[i][1] != got[i][1]))
        kinds[kind] = KindDiff(lost, tuple(sorted(extra | twice)), changed)
    return Comparison(kinds, reference.counts(), run.counts(), run.dead_letters)


__all__ = ["KINDS", "Comparison", "KindDiff", "Ledger", "compare"]
