"""Create missing AWS resources, for emulators and development accounts only.

Used when ``create_missing_resources = true``. In production the resources come from your
infrastructure code and the adapters need none of the ``Create*`` permissions; see
``docs/providers/aws.md``. Every function is idempotent: existing resources are reused
(their configuration is not changed).
"""

from __future__ import annotations

import json
from typing import Any

from socialreferral.errors import ConfigurationError, SocialReferralError
from socialreferral.providers.aws.errors import error_code, map_boto_errors


def ensure_queue(
    sqs: Any,
    name: str,
    *,
    visibility_timeout: int = 30,
    dead_letter_url: str | None = None,
    max_receives: int | None = None,
) -> str:
    """URL of queue ``name``, created (FIFO if the name ends in ``.fifo``) if missing.

    With ``dead_letter_url`` and ``max_receives`` the new queue gets a redrive policy that
    moves a message to the dead-letter queue after ``max_receives`` receives.
    """
    attributes = {"VisibilityTimeout": str(visibility_timeout)}
    if name.endswith(".fifo"):
        attributes["FifoQueue"] = "true"
    if dead_letter_url is not None and max_receives is not None:
        with map_boto_errors(ConfigurationError, what=f"dead-letter queue {dead_letter_url}"):
            arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": arn, "maxReceiveCount": str(max_receives)}
        )
    with map_boto_errors(ConfigurationError, what=f"create queue {name}"):
        url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create the claim-check bucket if it does not exist."""
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":  # us-east-1 rejects an explicit location constraint
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        with map_boto_errors(ConfigurationError, what=f"create bucket {bucket}"):
            s3.create_bucket(**kwargs)
    except SocialReferralError as exc:
        if "BucketAlreadyOwnedByYou" not in str(exc) and "BucketAlreadyExists" not in str(exc):
            raise


def ensure_table(ddb: Any, table: str, indexed_fields: tuple[str, ...]) -> None:
    """Create the documents table (``pk``/``sk``, one GSI per indexed field, TTL on
    ``expires_at``) if it does not exist, and wait until it is active."""
    definitions = [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]
    indexes = []
    for field in indexed_fields:
        definitions.append({"AttributeName": f"i_{field}", "AttributeType": "S"})
        indexes.append(
            {
                "IndexName": f"by_{field}",
                "KeySchema": [
                    {"AttributeName": f"i_{field}", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": definitions,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    try:
        ddb.create_table(**kwargs)
    except Exception as exc:
        if error_code(exc) != "ResourceInUseException":
            with map_boto_errors(ConfigurationError, what=f"create table {table}"):
                raise
        return
    with map_boto_errors(ConfigurationError, what=f"create table {table}"):
        ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1})
        ddb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
        )


def ensure_batch(session: Any, endpoint_url: str | None, name: str, image: str) -> tuple[str, str]:
    """Create a job queue and a container job definition named ``name`` (plus the IAM role,
    VPC, subnet and security group a managed compute environment needs); return
    ``(job_queue, job_definition)``. Meant for moto; on AWS use infrastructure code."""
    from socialreferral.providers.aws.clients import make_client_for

    batch = make_client_for(session, endpoint_url, "batch")
    with map_boto_errors(ConfigurationError, what="provision AWS Batch"):
        queues = batch.describe_job_queues(jobQueues=[name])["jobQueues"]
        if not queues:
            iam = make_client_for(session, endpoint_url, "iam")
            ec2 = make_client_for(session, endpoint_url, "ec2")
            role = _ensure_role(iam, f"{name}-batch")
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
            group = ec2.create_security_group(
                GroupName=f"{name}-batch", Description="socialreferral batch", VpcId=vpc
            )["GroupId"]
            environment = batch.create_compute_environment(
                computeEnvironmentName=name,
                type="MANAGED",
                state="ENABLED",
                computeResources={
                    "type": "FARGATE",
                    "maxvCpus": 16,
                    "subnets": [subnet],
                    "securityGroupIds": [group],
                },
                serviceRole=role,
            )["computeEnvironmentArn"]
            batch.create_job_queue(
                jobQueueName=name,
                state="ENABLED",
                priority=1,
                computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}],
            )
        definitions = batch.describe_job_definitions(jobDefinitionName=name, status="ACTIVE")
        if not definitions["jobDefinitions"]:
            batch.register_job_definition(
                jobDefinitionName=name,
                type="container",
                containerProperties={
                    "image": image,
                    "command": ["socialreferral", "run-task"],
                    "resourceRequirements": [
                        {"type": "VCPU", "value": "1"},
                        {"type": "MEMORY", "value": "2048"},
                    ],
                },
            )
    return name, name


def _ensure_role(iam: Any, name: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "batch.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    try:
        arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"
        ]["Arn"]
    except Exception as exc:
        if error_code(exc) != "EntityAlreadyExists":
            raise
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    return arn


__all__ = ["ensure_batch", "ensure_bucket", "ensure_queue", "ensure_table"]
