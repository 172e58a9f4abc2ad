"""``[referral]`` settings: every threshold and weight of the referral domain in one place.

Each sub-model has defaults that work for a demo; a deployment overrides what it needs in
the settings file. Unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.eligibility import EligibilityRules
from socialreferral.domain.fraud import FraudRules
from socialreferral.domain.incentives import IncentiveRules
from socialreferral.domain.policy import ContactPolicy
from socialreferral.domain.promotions import PromotionTargeting
from socialreferral.domain.ties import TieWeights
from socialreferral.text.activity import AnalyzerSettings


class ReferralSettings(DomainModel):
    """The ``[referral]`` section of the settings file."""

    ties: TieWeights = TieWeights()
    eligibility: EligibilityRules = EligibilityRules()
    contact_policy: ContactPolicy = ContactPolicy()
    incentives: IncentiveRules = IncentiveRules()
    fraud: FraudRules = FraudRules()
    promotions: PromotionTargeting = PromotionTargeting()
    analyzer: AnalyzerSettings = AnalyzerSettings()
    link_ttl_hours: float = Field(default=72.0, gt=0)
    remind_after_days: float = Field(default=3.0, gt=0)
    # A flagged reward nobody decided on within this many hours is approved by the
    # scheduled job referral.auto-approve (as ReferralCandy does); 0 = never.
    review_deadline_hours: float = Field(default=72.0, ge=0, le=24 * 365)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


__all__ = ["ReferralSettings"]
