"""X (API v2) as a SocialChannel, and X's OAuth 2.0 login (extra ``x``).

Modules: ``settings`` (``[x]``), ``errors`` (the one place tweepy/HTTP errors are
mapped), ``api`` (tweepy ``Client`` factory with the host hook), ``channel``
(``XSocialChannel``), ``login`` (``XLogin``, Authlib), ``plugin``. See
``docs/providers/x.md``.
"""
