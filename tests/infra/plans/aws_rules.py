"""AWS's documented rules for the names and descriptions the stacks set, checked on planned values.

The emulator accepts much that AWS refuses (an apostrophe in a security group's description, a
63-character bucket name plus more), so every value AWS constrains is held here to the rule AWS
documents, with the document it comes from. A name Terraform generates from a prefix
(`name_prefix`, `bucket_prefix`) is checked as the prefix plus the 26 characters Terraform appends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from plan_model import Plan

# Terraform's generated suffix after a name_prefix (a timestamp and a counter).
GENERATED_SUFFIX = 26

EC2_TEXT = re.compile(r"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$")
EC2_CHARACTERS = "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
IAM_NAME = re.compile(r"^[\w+=,.@-]+$")
IAM_DESCRIPTION = re.compile(r"^[\t\n\r\x20-\x7e\xa1-\xff]*$")
ELB_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$")
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
KMS_ALIAS = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")
LOG_GROUP = re.compile(r"^[._\-/#A-Za-z0-9]+$")
RDS_IDENTIFIER = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")
RDS_DATABASE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
RDS_SUBNET_GROUP = re.compile(r"^[a-zA-Z0-9 ._-]+$")
SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]+$")
ECR_REPOSITORY = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
ECS_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
SNS_TOPIC = re.compile(r"^[A-Za-z0-9_-]+$")
WAF_NAME = re.compile(r"^[\w-]+$")
WAF_DESCRIPTION = re.compile(r"^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$")
WAF_METRIC = re.compile(r"^[\w#:.\-/]+$")
PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]*$")


@dataclass(frozen=True)
class Rule:
    """What AWS accepts for one attribute of one resource type, and where AWS says so."""

    resource_type: str
    attribute: str
    test: Callable[[str], str | None]  # returns what is wrong, or None
    source: str


def text(pattern: re.Pattern[str], maximum: int, minimum: int = 1, what: str = "") -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if not minimum <= len(value) <= maximum:
            return f"{len(value)} characters (allowed {minimum}-{maximum})"
        if not pattern.match(value):
            bad = sorted({character for character in value if not pattern.match(character) and pattern.pattern.startswith("^[")})
            return f"characters outside {what or pattern.pattern}" + (f": {''.join(bad)!r}" if bad else "")
        return None

    return check


def both(*checks: Callable[[str], str | None]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return next((problem for test in checks if (problem := test(value))), None)

    return check


def refuses(predicate: Callable[[str], bool], message: str) -> Callable[[str], str | None]:
    return lambda value: message if predicate(value) else None


def prefixed(check: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """A prefix checked as the name Terraform makes of it (prefix + 26 generated characters)."""
    return lambda prefix: check(prefix + "0" * GENERATED_SUFFIX)


RDS_ID_RULES = both(
    refuses(lambda value: "--" in value or value.endswith("-"), "two hyphens in a row or a trailing hyphen"),
)

RULES: tuple[Rule, ...] = (
    Rule("aws_security_group", "description", text(EC2_TEXT, 255, 0, EC2_CHARACTERS),
         "Amazon EC2 API Reference, CreateSecurityGroup: GroupDescription"),
    Rule("aws_security_group", "name", both(text(EC2_TEXT, 255, 1, EC2_CHARACTERS), refuses(lambda v: v.startswith("sg-"), "starts with sg-")),
         "Amazon EC2 API Reference, CreateSecurityGroup: GroupName"),
    Rule("aws_security_group", "name_prefix", prefixed(text(EC2_TEXT, 255, 1, EC2_CHARACTERS)), "CreateSecurityGroup: GroupName"),
    Rule("aws_vpc_security_group_ingress_rule", "description", text(EC2_TEXT, 255, 0, EC2_CHARACTERS),
         "Amazon EC2 API Reference, IpRange/UserIdGroupPair: Description"),
    Rule("aws_vpc_security_group_egress_rule", "description", text(EC2_TEXT, 255, 0, EC2_CHARACTERS),
         "Amazon EC2 API Reference, IpRange/UserIdGroupPair: Description"),
    Rule("aws_iam_role", "name", text(IAM_NAME, 64), "IAM API Reference, CreateRole: RoleName"),
    Rule("aws_iam_role", "description", text(IAM_DESCRIPTION, 1000, 0), "IAM API Reference, CreateRole: Description"),
    Rule("aws_iam_role", "max_session_duration", lambda v: None if 3600 <= int(v) <= 43200 else f"{v} outside 3600-43200",
         "IAM API Reference, CreateRole: MaxSessionDuration"),
    Rule("aws_iam_role_policy", "name", text(IAM_NAME, 128), "IAM API Reference, PutRolePolicy: PolicyName"),
    Rule("aws_lb", "name", both(text(ELB_NAME, 32), refuses(lambda v: v.startswith("internal-"), "starts with internal-")),
         "Elastic Load Balancing API Reference, CreateLoadBalancer: Name"),
    Rule("aws_lb_target_group", "name", text(ELB_NAME, 32), "Elastic Load Balancing API Reference, CreateTargetGroup: Name"),
    Rule("aws_lb_target_group", "name_prefix", text(re.compile(r"^[a-zA-Z0-9-]+$"), 6),
         "CreateTargetGroup: Name (Terraform allows a prefix of at most 6 characters)"),
    Rule("aws_s3_bucket", "bucket", both(
        text(S3_BUCKET, 63, 3),
        refuses(lambda v: ".." in v or v.startswith("xn--") or v.endswith("-s3alias") or bool(re.match(r"^\d+\.\d+\.\d+\.\d+$", v)),
                "two dots in a row, an IP address, or a reserved prefix or suffix"),
    ), "Amazon S3 User Guide, General purpose bucket naming rules"),
    Rule("aws_s3_bucket", "bucket_prefix", prefixed(text(S3_BUCKET, 63, 3)), "Amazon S3 bucket naming rules"),
    Rule("aws_kms_alias", "name", both(text(KMS_ALIAS, 256), refuses(lambda v: v.startswith("alias/aws/"), "reserved alias/aws/")),
         "AWS KMS API Reference, CreateAlias: AliasName"),
    Rule("aws_kms_key", "description", text(PRINTABLE, 8192, 0), "AWS KMS API Reference, CreateKey: Description"),
    Rule("aws_cloudwatch_log_group", "name", text(LOG_GROUP, 512), "CloudWatch Logs API Reference, CreateLogGroup: logGroupName"),
    Rule("aws_db_instance", "identifier", both(text(RDS_IDENTIFIER, 63), RDS_ID_RULES),
         "Amazon RDS API Reference, CreateDBInstance: DBInstanceIdentifier"),
    Rule("aws_db_instance", "final_snapshot_identifier", both(text(RDS_IDENTIFIER, 255), RDS_ID_RULES),
         "Amazon RDS API Reference, DeleteDBInstance: FinalDBSnapshotIdentifier"),
    Rule("aws_db_instance", "db_name", text(RDS_DATABASE_NAME, 63), "Amazon RDS API Reference, CreateDBInstance: DBName (PostgreSQL)"),
    Rule("aws_db_parameter_group", "name_prefix", prefixed(both(text(RDS_IDENTIFIER, 255), RDS_ID_RULES)),
         "Amazon RDS API Reference, CreateDBParameterGroup: DBParameterGroupName"),
    Rule("aws_db_subnet_group", "name", both(text(RDS_SUBNET_GROUP, 255), refuses(lambda v: v.lower() == "default", "is default")),
         "Amazon RDS API Reference, CreateDBSubnetGroup: DBSubnetGroupName"),
    Rule("aws_secretsmanager_secret", "name", text(SECRET_NAME, 512), "Secrets Manager API Reference, CreateSecret: Name"),
    Rule("aws_secretsmanager_secret", "name_prefix", prefixed(text(SECRET_NAME, 512)), "CreateSecret: Name"),
    Rule("aws_secretsmanager_secret", "description", text(PRINTABLE, 2048, 0), "CreateSecret: Description"),
    Rule("aws_ecr_repository", "name", text(ECR_REPOSITORY, 256, 2), "Amazon ECR API Reference, CreateRepository: repositoryName"),
    Rule("aws_ecs_cluster", "name", text(ECS_NAME, 255), "Amazon ECS API Reference, CreateCluster: clusterName"),
    Rule("aws_ecs_service", "name", text(ECS_NAME, 255), "Amazon ECS API Reference, CreateService: serviceName"),
    Rule("aws_ecs_task_definition", "family", text(ECS_NAME, 255), "Amazon ECS API Reference, RegisterTaskDefinition: family"),
    Rule("aws_cloudwatch_metric_alarm", "alarm_name", text(PRINTABLE, 255), "CloudWatch API Reference, PutMetricAlarm: AlarmName"),
    Rule("aws_cloudwatch_metric_alarm", "alarm_description", text(PRINTABLE, 1024, 0), "PutMetricAlarm: AlarmDescription"),
    Rule("aws_cloudwatch_dashboard", "dashboard_name", text(DASHBOARD_NAME, 255), "CloudWatch API Reference, PutDashboard: DashboardName"),
    Rule("aws_sns_topic", "name", text(SNS_TOPIC, 256), "Amazon SNS API Reference, CreateTopic: Name"),
    Rule("aws_appautoscaling_policy", "name", text(PRINTABLE, 256), "Application Auto Scaling API Reference, PutScalingPolicy: PolicyName"),
    Rule("aws_wafv2_web_acl", "name", text(WAF_NAME, 128), "AWS WAFV2 API Reference, CreateWebACL: Name"),
    Rule("aws_wafv2_web_acl", "description", text(WAF_DESCRIPTION, 256), "AWS WAFV2 API Reference, CreateWebACL: Description"),
)


def _nested_checks(resource) -> list[tuple[str, str, Callable[[str], str | None], str]]:
    """Values inside blocks: container names, WAF rule and metric names, tags."""
    found: list[tuple[str, str, Callable[[str], str | None], str]] = []
    values = resource.values
    if resource.type == "aws_ecs_task_definition" and values.get("container_definitions"):
        import json

        for container in json.loads(values["container_definitions"]):
            found.append(("container name", container["name"], text(ECS_NAME, 255), "RegisterTaskDefinition: ContainerDefinition name"))
    if resource.type == "aws_wafv2_web_acl":
        for rule in values.get("rule") or []:
            found.append(("rule name", rule["name"], text(WAF_NAME, 128), "AWS WAFV2 API Reference, Rule: Name"))
            for config in rule.get("visibility_config") or []:
                found.append(("metric name", config["metric_name"], both(text(WAF_METRIC, 255), refuses(
                    lambda v: v in ("All", "Default_Action"), "reserved")), "AWS WAFV2 API Reference, VisibilityConfig: MetricName"))
    for key, value in (values.get("tags_all") or {}).items():
        found.append(("tag key", key, text(PRINTABLE, 128), "Tagging AWS resources: tag key"))
        found.append((f"tag {key}", str(value), text(PRINTABLE, 256, 0), "Tagging AWS resources: tag value"))
    return found


def violations(plan: Plan) -> list[str]:
    """Every planned value that breaks a documented AWS rule, as 'address attribute: problem (source)'."""
    problems: list[str] = []
    for resource in plan.resources.values():
        for rule in RULES:
            value = resource.values.get(rule.attribute)
            if rule.resource_type != resource.type or value in (None, ""):
                continue
            problem = rule.test(str(value))
            if problem:
                problems.append(f"{resource.address} {rule.attribute} {str(value)!r}: {problem} ({rule.source})")
        for what, value, test, source in _nested_checks(resource):
            problem = test(value)
            if problem:
                problems.append(f"{resource.address} {what} {value!r}: {problem} ({source})")
    return problems


def checked_values(plan: Plan) -> int:
    """How many planned values the rules looked at (for the test's report)."""
    count = 0
    for resource in plan.resources.values():
        count += sum(1 for rule in RULES if rule.resource_type == resource.type and resource.values.get(rule.attribute) not in (None, ""))
        count += len(_nested_checks(resource))
    return count
