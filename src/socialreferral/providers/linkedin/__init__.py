"""LinkedIn as a SocialChannel (organisation posts and comments) and Sign In with
LinkedIn (OpenID Connect) (extra ``linkedin``).

Modules: ``settings`` (``[linkedin]``), ``errors`` (the one place API answers are
mapped), ``api`` (the official ``linkedin-api-client`` Rest.li client with the host
hook), ``channel`` (``LinkedInSocialChannel``), ``login`` (``LinkedInLogin``, Authlib),
``plugin``. See ``docs/providers/linkedin.md``, which also says what LinkedIn's terms
forbid automating.
"""
