"""Every supported setup serves the API over HTTPS, and the one that would not is refused at plan time:
checked on real Terraform's plans of the ecs stack (https_setups.py), each check shown failing on a
planted fault."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from https_setups import REFUSAL, check_cloudfront_setup, check_domain_setup, check_plain_http_demo
from plan_model import Plan

DOMAIN = "api.example.org"


def _internal_subnets(plan) -> list[str]:
    return plan("network-applied").data["planned_values"]["outputs"]["internal_subnet_ids"]["value"]


def _report(name: str, problems: list[str]) -> None:
    print(f"{name}: " + ("holds" if not problems else f"{len(problems)} problems"))
    for problem in problems:
        print(f"  - {problem}")


def test_with_a_domain(plan):
    planned = plan("ecs-applied")
    problems = check_domain_setup(planned, DOMAIN)
    https = planned.resource("aws_lb_listener.https[0]").values
    redirect = planned.resource("aws_lb_listener.http").values["default_action"][0]["redirect"][0]
    print(f"domain setup: 443 {https['ssl_policy']}, HSTS {https['routing_http_response_strict_transport_security_header_value']!r}; "
          f"80 -> {redirect['protocol']}:{redirect['port']} {redirect['status_code']}; service_url https://{DOMAIN}")
    _report("domain setup", problems)
    assert problems == []


def test_without_a_domain_behind_cloudfront(plan):
    planned = plan("ecs-cloudfront")
    problems = check_cloudfront_setup(planned, _internal_subnets(plan))
    distribution = planned.resource("aws_cloudfront_distribution.service[0]").values
    print(f"CloudFront setup: viewers {distribution['default_cache_behavior'][0]['viewer_protocol_policy']}, "
          f"own certificate {distribution['viewer_certificate'][0]['cloudfront_default_certificate']}, internal balancer on 80 "
          f"from CloudFront's prefix list")
    _report("CloudFront setup", problems)
    assert problems == []


def test_the_named_plain_http_demo(plan):
    problems = check_plain_http_demo(plan("ecs-plain-http-demo"))
    _report("plain-HTTP demo", problems)
    assert problems == []


def test_plain_http_on_the_internet_is_refused(plans_dir: Path):
    message = (plans_dir / "ecs-plain-http-refused.txt").read_text()
    print(f"refused plan's error:\n{message}")
    words = " ".join(message.split())  # Terraform wraps the message at its terminal width
    assert REFUSAL in words and "allow_plain_http_demo = true" in words and "var.entry_point" in words


def _changed(plan, change) -> Plan:
    data = copy.deepcopy(plan.data)
    change(data)
    return Plan(data, "mutated")


def _values(data: dict, address: str) -> dict:
    def walk(module: dict):
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    return next(r for r in walk(data["planned_values"]["root_module"]) if r["address"] == address)["values"]


@pytest.mark.parametrize("name, change, expected", [
    ("TLS 1.2 policy", lambda d: _values(d, "aws_lb_listener.https[0]").update(ssl_policy="ELBSecurityPolicy-2016-08"), "not a TLS 1.3 policy"),
    ("no HSTS", lambda d: _values(d, "aws_lb_listener.https[0]").update(routing_http_response_strict_transport_security_header_value=None), "no HSTS"),
    ("80 forwards", lambda d: _values(d, "aws_lb_listener.http")["default_action"][0].update(type="forward"), "does not only redirect"),
    ("302 redirect", lambda d: _values(d, "aws_lb_listener.http")["default_action"][0]["redirect"][0].update(status_code="HTTP_302"), "does not only redirect"),
    ("url by the balancer's name", lambda d: d["planned_values"]["outputs"]["service_url"].update(value="https://orders.elb.amazonaws.com"), "service_url"),
])
def test_the_domain_check_catches(plan, name, change, expected):
    problems = check_domain_setup(_changed(plan("ecs-applied"), change), DOMAIN)
    _report(name, problems)
    assert any(expected in problem for problem in problems)


@pytest.mark.parametrize("name, change, expected", [
    ("viewers on HTTP", lambda d: _values(d, "aws_cloudfront_distribution.service[0]")["default_cache_behavior"][0].update(viewer_protocol_policy="allow-all"), "plain HTTP"),
    ("HSTS not overriding", lambda d: _values(d, "aws_cloudfront_response_headers_policy.service[0]")["security_headers_config"][0]["strict_transport_security"][0].update(override=False), "override"),
    ("internet-facing origin", lambda d: _values(d, "aws_lb.service").update(internal=False), "not internal"),
    ("balancer open to the internet", lambda d: _values(d, "aws_vpc_security_group_ingress_rule.alb_from_cloudfront[0]").update(prefix_list_id=None, cidr_ipv4="0.0.0.0/0"), "admits more"),
])
def test_the_cloudfront_check_catches(plan, name, change, expected):
    problems = check_cloudfront_setup(_changed(plan("ecs-cloudfront"), change), _internal_subnets(plan))
    _report(name, problems)
    assert any(expected in problem for problem in problems)


def test_the_demo_check_catches_a_url_that_pretends_https(plan):
    planned = _changed(plan("ecs-plain-http-demo"), lambda d: d["planned_values"]["outputs"]["service_url"].update(value="https://x"))
    assert any("must say http" in problem for problem in check_plain_http_demo(planned))


def test_the_refusal_is_the_one_the_stack_declares():
    text = (Path(__file__).resolve().parents[3] / "terraform" / "ecs" / "variables.tf").read_text()
    assert json.dumps(REFUSAL)[1:-1] in text
