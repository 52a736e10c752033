"""Every name and description the stacks plan keeps AWS's documented rules (aws_rules.py), at the
defaults, in both HTTPS setups, and with the longest names the stacks' variables allow."""

from __future__ import annotations

import pytest

from aws_rules import RULES, checked_values, violations

PLANS = ("backend-applied", "network-applied", "database-applied", "ecs-applied", "ecs-cloudfront",
         "network-longest-names", "database-longest-names", "ecs-longest-names")


@pytest.mark.parametrize("name", PLANS)
def test_planned_values_keep_aws_rules(plan, name):
    planned = plan(name)
    problems = violations(planned)
    assert checked_values(planned) > 10, f"{name}: too few values checked to mean anything"
    assert problems == [], "\n".join(problems)


def _rule(resource_type: str, attribute: str):
    return next(rule for rule in RULES if (rule.resource_type, rule.attribute) == (resource_type, attribute))


@pytest.mark.parametrize("resource_type, attribute, value, words", [
    # The descriptions the stacks had before: EC2 refuses the apostrophe.
    ("aws_security_group", "description", "The service's ECS tasks; rules are added by the database and ecs stacks", "'"),
    ("aws_vpc_security_group_ingress_rule", "description", "PostgreSQL from the service's tasks", "'"),
    # The state bucket name the backend used to derive for a 32-character project in ap-southeast-4.
    ("aws_s3_bucket", "bucket", "a-very-long-project-name-here-32-tfstate-123456789012-ap-southeast-4", "68 characters"),
    ("aws_lb", "name", "an-orders-service-name-that-is-too-long", "characters"),
    ("aws_db_instance", "identifier", "orders--db", "two hyphens"),
    ("aws_kms_alias", "name", "alias/aws/mine", "reserved"),
    ("aws_wafv2_web_acl", "description", "Edge rules in front of the service's load balancer", "characters outside"),
    ("aws_iam_role", "max_session_duration", "60", "outside"),
])
def test_each_rule_refuses_what_aws_refuses(resource_type, attribute, value, words):
    problem = _rule(resource_type, attribute).test(value)
    assert problem is not None and words in problem, problem
