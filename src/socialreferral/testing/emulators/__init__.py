"""Stand-ins for what cloud emulators lack, kept out of the production adapters.

- :mod:`socialreferral.testing.emulators.aws_batch`: moto's AWS Batch runs no container,
  so :class:`~socialreferral.testing.emulators.aws_batch.EmulatedJobs` runs each submitted
  job's command in a local subprocess. The composition root plugs it into
  :class:`~socialreferral.providers.aws.batch.AwsBatchCompute` (its ``job_runner`` hook)
  only when the settings say ``[aws] emulator_runs_jobs = true``, which is refused
  without an emulator ``endpoint_url``.
"""
