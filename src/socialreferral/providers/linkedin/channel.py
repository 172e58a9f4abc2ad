"""``LinkedInSocialChannel``: the SocialChannel port on LinkedIn's Community Management
API, as the bank's organisation, through the official ``linkedin-api-client``.

What LinkedIn allows an app (docs/providers/linkedin.md): posting and commenting *as an
organisation* whose admin granted ``w_organization_social``; reading a signed-in
member's name and e-mail (OpenID Connect ``userinfo``). Messaging members, reading their
connections, follower counts or feeds needs partner programmes this library does not
assume, and scraping is forbidden by LinkedIn's User Agreement.

* **send**: only public replies (``in_reply_to``, not private) — a comment as the
  organisation on that post or comment (``POST /rest/socialActions/{urn}/comments``).
  An id that is not a URN is taken as a share id (``urn:li:share:<id>``). A plain or
  private message is :class:`~socialreferral.errors.Unsupported` (capability
  ``private_replies`` for private replies; plain messages name ``messages``): LinkedIn's
  messaging APIs are partner-only. Idempotent through the
  :class:`~socialreferral.providers._ledger.SentLedger`.
* **no profiles, no connections** (LinkedIn gives no follower or post counts of members);
  :func:`member_profile` returns what Sign In with LinkedIn allows, for the login.
* **forget**: deletes the organisation's comments to the person
  (``DELETE /rest/socialActions/{urn}/comments/{id}?actor=``), the person's token, and
  the ledger rows.
* beyond the port: :meth:`publish_offer` (``POST /rest/posts`` as the organisation).
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import (
    ConfigurationError,
    InvalidInput,
    SecretNotFound,
    SocialChannelError,
    TokenInvalid,
    Unsupported,
)
from socialreferral.ports import RetryPolicy, SecretStore, SocialChannel
from socialreferral.providers import BuildContext
from socialreferral.providers._ledger import SentLedger, SentRecord
from socialreferral.providers.linkedin.api import restli_client
from socialreferral.providers.linkedin.errors import (
    NETWORK,
    ObjectMissing,
    check,
    map_linkedin_errors,
)
from socialreferral.providers.linkedin.settings import LinkedInSettings
from socialreferral.records import Capability

#: Longest comment LinkedIn accepts (characters).
MAX_COMMENT = 1250
MAX_POST = 3000
_COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<object>urn:li:[A-Za-z]+:[^,()]+),"
                          r"(?P<id>[0-9]+)\)$")


def object_urn(post_id: str) -> str:
    """The URN of the post or comment answered (a bare id is a share)."""
    return post_id if post_id.startswith("urn:li:") else f"urn:li:share:{post_id}"


class LinkedInSocialChannel(SocialChannel):
    """Comments and posts as the organisation (see the module docstring)."""

    network: ClassVar[str] = NETWORK
    provider: ClassVar[str] = "linkedin"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUBLIC_REPLIES})

    def __init__(self, settings: LinkedInSettings, *, secrets: SecretStore, ledger: SentLedger,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(retry=retry)
        if settings.organization_id is None:
            raise ConfigurationError("[linkedin] organization_id is needed by the channel")
        self.settings = settings
        self.organization = f"urn:li:organization:{settings.organization_id}"
        self._secrets = secrets
        self.ledger = ledger

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> Self:
        """Build from ``[linkedin]`` with the SecretStore and DocumentStore bootstrap passes."""
        if not isinstance(settings, LinkedInSettings):
            raise ConfigurationError("LinkedInSocialChannel needs LinkedInSettings")
        extra = context.extra if isinstance(context, BuildContext) else {}
        secrets = extra.get("secrets")
        if not isinstance(secrets, SecretStore):
            raise ConfigurationError("the LinkedIn channel needs the SecretStore in "
                                     "BuildContext.extra['secrets'] (bootstrap passes it)")
        return cls(settings, secrets=secrets, ledger=SentLedger.from_context(extra, NETWORK))

    # -- tokens ------------------------------------------------------------------------
    def _organization_token(self) -> str:
        name = self.settings.organization_token_secret
        try:
            token = StoredToken.from_secret(self._secrets.get(name).value)
        except SecretNotFound:
            raise TokenInvalid(f"no LinkedIn organisation token in the SecretStore under "
                               f"{name!r}; an organisation admin must connect",
                               network=NETWORK) from None
        if token.expired(datetime.now(UTC)):
            raise TokenInvalid("the LinkedIn organisation token has expired; an admin "
                               "must log in again", network=NETWORK)
        return token.access_token

    # -- primitives ----------------------------------------------------------------------
    def _send(self, message: OutboundMessage) -> str:
        if message.in_reply_to is None:
            raise Unsupported(self.adapter_name, "messages",
                              "LinkedIn's messaging APIs are open to approved partners only")
        text = message.text if not message.link else f"{message.text}\n{message.link}"
        if len(text) > MAX_COMMENT:
            raise InvalidInput(f"longer than a LinkedIn comment ({MAX_COMMENT})",
                               field="message.text")
        held = self.ledger.claim(message.message_id, message.recipient_id)
        if held is not None:
            return held
        try:
            network_id = self._comment(object_urn(message.in_reply_to), text)
        except BaseException:
            self.ledger.release(message.message_id)
            raise
        self.ledger.complete(SentRecord(message.message_id, message.recipient_id, network_id,
                                        message.kind, message.in_reply_to, public=True))
        return network_id

    def _comment(self, target: str, text: str) -> str:
        token = self._organization_token()
        with restli_client(self.settings) as client, map_linkedin_errors("comment"):
            answer = client.create(
                resource_path="/socialActions/{urn}/comments", path_keys={"urn": target},
                entity={"actor": self.organization, "object": target,
                        "message": {"text": text}},
                access_token=token, version_string=self.settings.api_version)
        check(answer, "comment")
        entity = answer.entity if isinstance(answer.entity, dict) else {}
        urn = entity.get("$URN") or answer.entity_id
        if not isinstance(urn, str) or not urn:
            raise SocialChannelError("LinkedIn answered a comment without its URN")
        return urn

    def _get_profile(self, person_id: str) -> Profile | None:
        return None  # never called: no ``profiles`` capability

    def _get_connections(self, person_id: str) -> list[Connection]:
        return []  # never called: no ``connections`` capability

    def _forget(self, person_id: str) -> None:
        comments = [r for r in self.ledger.sent_to(person_id) if r.public]
        if comments:
            token = self._organization_token()
            with restli_client(self.settings) as client:
                for record in comments:
                    match = _COMMENT_URN.match(record.network_id)
                    if match is None:
                        continue
                    with map_linkedin_errors("delete comment"):
                        answer = client.delete(
                            resource_path="/socialActions/{urn}/comments/{id}",
                            path_keys={"urn": match["object"], "id": match["id"]},
                            query_params={"actor": self.organization}, access_token=token,
                            version_string=self.settings.api_version)
                    with contextlib.suppress(ObjectMissing):  # deleted already
                        check(answer, "delete comment")
        self.ledger.forget(person_id)
        with contextlib.suppress(SecretNotFound):
            self._secrets.delete(token_secret_name(NETWORK, person_id))

    # -- beyond the port ---------------------------------------------------------------
    def publish_offer(self, text: str, link: str | None = None) -> str:
        """Publish an offer as the organisation; return the post URN."""
        body = text if not link else f"{text}\n{link}"
        if not isinstance(text, str) or not 0 < len(body) <= MAX_POST:
            raise InvalidInput(f"must be 1-{MAX_POST} characters", field="text")

        def post() -> str:
            token = self._organization_token()
            with restli_client(self.settings) as client, map_linkedin_errors("publish"):
                answer = client.create(
                    resource_path="/posts", access_token=token,
                    version_string=self.settings.api_version,
                    entity={"author": self.organization, "commentary": body,
                            "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
                            "isReshareDisabledByAuthor": False,
                            "distribution": {"feedDistribution": "MAIN_FEED",
                                             "targetEntities": [],
                                             "thirdPartyDistributionChannels": []}})
            check(answer, "publish")
            if not isinstance(answer.entity_id, str) or not answer.entity_id:
                raise SocialChannelError("LinkedIn answered a post without x-restli-id")
            return answer.entity_id

        urn: str = self._call(post)
        return urn


def member_profile(settings: LinkedInSettings, token: str) -> dict[str, Any]:
    """``GET /v2/userinfo`` (OpenID Connect): ``sub``, ``name``, ``email`` if granted —
    the member data Sign In with LinkedIn allows."""
    with restli_client(settings) as client, map_linkedin_errors("userinfo"):
        answer = client.get(resource_path="/userinfo", access_token=token)
    check(answer, "userinfo")
    entity = answer.entity if isinstance(answer.entity, dict) else {}
    if not entity.get("sub"):
        raise TokenInvalid("LinkedIn answered userinfo without a subject", network=NETWORK)
    return entity


__all__ = ["LinkedInSocialChannel", "member_profile", "object_urn"]
