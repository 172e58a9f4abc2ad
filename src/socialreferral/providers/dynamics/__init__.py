"""Dynamics 365 (Dataverse Web API, OData v4) as the CRM (extra `dynamics`).

Modules: ``settings`` (the ``[dynamics]`` table), ``client`` (an httpx client with an
``azure-identity`` client-credentials token), ``errors`` (the one place Dataverse answers
become library errors), ``mapping`` (records to rows and back), ``crm`` (``DynamicsCRM``),
``plugin`` (registration). See ``docs/providers/dynamics.md``.
"""
