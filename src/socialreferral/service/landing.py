"""What a prospect sees behind a referral link, and the checks of the HTML lead form.

:func:`landing_view` gathers the personalised offer: who recommended it (the referrer's
display name), the product (name and description from the CRM catalog), the offer's own
text and the link's expiry, and whether the form was already sent. :func:`form_errors`
validates the HTML form field by field — every problem at once, in words for a person,
none of which repeats what was typed — and :func:`lead_form` turns a valid form into what
:func:`~socialreferral.service.referrals.submit_lead` takes. :func:`link_problem` tells
an expired link from one that was never valid (mistyped, tampered with, unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialreferral.domain.crm import normalise_email, normalise_phone
from socialreferral.domain.referrals import Referral, ReferralStatus
from socialreferral.errors import SignatureInvalid
from socialreferral.ports import CRM, SecretStore
from socialreferral.repositories import Repositories
from socialreferral.service.referrals import open_link

FORM_LABELS = {"name": "Your name", "email": "E-mail", "phone": "Phone",
               "consent_contact": "Agreement to be contacted"}
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class LandingView:
    """The personalised offer behind a link (module docstring)."""

    referral: Referral
    referrer_name: str
    product_name: str
    product_description: str
    offer_text: str
    expires_at: datetime

    @property
    def lead_captured(self) -> bool:
        """True once the prospect's form was taken for this referral."""
        return self.referral.status is ReferralStatus.LEAD_CAPTURED


def landing_view(token: str, *, repositories: Repositories, secrets: SecretStore, crm: CRM,
                 now: datetime | None = None) -> LandingView:
    """The offer behind a genuine, unexpired link; ``SignatureInvalid`` otherwise."""
    referral = open_link(token, repositories=repositories, secrets=secrets,
                         now=now or datetime.now(UTC))
    referrer = repositories.customers.get(referral.referrer_id)
    offer = repositories.referrals.offer(referral.offer_id)
    product = next((p for p in crm.list_products(active_only=False)
                    if p.product_id == referral.product_id), None)
    return LandingView(
        referral=referral,
        referrer_name=(referrer.display_name if referrer and referrer.display_name
                       else "A friend"),
        product_name=product.name if product else referral.product_id,
        product_description=product.description if product else "",
        offer_text=offer.text if offer else "",
        expires_at=referral.link_expires_at,
    )


def link_problem(exc: SignatureInvalid) -> str:
    """``"expired"`` for a link past its time (or a withdrawn referral), ``"invalid"``
    for anything else (malformed, tampered with, signed by an unknown key)."""
    text = str(exc)
    return "expired" if "expired" in text or "revoked" in text else "invalid"


def form_errors(form: Mapping[str, str]) -> dict[str, str]:
    """Every problem of the HTML lead form, by field (empty when it is valid)."""
    errors: dict[str, str] = {}
    name = " ".join(form.get("name", "").split())
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > MAX_NAME_CHARS:
        errors["name"] = f"Use at most {MAX_NAME_CHARS} characters."
    email, phone = form.get("email", "").strip(), form.get("phone", "").strip()
    if email:
        try:
            normalise_email(email)
        except ValueError:
            errors["email"] = "Enter an e-mail address like name@example.com."
    if phone:
        try:
            normalise_phone(phone)
        except ValueError:
            errors["phone"] = "Enter a phone number with 7 to 15 digits, e.g. +44 20 7946 0000."
    if not email and not phone and "email" not in errors:
        errors["email"] = "Enter an e-mail address or a phone number."
    if form.get("consent_contact") != "yes":
        errors["consent_contact"] = "Tick the box so that we may contact you about the offer."
    return errors


def lead_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The use case's form from a valid HTML form (see :func:`form_errors`)."""
    return {
        "name": " ".join(form.get("name", "").split()),
        "email": form.get("email", "").strip() or None,
        "phone": form.get("phone", "").strip() or None,
        "consent_marketing": form.get("consent_marketing") == "yes",
    }


__all__ = ["FORM_LABELS", "LandingView", "form_errors", "landing_view", "lead_form",
           "link_problem"]
