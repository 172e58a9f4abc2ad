"""The AWS provider: SQS (+ S3 claim check), DynamoDB, Secrets Manager and AWS Batch.

Adapters: :class:`~socialreferral.providers.aws.queue.SqsQueue`,
:class:`~socialreferral.providers.aws.store.DynamoDocumentStore`,
:class:`~socialreferral.providers.aws.secrets.SecretsManagerStore`,
:class:`~socialreferral.providers.aws.batch.AwsBatchCompute`; settings in
:class:`~socialreferral.providers.aws.settings.AwsSettings` (section ``[aws]``); botocore
errors are translated in one place, :func:`~socialreferral.providers.aws.errors.map_boto_errors`.
boto3 is an optional extra (``pip install 'socialreferral[aws]'``), imported lazily by the
adapters, so importing this package and its modules works without it.
See ``docs/providers/aws.md`` for features, settings and IAM permissions.
"""
