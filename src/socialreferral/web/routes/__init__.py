"""The web edge's routes, one module per area; each exposes ``<area>_router(providers)``."""

from socialreferral.web.routes.care import care_router
from socialreferral.web.routes.connect import connect_router
from socialreferral.web.routes.health import health_router
from socialreferral.web.routes.influence import influence_router
from socialreferral.web.routes.people import people_router
from socialreferral.web.routes.referrals import referral_router
from socialreferral.web.routes.unsubscribe import unsubscribe_router
from socialreferral.web.routes.webhooks import webhook_router

__all__ = ["care_router", "connect_router", "health_router", "influence_router",
           "people_router", "referral_router", "unsubscribe_router", "webhook_router"]
