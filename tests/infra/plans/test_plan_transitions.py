"""Changes the docs describe, planned by real Terraform on the applied stacks, do what AWS allows."""

from __future__ import annotations

import pytest


def _listener_port_clashes(plan) -> list[str]:
    """Listeners a plan creates on a port another listener of the same load balancer still holds.

    Terraform orders no destroy of one resource before the create of another, so a listener created
    while a different one on the same port is being deleted races it (ELB: DuplicateListener).
    """
    kept, deleted, created = {}, {}, []
    for change in plan.data.get("resource_changes", []):
        if change["type"] != "aws_lb_listener":
            continue
        actions, before, after = change["change"]["actions"], change["change"]["before"], change["change"]["after"]
        if before:
            key = (before.get("load_balancer_arn"), before.get("port"))
            (deleted if "delete" in actions else kept)[key] = change["address"]
        if after and "create" in actions:
            created.append((change["address"], after.get("port")))
    clashes = []
    for address, port in created:
        for (load_balancer, held_port), holder in {**kept, **deleted}.items():
            if held_port == port and holder != address:
                clashes.append(f"{address} is created on port {port}, which {holder} holds")
    return clashes


def test_a_domain_after_cloudfront_gives_the_new_balancer_its_listeners(plan):
    """CloudFront to a domain: the balancer turns internet-facing (a new one), and its port 80 listener
    redirects, with HTTPS beside it; no listener is created on a port another still holds."""
    planned = plan("ecs-cloudfront-to-domain")
    assert _listener_port_clashes(planned) == []
    assert planned.resource("aws_lb_listener.http").values["default_action"][0]["type"] == "redirect"
    assert planned.resource("aws_lb_listener.https[0]").values["port"] == 443


def test_port_80_changes_in_place_between_redirect_and_forward(plan):
    """The domain setup to the plain-HTTP demo: the one port-80 listener is updated, not replaced."""
    planned = plan("ecs-plain-http-demo")
    assert _listener_port_clashes(planned) == []
    http = [c for c in planned.changes() if c["address"] == "aws_lb_listener.http"]
    assert [c["change"]["actions"] for c in http] == [["update"]]
    assert planned.resource("aws_lb_listener.http").values["default_action"][0]["type"] == "forward"
    assert "aws_lb_listener.https[0]" not in planned.resources


def test_the_clash_check_catches_two_listeners_on_one_port():
    """The listener pair the stack had before: http_forward[0] deleted, http_redirect[0] created, both on 80."""

    class Stub:
        data = {"resource_changes": [
            {"type": "aws_lb_listener", "address": "aws_lb_listener.http_forward[0]",
             "change": {"actions": ["delete"], "before": {"load_balancer_arn": "lb", "port": 80}, "after": None}},
            {"type": "aws_lb_listener", "address": "aws_lb_listener.http_redirect[0]",
             "change": {"actions": ["create"], "before": None, "after": {"load_balancer_arn": "lb", "port": 80}}},
        ]}

    assert _listener_port_clashes(Stub()) == [
        "aws_lb_listener.http_redirect[0] is created on port 80, which aws_lb_listener.http_forward[0] holds"]


def test_a_region_opened_after_august_2022_plans(plan):
    planned = plan("ecs-newer-region")
    policy = planned.resource("aws_s3_bucket_policy.alb_logs").policy("policy")
    writers = [statement["Principal"] for statement in policy["Statement"] if statement["Action"] == "s3:PutObject"]
    assert writers == [{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}]


def test_an_older_region_adds_its_load_balancing_account(plan):
    policy = plan("ecs-applied").resource("aws_s3_bucket_policy.alb_logs").policy("policy")
    writers = [statement["Principal"] for statement in policy["Statement"] if statement["Action"] == "s3:PutObject"]
    assert {"AWS": "arn:aws:iam::156460612806:root"} in writers  # eu-west-1's account in AWS's table


def _groups_deleted_in_use(plan) -> list[str]:
    """Parameter groups a plan deletes while the instance keeps using them until its maintenance window."""
    problems = []
    instance = next(c for c in plan.data["resource_changes"] if c["address"] == "aws_db_instance.orders")
    before, after = instance["change"]["before"] or {}, instance["change"]["after"] or {}
    if after.get("apply_immediately"):
        return []
    in_use = before.get("parameter_group_name")
    for change in plan.data["resource_changes"]:
        if change["type"] == "aws_db_parameter_group" and "delete" in change["change"]["actions"]:
            if (change["change"]["before"] or {}).get("name") == in_use:
                problems.append(f"{change['address']} ({in_use}) is deleted while the instance still uses it")
    return problems


def test_a_major_upgrade_keeps_the_group_in_use(plan):
    planned = plan("database-major-upgrade")
    assert _groups_deleted_in_use(planned) == []
    assert planned.variable("engine_major_version") == "17"
    assert {"aws_db_parameter_group.postgres[\"16\"]", "aws_db_parameter_group.postgres[\"17\"]"} <= set(planned.resources)


def test_the_group_check_catches_the_old_replacement():
    """What the stack planned before: one group, replaced (create before destroy) for the new family."""

    class Stub:
        data = {"resource_changes": [
            {"type": "aws_db_instance", "address": "aws_db_instance.orders",
             "change": {"actions": ["update"], "before": {"parameter_group_name": "orders-pg16-1"},
                        "after": {"apply_immediately": False, "parameter_group_name": None}}},
            {"type": "aws_db_parameter_group", "address": "aws_db_parameter_group.postgres",
             "change": {"actions": ["create", "delete"], "before": {"name": "orders-pg16-1"}, "after": {}}},
        ]}

    assert _groups_deleted_in_use(Stub()) == [
        "aws_db_parameter_group.postgres (orders-pg16-1) is deleted while the instance still uses it"]
