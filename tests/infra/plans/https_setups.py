"""What each HTTPS setup of the ecs stack must look like, checked on the plans the lifecycle kept.

Each check returns the problems it finds (empty: the setup holds). The plans are real Terraform's:
`ecs-applied` is the stack applied with a domain (certificate, Route 53, load balancer listeners),
`ecs-cloudfront` the default setup planned on it, `ecs-plain-http-demo` the named demo, and
`ecs-plain-http-refused.txt` the error of the plain-HTTP setup the stack refuses.
"""

from __future__ import annotations

from plan_model import Plan

TLS13_POLICY_PREFIX = "ELBSecurityPolicy-TLS13-"
# AWS's managed CloudFront cache policy "CachingDisabled" (a fixed, documented id).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# The words of the refusal a user must see (var.entry_point's validation).
REFUSAL = 'entry_point = "load_balancer" without domain_name would serve the API over plain HTTP on the internet'


def output(plan: Plan, name: str):
    """An output's planned value (None when unknown until apply)."""
    return (plan.data.get("planned_values", {}).get("outputs", {}).get(name) or {}).get("value")


def _hsts_problems(max_age: object, where: str) -> list[str]:
    try:
        seconds = int(max_age)
    except (TypeError, ValueError):
        return [f"{where}: no HSTS max-age ({max_age!r})"]
    return [] if seconds >= 86400 else [f"{where}: HSTS max-age {seconds} s is shorter than a day"]


def _listeners(plan: Plan) -> dict[str, dict]:
    return {resource.address: resource.values for resource in plan.of_type("aws_lb_listener")}


def _ingress(plan: Plan) -> list[dict]:
    group = plan.resource("aws_security_group.alb").values.get("id")
    return [rule.values for rule in plan.of_type("aws_vpc_security_group_ingress_rule")
            if rule.values.get("security_group_id") in (group, None) and rule.name.startswith("alb")]


def check_domain_setup(plan: Plan, domain: str) -> list[str]:
    """Internet-facing balancer; 443 with a TLS 1.3 policy, the validated certificate and HSTS; port 80
    only a permanent redirect to HTTPS; the certificate validated through Route 53; A/AAAA aliases."""
    problems: list[str] = []
    balancer = plan.resource("aws_lb.service").values
    if balancer.get("internal"):
        problems.append("the load balancer is internal, but clients reach it directly")
    listeners = _listeners(plan)
    https = listeners.get("aws_lb_listener.https[0]")
    if https is None:
        problems.append("no HTTPS listener")
    else:
        if (https.get("port"), https.get("protocol")) != (443, "HTTPS"):
            problems.append(f"the HTTPS listener is {https.get('protocol')} on {https.get('port')}")
        if not str(https.get("ssl_policy")).startswith(TLS13_POLICY_PREFIX):
            problems.append(f"TLS policy {https.get('ssl_policy')} is not a TLS 1.3 policy")
        validated = plan.resources.get("aws_acm_certificate_validation.service[0]")
        if validated is None or https.get("certificate_arn") != validated.values.get("certificate_arn"):
            problems.append("the HTTPS listener does not use the certificate the validation waited for")
        hsts = str(https.get("routing_http_response_strict_transport_security_header_value") or "")
        problems += _hsts_problems(hsts.removeprefix("max-age=").split(";")[0] if hsts.startswith("max-age=") else None,
                                   "the HTTPS listener")
    http = listeners.get("aws_lb_listener.http", {})
    actions = http.get("default_action") or []
    redirect = (actions[0].get("redirect") or [{}])[0] if len(actions) == 1 else {}
    if not (len(actions) == 1 and actions[0].get("type") == "redirect" and redirect.get("protocol") == "HTTPS"
            and redirect.get("port") == "443" and redirect.get("status_code") == "HTTP_301"):
        problems.append(f"port 80 does not only redirect permanently to HTTPS on 443: {actions}")
    certificate = plan.resources.get("aws_acm_certificate.service[0]")
    if certificate is None or certificate.values.get("domain_name") != domain or certificate.values.get("validation_method") != "DNS":
        problems.append(f"no certificate for {domain} validated through DNS")
    validation = plan.resources.get(f'aws_route53_record.certificate_validation["{domain}"]')
    if validation is None or validation.values.get("type") != "CNAME":
        problems.append("no CNAME record that validates the certificate")
    for record_type in ("A", "AAAA"):
        record = plan.resources.get(f'aws_route53_record.service["{record_type}"]')
        alias = ((record.values.get("alias") or [{}])[0]) if record else {}
        if record is None or record.values.get("name") != domain or alias.get("name") != balancer.get("dns_name"):
            problems.append(f"no {record_type} alias record from {domain} to the load balancer")
    if output(plan, "service_url") != f"https://{domain}":
        problems.append(f"service_url is {output(plan, 'service_url')!r}, not https://{domain}")
    return problems


def check_cloudfront_setup(plan: Plan, internal_subnets: list[str]) -> list[str]:
    """Internal balancer in the internal subnets, reachable from CloudFront's origin-facing addresses
    only; CloudFront with its own certificate, plain HTTP redirected, HSTS added over the origin's,
    nothing cached, the web ACL at CloudFront."""
    problems: list[str] = []
    balancer = plan.resource("aws_lb.service").values
    if not balancer.get("internal") or sorted(balancer.get("subnets") or []) != sorted(internal_subnets):
        problems.append(f"the load balancer is not internal in the internal subnets ({balancer.get('subnets')})")
    listeners = _listeners(plan)
    if set(listeners) != {"aws_lb_listener.http"} or (listeners["aws_lb_listener.http"].get("default_action") or [{}])[0].get("type") != "forward":
        problems.append(f"the internal balancer must forward on 80 and have no other listener: {sorted(listeners)}")
    for rule in _ingress(plan):
        if rule.get("cidr_ipv4") or rule.get("cidr_ipv6") or not rule.get("prefix_list_id") or (rule.get("from_port"), rule.get("to_port")) != (80, 80):
            problems.append(f"the balancer admits more than CloudFront's origin-facing addresses on 80: {rule}")
    if not _ingress(plan):
        problems.append("nothing admits CloudFront")
    origin = (plan.resource("aws_cloudfront_vpc_origin.service[0]").values.get("vpc_origin_endpoint_config") or [{}])[0]
    if origin.get("origin_protocol_policy") != "http-only" or origin.get("http_port") != 80:
        problems.append(f"the VPC origin does not reach the balancer's port 80: {origin}")
    distribution = plan.resource("aws_cloudfront_distribution.service[0]").values
    behavior = (distribution.get("default_cache_behavior") or [{}])[0]
    certificate = (distribution.get("viewer_certificate") or [{}])[0]
    if behavior.get("viewer_protocol_policy") not in ("redirect-to-https", "https-only"):
        problems.append(f"viewers may use plain HTTP: {behavior.get('viewer_protocol_policy')}")
    if not certificate.get("cloudfront_default_certificate"):
        problems.append("CloudFront does not serve its own certificate")
    if behavior.get("cache_policy_id") != CACHING_DISABLED:
        problems.append(f"responses may be cached (cache policy {behavior.get('cache_policy_id')})")
    if not any(item.get("vpc_origin_config") for item in distribution.get("origin") or []):
        problems.append("the distribution's origin is not the VPC origin")
    headers = plan.resource("aws_cloudfront_response_headers_policy.service[0]").values
    hsts = ((headers.get("security_headers_config") or [{}])[0].get("strict_transport_security") or [{}])[0]
    if not hsts.get("override"):
        problems.append("CloudFront's HSTS does not override the origin's")
    problems += _hsts_problems(hsts.get("access_control_max_age_sec"), "CloudFront")
    acls = plan.of_type("aws_wafv2_web_acl")
    if [acl.values.get("scope") for acl in acls] != ["CLOUDFRONT"]:
        problems.append(f"the web ACL is not CloudFront's alone: {[(acl.address, acl.values.get('scope')) for acl in acls]}")
    if plan.of_type("aws_lb_listener_certificate") or plan.of_type("aws_wafv2_web_acl_association"):
        problems.append("the internal balancer carries a certificate or a web ACL of its own")
    return problems


def check_plain_http_demo(plan: Plan) -> list[str]:
    """The named demo: internet-facing, plain HTTP on 80, and a service_url that says http."""
    problems: list[str] = []
    if plan.variable("allow_plain_http_demo") is not True:
        problems.append("the demo plan does not name allow_plain_http_demo")
    listeners = _listeners(plan)
    if set(listeners) != {"aws_lb_listener.http"} or (listeners["aws_lb_listener.http"].get("default_action") or [{}])[0].get("type") != "forward":
        problems.append(f"the demo serves plain HTTP on 80 only: {sorted(listeners)}")
    url = output(plan, "service_url")
    if not str(url).startswith("http://"):
        problems.append(f"the demo's service_url is {url!r}: it must say http")
    return problems
