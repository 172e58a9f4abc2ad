"""Meta (Facebook Graph API) as a SocialChannel, and Facebook Login (extra ``meta``).

Modules: ``settings`` (``[meta]``), ``errors`` (the one place Graph errors are mapped),
``graph`` (an httpx Graph client), ``channel`` (``MetaSocialChannel``), ``login``
(``MetaLogin``, Authlib), ``plugin``. See ``docs/providers/meta.md``.
"""
