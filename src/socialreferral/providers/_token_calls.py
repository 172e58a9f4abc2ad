"""One mapping of an Authlib token-endpoint call's failures, for the OAuth logins that
talk to their token endpoint through Authlib's httpx client (X, LinkedIn)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from socialreferral.errors import SocialReferralError, TokenInvalid, TransientError

__all__ = ["token_call"]


def token_call(network: str, label: str, url: str, subject: str,
               call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """``call(url, **kwargs)`` (an Authlib ``fetch_token``/``refresh_token``): a transport
    failure is ``TransientError``; a refused grant is ``TokenInvalid`` (re-consent),
    without the network's answer in the message."""
    try:
        answer = call(url, **kwargs)
    except SocialReferralError:
        raise
    except httpx.TransportError as exc:
        raise TransientError(f"{label} {subject}: {type(exc).__name__}") from exc
    except Exception as exc:  # authlib's OAuthError: the grant was refused
        raise TokenInvalid(f"{label} refused the {subject} ({type(exc).__name__})",
                           network=network) from None
    return dict(answer)
