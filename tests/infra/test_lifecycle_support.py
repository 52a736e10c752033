"""The pieces of the emulator lifecycle that decide what is left out and what drift is accepted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.infra.check import local_modules
from tools.infra.emulator import EMULATED_ENDPOINTS, override_text
from tools.infra.lifecycle import (
    EmulatorGaps, LifecycleError, changed_attributes, dependents, managed_resources, target_addresses,
)
from tools.infra.lifecycle_run import documented_teardown, remote_state_reads
from tools.infra.stack import load_stacks

REPO = Path(__file__).resolve().parents[2]

GRAPH = """digraph G {
  "aws_a.x" [label="aws_a.x"];
  "aws_b.y" [label="aws_b.y"];
  "aws_c.z" [label="aws_c.z"];
  "data.aws_d.w" [label="data.aws_d.w"];
  "aws_b.y" -> "aws_a.x";
  "aws_c.z" -> "aws_b.y";
  "aws_a.x" -> "data.aws_d.w";
}"""


def test_whatever_needs_a_left_out_resource_is_left_out_too():
    assert managed_resources(GRAPH) == ["aws_a.x", "aws_b.y", "aws_c.z"]
    assert dependents(GRAPH, {"aws_a.x"}) == {"aws_b.y": "aws_a.x", "aws_c.z": "aws_a.x"}
    assert dependents(GRAPH, {"aws_c.z"}) == {}


def test_a_modules_resources_are_targeted_through_the_module_call():
    resources = ["aws_a.x", "module.waf.aws_b.y", "module.waf.aws_c.z", "module.edge.aws_b.y"]
    assert target_addresses(resources, {"aws_a.x"}) == ["module.waf", "module.edge"]
    assert target_addresses(resources, set()) == ["aws_a.x", "module.waf", "module.edge"]
    with pytest.raises(LifecycleError, match="module.waf: cannot leave out module.waf.aws_c.z"):
        target_addresses(resources, {"module.waf.aws_c.z"})


def test_an_update_counts_unknown_values_a_replacement_only_what_forces_it():
    update = {"actions": ["update"], "before": {"a": 1, "b": 2}, "after": {"a": 1, "b": 3}, "after_unknown": {"c": True}}
    assert changed_attributes(update) == {"b", "c"}
    replace = {"actions": ["delete", "create"], "before": {"id": "x", "flag": False}, "after": {"flag": True},
               "after_unknown": {"id": True}, "replace_paths": [["strategy"]]}
    assert changed_attributes(replace) == {"flag", "strategy"}


def test_every_listed_gap_names_a_resource_of_its_stack():
    gaps = EmulatorGaps.load()
    stacks = load_stacks(REPO / "terraform")
    for section in (gaps.not_emulated, gaps.attributes_not_returned):
        for stack, entries in section.items():
            declared = {f"{kind}.{name}" for kind, name in stacks[stack].resources}
            declared |= {f"module.{call}.{kind}.{name}" for call, block in stacks[stack].modules.items()
                         for module in local_modules(stacks[stack]) if module.path == stacks[stack].path / str(block.get("source"))
                         for kind, name in module.resources}
            for address in entries:
                assert re.sub(r"\[[^]]*\]", "", address) in declared, f"{stack}: {address} is not a resource of the stack"
                assert all(isinstance(reason, (str, dict)) and reason for reason in [entries[address]])


def test_every_service_the_stacks_call_is_pointed_at_the_emulator():
    """A resource type whose service has no endpoint in the override would call AWS itself (the dead proxy
    would stop it, and the run would fail): keep the map and the stacks in step."""
    service_of = {"s3": "s3", "kms": "kms", "iam": "iam", "vpc": "ec2", "subnet": "ec2", "route": "ec2", "internet": "ec2",
                  "security": "ec2", "default": "ec2", "flow": "ec2", "availability": "ec2", "cloudwatch": "cloudwatch",
                  "db": "rds", "secretsmanager": "secretsmanager", "ecs": "ecs", "ecr": "ecr", "lb": "elbv2",
                  "wafv2": "wafv2", "sns": "sns", "appautoscaling": "appautoscaling", "caller": "sts", "partition": "sts",
                  "acm": "acm", "route53": "route53", "cloudfront": "cloudfront", "ec2": "ec2"}
    for stack in load_stacks(REPO / "terraform").values():
        for kind, _ in [pair for part in [stack, *local_modules(stack)] for pair in [*part.resources, *part.data_sources]]:
            if not kind.startswith("aws_") or kind == "aws_iam_policy_document":
                continue
            word = kind.removeprefix("aws_").split("_")[0]
            service = service_of.get(word)
            if kind.startswith("aws_cloudwatch_log"):
                service = "logs"
            assert service in EMULATED_ENDPOINTS, f"{stack.name}: {kind} ({word}) has no emulator endpoint"


def test_the_override_keeps_each_stacks_backend_and_remote_state_settings():
    text = override_text(REPO / "terraform" / "ecs", "https://127.0.0.1:4566")
    assert 'key = "ecs/terraform.tfstate"' in text and "use_lockfile = true" in text and "encrypt = true" in text
    assert 'data "terraform_remote_state" "network"' in text and 'key = "network/terraform.tfstate"' in text
    assert "bucket = var.state_bucket" in text and "max_retries" in text


def test_the_override_points_every_provider_configuration_at_the_emulator():
    """The ecs stack's second configuration (us-east-1, for CloudFront's web ACL) would otherwise call AWS."""
    text = override_text(REPO / "terraform" / "ecs", "https://127.0.0.1:4566")
    blocks = text.split('provider "aws" {')[1:]
    assert len(blocks) == 2
    assert 'alias                       = "us_east_1"' in blocks[1]
    assert all('wafv2 = "https://127.0.0.1:4566"' in block and 'logs = "https://127.0.0.1:4566"' in block for block in blocks)


def test_the_documented_teardown_covers_every_stack_in_reverse_order():
    steps = documented_teardown()
    assert list(steps) == ["ecs", "database", "network", "backend"]
    assert ["state", "rm", "aws_kms_key.database"] in steps["database"]
    assert all(command[0] in ("apply", "destroy", "state") for commands in steps.values() for command in commands)


def test_remote_state_reads_are_found_per_producer():
    reads = remote_state_reads()
    assert {"vpc_id", "tasks_security_group_id"} <= reads["network"]
    assert {"address", "service_user_secret_arn"} <= reads["database"]
