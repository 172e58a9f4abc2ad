"""The customer-care queue's pure core (seed 003, IBM SCION)."""

from socialreferral.care.ranker import CareRanker
from socialreferral.care.models import CarePost, CareScore

__all__ = ["CarePost", "CareRanker", "CareScore"]
