"""Ties between the service stack and the service it runs, on the values Terraform plans.

Each check takes the planned stacks (`Planned`: the ecs and database plans the emulator lifecycle
kept) and the repository root, and returns a list of problems (empty: the tie holds). The planned
values are what Terraform computed (container definitions, policy documents, timings read from
config/timings.json); the other side of each tie is the service's own source:

    app/Dockerfile                  the port the image exposes, the paths it declares as volumes
    app/openapi.yaml                the /health route the load balancer probes
    config/timings.json             every timing, and docs/contract.md's relations between them
    .github/workflows/*.yml         the GitHub environments the deploy jobs run in, their time limits
    the service's configuration     its default body limit (the WAF must admit it)

A few ties read a variable's validation from the HCL text (a rule, not a computed value).
"""

from __future__ import annotations

import fnmatch
import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from plan_model import Plan
from tools.infra import load_stack

# Fargate's maximum stopTimeout, and the task sizes it accepts (Amazon ECS developer guide, "Task
# CPU and memory"): CPU units -> memory in MiB.
FARGATE_MAX_STOP_TIMEOUT = 120
FARGATE_SIZES: dict[int, list[int]] = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}
LOAD_BALANCER_HEALTH_ROUTE = "/health"
LIVENESS_COMMAND = ["CMD", "/usr/local/bin/orders-service", "healthcheck"]
SERVICE_CONTAINER = "orders-service"
COLLECTOR_CONTAINER = "otel-collector"
ADMIN_CONTAINER = "orders-admin"
GITHUB_OIDC = "token.actions.githubusercontent.com"
# Values every variable of the deploy subject must refuse (each would widen who may deploy).
WILDCARD_SAMPLES = ("*", "?", "org*", "repo?", "a/b", "a:b", "")
GOOD_SAMPLES = {"github_owner": "example-org", "github_repository": "cloud-app-platform", "github_environment": "production"}
# AWSManagedRulesCommonRuleSet's SizeRestrictions_BODY blocks request bodies larger than this.
WAF_COMMON_RULES_BODY_LIMIT = 8 * 1024
# Where the service declares its default body limit (`maxBodyBytes: Int = 64 * 1024`).
BODY_LIMIT_DECLARATION = re.compile(r"\bmaxBodyBytes: Int = ([0-9_]+(?: \* [0-9_]+)*)\n")


@dataclass
class Planned:
    """The plans a tie may read."""

    ecs: Plan
    database: Plan


# --- helpers -------------------------------------------------------------------------------------


def _service(planned: Planned) -> dict:
    return planned.ecs.containers("aws_ecs_task_definition.service")[SERVICE_CONTAINER]


def _environment(container: dict) -> dict[str, str]:
    return {entry["name"]: entry["value"] for entry in container.get("environment", [])}


def _timings(repo_root: Path) -> dict[str, Any]:
    return json.loads((repo_root / "config" / "timings.json").read_text(encoding="utf-8"))


def _openapi(repo_root: Path) -> dict | None:
    path = repo_root / "app" / "openapi.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def dockerfile_lines(text: str) -> list[str]:
    """The final stage's instructions, continuation lines joined."""
    final = re.split(r"(?im)^\s*FROM\s", text)[-1]
    return [line.strip() for line in re.sub(r"\\\n", " ", final).splitlines() if line.strip()]


def dockerfile_exposed_ports(text: str) -> set[int]:
    """Ports of the final stage's EXPOSE lines, with ARG/ENV defaults substituted."""
    values: dict[str, str] = {}
    ports: set[int] = set()
    for line in dockerfile_lines(text):
        arg = re.match(r"(?i)^(ARG|ENV)\s+(.*)$", line)
        if arg:
            for name, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\S+)", arg.group(2)):
                values[name] = value.strip('"')
            continue
        expose = re.match(r"(?i)^EXPOSE\s+(.*)$", line)
        if expose:
            for token in expose.group(1).split():
                token = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: values.get(m.group(1), m.group(0)), token)
                number = token.split("/")[0]
                if number.isdigit():
                    ports.add(int(number))
    return ports


def dockerfile_volumes(text: str) -> set[str]:
    """Paths the final stage declares with VOLUME (JSON or plain form)."""
    volumes: set[str] = set()
    for line in dockerfile_lines(text):
        match = re.match(r"(?i)^VOLUME\s+(.*)$", line)
        if match:
            body = match.group(1).strip()
            volumes |= set(json.loads(body)) if body.startswith("[") else set(body.split())
    return volumes


def _statements(document: dict) -> list[dict]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _port_range_contains(rule: dict, port: int) -> bool:
    if str(rule.get("ip_protocol")) in ("-1", "all"):
        return True
    return (rule.get("from_port") or 0) <= port <= (rule.get("to_port") or 0)


@functools.lru_cache(maxsize=None)
def _validation_regexes(stack_dir: Path, variable: str) -> tuple[str, ...]:
    """The `regex("...")` patterns of a variable's validation conditions, from the stack's HCL."""
    block = load_stack(stack_dir).variables[variable]
    patterns = []
    for validation in block.children("validation"):
        condition = str(validation.get("condition"))
        for literal in re.findall(r'regex\("((?:[^"\\]|\\.)*)"', condition):
            patterns.append(literal.encode("utf-8").decode("unicode_escape"))
    return tuple(patterns)


def validation_accepts(stack_dir: Path, variable: str, sample: str) -> bool:
    """Whether a variable's regex validations accept a sample (Terraform's regex is a search)."""
    patterns = _validation_regexes(stack_dir, variable)
    if not patterns:
        raise ValueError(f"var.{variable} has no regex validation")
    return all(re.search(pattern, sample) is not None for pattern in patterns)


# --- the ties ------------------------------------------------------------------------------------


def check_container_port_matches_image(planned: Planned, repo_root: Path) -> list[str]:
    """The container port, the target group port and HTTP_PORT equal the image's EXPOSE."""
    problems: list[str] = []
    container = _service(planned)
    mapped = [mapping["containerPort"] for mapping in container.get("portMappings", [])]
    if len(mapped) != 1:
        return [f"the service container maps ports {mapped}, expected exactly the application port"]
    app_port = mapped[0]
    if _environment(container).get("HTTP_PORT") != str(app_port):
        problems.append(f"HTTP_PORT in the task is {_environment(container).get('HTTP_PORT')!r}, the container port is {app_port}")
    target_group = planned.ecs.resource("aws_lb_target_group.service").values
    if target_group["port"] != app_port:
        problems.append(f"target group port {target_group['port']} != container port {app_port}")
    for balancer in planned.ecs.resource("aws_ecs_service.service").values.get("load_balancer", []):
        if balancer["container_port"] != app_port or balancer["container_name"] != SERVICE_CONTAINER:
            problems.append(f"the service's load balancer points at {balancer['container_name']}:{balancer['container_port']}")
    dockerfile = repo_root / "app" / "Dockerfile"
    if not dockerfile.exists():
        return problems + ["app/Dockerfile does not exist: the image's port cannot be compared"]
    exposed = dockerfile_exposed_ports(dockerfile.read_text(encoding="utf-8"))
    if app_port not in exposed:
        problems.append(f"app/Dockerfile exposes {sorted(exposed)}, not the container port {app_port}")
    return problems


def check_health_check_path(planned: Planned, repo_root: Path) -> list[str]:
    """The target group probes the OpenAPI document's /health route; containers probe liveness."""
    problems: list[str] = []
    checks = planned.ecs.resource("aws_lb_target_group.service").values.get("health_check", [])
    if len(checks) != 1:
        return [f"target group has {len(checks)} health checks, expected 1"]
    path = checks[0]["path"]
    if path != LOAD_BALANCER_HEALTH_ROUTE:
        problems.append(f"target group health path is {path!r}, the load balancer's route is {LOAD_BALANCER_HEALTH_ROUTE!r}")
    if path != _timings(repo_root).get("health_check_path"):
        problems.append(f"target group health path {path!r} != config/timings.json health_check_path")
    if checks[0].get("matcher") != "200":
        problems.append("target group health check must expect 200")
    document = _openapi(repo_root)
    if document is None:
        problems.append("no OpenAPI document at app/openapi.yaml: the health route cannot be compared")
    elif "get" not in ((document.get("paths") or {}).get(path) or {}):
        problems.append(f"app/openapi.yaml declares no GET {path}")
    command = _service(planned).get("healthCheck", {}).get("command")
    if command != LIVENESS_COMMAND:
        problems.append(f"container healthCheck command is {command}, expected liveness {LIVENESS_COMMAND}")
    return problems


def timing_values(planned: Planned) -> dict[str, float]:
    """Every timing as the stack sets it (not as timings.json says): the ties are on what runs."""
    container = _service(planned)
    environment = _environment(container)
    target_group = planned.ecs.resource("aws_lb_target_group.service").values
    health = target_group["health_check"][0]
    values = {
        "interval": health["interval"], "timeout": health["timeout"],
        "healthy_threshold": health["healthy_threshold"], "unhealthy_threshold": health["unhealthy_threshold"],
        "deregistration_delay": float(target_group["deregistration_delay"]),
        "stop_timeout": container["stopTimeout"],
        "grace_period": planned.ecs.resource("aws_ecs_service.service").values["health_check_grace_period_seconds"],
        "alb_idle_timeout": planned.ecs.resource("aws_lb.service").values["idle_timeout"],
    }
    for name, variable in (("drain_delay", "DRAIN_DELAY_SECONDS"), ("shutdown_timeout", "SHUTDOWN_TIMEOUT_SECONDS"),
                           ("request_timeout", "REQUEST_TIMEOUT_SECONDS"), ("keep_alive_idle_timeout", "HTTP_IDLE_TIMEOUT_SECONDS")):
        values[name] = float(environment[variable])
    return values


def check_timing_relations(planned: Planned, repo_root: Path) -> list[str]:
    """docs/contract.md's relations, on the values the stack really sets."""
    t = timing_values(planned)
    startup = _timings(repo_root).get("startup_budget_seconds")
    if not startup or startup <= 0:
        return ["config/timings.json has no positive startup_budget_seconds for the grace period to cover"]
    problems: list[str] = []

    def need(condition: bool, text: str) -> None:
        if not condition:
            problems.append(f"{text} (values: {t})")

    need(t["deregistration_delay"] >= t["request_timeout"], "deregistration delay must cover the longest request")
    detection = t["interval"] * t["unhealthy_threshold"] + t["timeout"]
    need(t["drain_delay"] > detection, f"drain delay must outlast the health check's detection time ({detection} s)")
    need(t["drain_delay"] + t["shutdown_timeout"] < t["stop_timeout"], "drain delay + shutdown bound must be < stopTimeout")
    need(t["stop_timeout"] <= FARGATE_MAX_STOP_TIMEOUT, f"stopTimeout must be <= {FARGATE_MAX_STOP_TIMEOUT} s (Fargate)")
    need(t["shutdown_timeout"] >= t["request_timeout"], "shutdown bound must let an in-flight request finish")
    entry = t["healthy_threshold"] * t["interval"] + startup
    need(t["grace_period"] >= entry, f"grace period must cover healthy threshold x interval + start-up ({entry} s)")
    need(t["alb_idle_timeout"] < t["keep_alive_idle_timeout"], "ALB idle timeout must be below the keep-alive idle timeout")
    return problems


# Each timing the stack sets and the config/timings.json key it must equal.
TIMING_SOURCES = {
    "interval": "health_check_interval_seconds", "timeout": "health_check_timeout_seconds",
    "healthy_threshold": "healthy_threshold", "unhealthy_threshold": "unhealthy_threshold",
    "deregistration_delay": "deregistration_delay_seconds", "stop_timeout": "stop_timeout_seconds",
    "grace_period": "health_check_grace_period_seconds", "alb_idle_timeout": "alb_idle_timeout_seconds",
    "drain_delay": "drain_delay_seconds", "shutdown_timeout": "shutdown_timeout_seconds",
    "request_timeout": "request_timeout_seconds", "keep_alive_idle_timeout": "keep_alive_idle_timeout_seconds",
}
CONTAINER_HEALTH_SOURCES = {"interval": "container_health_check_interval_seconds",
                            "timeout": "container_health_check_timeout_seconds",
                            "retries": "container_health_check_retries",
                            "startPeriod": "container_health_check_start_period_seconds"}


def check_timings_single_source(planned: Planned, repo_root: Path) -> list[str]:
    """Every timing the stack sets equals config/timings.json's value, the one source of them."""
    timings = _timings(repo_root)
    problems = [f"{name} is {value}, config/timings.json {key} is {timings.get(key)}"
                for name, value in timing_values(planned).items()
                if (key := TIMING_SOURCES[name]) and float(timings.get(key, -1)) != float(value)]
    health = _service(planned).get("healthCheck", {})
    problems += [f"container healthCheck.{name} is {health.get(name)}, config/timings.json {key} is {timings.get(key)}"
                 for name, key in CONTAINER_HEALTH_SOURCES.items() if health.get(name) != timings.get(key)]
    return problems


def check_fargate_size(planned: Planned, repo_root: Path) -> list[str]:
    """The task size is a pair Fargate accepts, the sidecar fits, and the validation covers it."""
    problems: list[str] = []
    task = planned.ecs.resource("aws_ecs_task_definition.service").values
    cpu, memory = int(task["cpu"]), int(task["memory"])
    if memory not in FARGATE_SIZES.get(cpu, []):
        problems.append(f"task size {cpu} CPU / {memory} MiB is not a Fargate combination")
    accepted = validated_sizes(repo_root / "terraform" / "ecs")
    for size in sorted(set(accepted) | set(FARGATE_SIZES)):
        if accepted.get(size) != FARGATE_SIZES.get(size):
            problems.append(f"for {size} CPU the validations accept memory {accepted.get(size)}, Fargate {FARGATE_SIZES.get(size)}")
    collector = planned.ecs.containers("aws_ecs_task_definition.service")[COLLECTOR_CONTAINER]
    if collector.get("memory", 0) >= memory:
        problems.append(f"the collector's memory limit {collector.get('memory')} MiB leaves nothing of {memory} MiB for the service")
    if collector.get("cpu", 0) >= cpu:
        problems.append("the collector's CPU share must be below the task's CPU")
    return problems


def _hcl_list(text: str) -> list[int]:
    """`[1, 2]` or `range(a, b, step)` as Terraform evaluates it."""
    ranged = re.fullmatch(r"range\((\d+), (\d+), (\d+)\)", text.strip())
    if ranged:
        return list(range(*(int(group) for group in ranged.groups())))
    return [int(item) for item in re.findall(r"\d+", text)]


def validated_sizes(stack_dir: Path) -> dict[int, list[int]]:
    """CPU -> memory pairs the task_cpu and task_memory validations accept, read from their conditions."""
    stack = load_stack(stack_dir)
    conditions = {name: [str(v.get("condition")).removeprefix("${").removesuffix("}") for v in stack.variables[name].children("validation")]
                  for name in ("task_cpu", "task_memory")}
    cpus: list[int] = []
    for condition in conditions["task_cpu"]:
        listed = re.fullmatch(r"contains\((\[[^\]]*\]), var\.task_cpu\)", condition)
        if listed:
            cpus = _hcl_list(listed.group(1))
    sizes: dict[int, list[int]] = {}
    for condition in conditions["task_memory"]:
        body = re.fullmatch(r"contains\((.*), var\.task_memory\)", condition, re.DOTALL)
        if not body:
            continue
        for cpu, memory in re.findall(r"var\.task_cpu == (\d+) \? (\[[^\]]*\]|range\([^)]*\))", body.group(1)):
            sizes[int(cpu)] = _hcl_list(memory)
        last = re.search(r": (\[[^\]]*\]|range\([^)]*\))\s*$", body.group(1))
        remaining = [cpu for cpu in cpus if cpu not in sizes]
        if last and len(remaining) == 1:
            sizes[remaining[0]] = _hcl_list(last.group(1))
    return {cpu: sizes.get(cpu, []) for cpu in cpus}


def check_deployment_safety(planned: Planned, repo_root: Path) -> list[str]:
    """Circuit breaker and alarm rollback on, rolling 100/200, at least two tasks."""
    problems: list[str] = []
    service = planned.ecs.resource("aws_ecs_service.service").values
    breakers = service.get("deployment_circuit_breaker") or []
    if not breakers or not all(b["enable"] and b["rollback"] for b in breakers):
        problems.append("deployment_circuit_breaker must have enable = true and rollback = true")
    alarms = service.get("alarms") or []
    if not alarms or not all(block["enable"] and block["rollback"] for block in alarms):
        problems.append("the alarms block must have enable = true and rollback = true")
    planned_alarms = {resource.values["alarm_name"] for resource in planned.ecs.of_type("aws_cloudwatch_metric_alarm")}
    for block in alarms:
        names = set(block.get("alarm_names") or [])
        if not names or not names <= planned_alarms:
            problems.append(f"alarm_names must name this stack's alarms, found {sorted(names)}")
    if (service.get("deployment_controller") or [{}])[0].get("type") != "ECS":
        problems.append("alarm rollback needs the ECS deployment controller")
    percent = (service["deployment_minimum_healthy_percent"], service["deployment_maximum_percent"])
    if percent != (100, 200):
        problems.append(f"rolling deployments must be minimum 100% / maximum 200%, found {percent[0]}/{percent[1]}")
    scaling = planned.ecs.resource("aws_appautoscaling_target.service").values
    if scaling["min_capacity"] < 2:
        problems.append(f"at least 2 tasks (one per zone), the minimum is {scaling['min_capacity']}")
    return problems


def check_metrics_unreachable(planned: Planned, repo_root: Path) -> list[str]:
    """/metrics cannot be reached through the load balancer, by port or by path."""
    problems: list[str] = []
    container = _service(planned)
    environment = _environment(container)
    app_port = container["portMappings"][0]["containerPort"]
    metrics_port = int(environment.get("METRICS_PORT", app_port))
    if metrics_port == app_port:
        problems.append("the metrics port must differ from the application port")
    if environment.get("METRICS_HOST") not in ("127.0.0.1", "::1"):
        problems.append(f"METRICS_HOST must be the loopback address, found {environment.get('METRICS_HOST')!r}")
    if metrics_port in [mapping["containerPort"] for mapping in container.get("portMappings", [])]:
        problems.append("the metrics port must not be a port mapping of the service container")
    tasks_group = _service_security_group(planned)
    for rule in planned.ecs.of_type("aws_vpc_security_group_ingress_rule"):
        if rule.values.get("security_group_id") == tasks_group and _port_range_contains(rule.values, metrics_port):
            problems.append(f"ingress rule {rule.address} opens the metrics port {metrics_port} on the tasks")
    for rule in planned.ecs.of_type("aws_vpc_security_group_egress_rule"):
        if rule.address.endswith("alb_to_tasks") and _port_range_contains(rule.values, metrics_port):
            problems.append(f"egress rule {rule.address} lets the load balancer reach the metrics port {metrics_port}")
    refused = {"/metrics", "/metrics/", "/metrics/x", "//metrics", "/x/../metrics"}
    covered: set[str] = set()
    for rule in planned.ecs.of_type("aws_lb_listener_rule"):
        if (rule.values.get("action") or [{}])[0].get("type") != "fixed-response":
            continue
        for condition in rule.values.get("condition") or []:
            for pattern_block in condition.get("path_pattern") or []:
                for pattern in pattern_block.get("values") or []:
                    covered |= {path for path in refused if fnmatch.fnmatchcase(path, pattern)}
    if covered != refused:
        problems.append(f"no listener rule answers these paths itself: {sorted(refused - covered)}")
    waf_blocks = False
    for rule in _web_acl(planned).values.get("rule") or []:
        if not (rule.get("action") or [{}])[0].get("block"):
            continue
        for statement in rule.get("statement") or []:
            for match in statement.get("byte_match_statement") or []:
                transforms = {t["type"] for t in match.get("text_transformation") or []}
                if (match.get("search_string") == "/metrics" and (match.get("field_to_match") or [{}])[0].get("uri_path")
                        is not None and {"URL_DECODE", "NORMALIZE_PATH", "LOWERCASE"} <= transforms):
                    waf_blocks = True
    if not waf_blocks:
        problems.append("no WAF rule blocks /metrics on the decoded, normalised, lower-cased path")
    return problems


def _web_acl(planned: Planned):
    """The one web ACL of the stack: the load balancer's (REGIONAL) or CloudFront's, in ./web-acl."""
    acls = planned.ecs.of_type("aws_wafv2_web_acl")
    if len(acls) != 1:
        raise AssertionError(f"expected one web ACL, the plan has {[acl.address for acl in acls]}")
    return acls[0]


def _service_security_group(planned: Planned) -> str | None:
    configuration = planned.ecs.resource("aws_ecs_service.service").values.get("network_configuration") or [{}]
    groups = configuration[0].get("security_groups") or []
    return sorted(groups)[0] if len(groups) == 1 else None


def check_oidc_trust(planned: Planned, repo_root: Path) -> list[str]:
    """The deploy role trusts exactly aud = sts.amazonaws.com and sub = repo:O/R:environment:E."""
    problems: list[str] = []
    role = planned.ecs.resource("aws_iam_role.github_deploy")
    expected = (f"repo:{planned.ecs.variable('github_owner')}/{planned.ecs.variable('github_repository')}"
                f":environment:{planned.ecs.variable('github_environment')}")
    statements = _statements(role.policy("assume_role_policy"))
    if len(statements) != 1:
        problems.append(f"the trust policy must have exactly one statement, found {len(statements)}")
    for statement in statements:
        if _as_list(statement.get("Action")) != ["sts:AssumeRoleWithWebIdentity"]:
            problems.append(f"trust actions must be only sts:AssumeRoleWithWebIdentity, found {statement.get('Action')}")
        if list((statement.get("Principal") or {}).keys()) != ["Federated"]:
            problems.append("the trust principal must be the federated GitHub OIDC provider only")
        conditions = statement.get("Condition") or {}
        for test, entries in conditions.items():
            for variable in entries:
                if "Like" in test and variable.startswith(GITHUB_OIDC):
                    problems.append(f"{variable} uses {test}: wildcards match more than this repository")
        equals = conditions.get("StringEquals", {})
        if _as_list(equals.get(f"{GITHUB_OIDC}:aud")) != ["sts.amazonaws.com"]:
            problems.append(f"aud must be exactly StringEquals sts.amazonaws.com, found {equals.get(f'{GITHUB_OIDC}:aud')}")
        subject = _as_list(equals.get(f"{GITHUB_OIDC}:sub"))
        if subject != [expected]:
            problems.append(f"sub must be exactly {expected!r} with StringEquals, found {subject}")
        if any("*" in value or "?" in value for value in subject if isinstance(value, str)):
            problems.append(f"sub {subject} holds a wildcard")
    stack_dir = repo_root / "terraform" / "ecs"
    for variable, good in GOOD_SAMPLES.items():
        for sample in WILDCARD_SAMPLES:
            if validation_accepts(stack_dir, variable, sample):
                problems.append(f"var.{variable} accepts {sample!r}: the subject could match other repositories")
        if not validation_accepts(stack_dir, variable, good):
            problems.append(f"var.{variable} refuses the ordinary value {good!r}")
    for provider in planned.ecs.of_type("aws_iam_openid_connect_provider"):
        # The provider stores the URL without its scheme.
        if provider.values.get("client_id_list") != ["sts.amazonaws.com"] or provider.values.get("url").removeprefix("https://") != GITHUB_OIDC:
            problems.append(f"{provider.address} must be https://{GITHUB_OIDC} for sts.amazonaws.com")
    return problems


def check_deploy_credentials_outlast_the_jobs(planned: Planned, repo_root: Path) -> list[str]:
    """Every job that assumes the deploy role asks for credentials that outlast its time limit, and the
    role allows that duration: a slow deploy must end in a verdict, not in ExpiredToken."""
    problems: list[str] = []
    maximum = planned.ecs.resource("aws_iam_role.github_deploy").values["max_session_duration"]
    for workflow, name, job in _deploy_jobs(repo_root):
        limit = int(job.get("timeout-minutes", 360)) * 60
        for step in job.get("steps") or []:
            if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
                asked = int((step.get("with") or {}).get("role-duration-seconds", 3600))
                if asked < limit:
                    problems.append(f"{workflow} job {name}: credentials for {asked} s, the job may run {limit} s")
                if asked > maximum:
                    problems.append(f"{workflow} job {name}: asks {asked} s, the role allows {maximum} s")
    return problems


def _deploy_jobs(repo_root: Path) -> list[tuple[str, str, dict]]:
    """(workflow, job name, job) for every job of the workflows that assumes an AWS role."""
    found = []
    for path in sorted((repo_root / ".github" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, job in (workflow.get("jobs") or {}).items():
            uses = [str(step.get("uses", "")) for step in job.get("steps", []) or []]
            if any(item.startswith("aws-actions/configure-aws-credentials@") for item in uses):
                found.append((path.name, name, job))
    return found


def check_environment_matches_workflow(planned: Planned, repo_root: Path) -> list[str]:
    """The environment the role trusts is one a deploy job of the workflows runs in."""
    if not (repo_root / ".github" / "workflows" / "deploy.yml").exists():
        return [".github/workflows/deploy.yml does not exist: the deploy jobs' environments cannot be compared"]
    environments = set()
    for _, _, job in _deploy_jobs(repo_root):
        environment = job.get("environment")
        name = environment.get("name") if isinstance(environment, dict) else environment
        if name is not None:
            environments.add(str(name))
    trusted = planned.ecs.variable("github_environment")
    if not any(name == trusted or "${{" in name for name in environments):
        return [f"no deploy job runs in environment {trusted!r}, the only one the deploy role trusts (jobs: {sorted(environments)})"]
    return []


def check_pass_role(planned: Planned, repo_root: Path) -> list[str]:
    """The deploy policy passes only the service's and the admin task's roles, and only to ecs-tasks."""
    problems: list[str] = []
    document = planned.ecs.resource("aws_iam_role_policy.github_deploy").policy("policy")
    allowed_roles = {planned.ecs.resource(f"aws_iam_role.{name}").values["arn"]
                     for name in ("execution", "task", "admin_execution", "admin_task")}
    task = planned.ecs.resource("aws_ecs_task_definition.service").values
    if {task["execution_role_arn"], task["task_role_arn"]} - allowed_roles:
        problems.append("the service's task definition names roles the deploy role may not pass")
    unscoped_allowed = {"ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"}
    pass_role = 0
    for statement in _statements(document):
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if any(action in ("*", "iam:*") or action.endswith(":*") for action in actions):
            problems.append(f"statement {statement.get('Sid')} grants a wildcard action: {actions}")
        if "*" in resources and set(actions) - unscoped_allowed:
            problems.append(f"actions {sorted(set(actions) - unscoped_allowed)} are granted on '*' although they accept a resource scope")
        if "iam:PassRole" not in actions:
            continue
        pass_role += 1
        if actions != ["iam:PassRole"]:
            problems.append(f"PassRole must stand alone in its statement, found {actions}")
        if not set(resources) <= allowed_roles:
            problems.append(f"PassRole resources {resources} go beyond the service's and admin task's roles")
        condition = (statement.get("Condition") or {}).get("StringEquals", {}).get("iam:PassedToService")
        if _as_list(condition) != ["ecs-tasks.amazonaws.com"]:
            problems.append(f"PassRole needs StringEquals iam:PassedToService = ecs-tasks.amazonaws.com, found {condition}")
    if pass_role != 1:
        problems.append(f"expected one PassRole statement, found {pass_role}")
    return problems


def check_pool_within_max_connections(planned: Planned, repo_root: Path) -> list[str]:
    """Pool size x the most tasks that can run at once stays below the database's connection budget."""
    outputs = planned.database.data["planned_values"].get("outputs", {})
    budget = (outputs.get("service_max_connections") or {}).get("value")
    if budget is None:
        return ["the database plan has no service_max_connections output"]
    max_connections = next((int(p["value"]) for group in planned.database.of_type("aws_db_parameter_group")
                            for p in group.values.get("parameter") or [] if p["name"] == "max_connections"), None)
    if max_connections is None or budget >= max_connections - 5:
        return [f"service_max_connections {budget} must keep at least the 5 superuser slots of max_connections {max_connections} free"]
    pool = int(_environment(_service(planned))["DATABASE_POOL_SIZE"])
    service = planned.ecs.resource("aws_ecs_service.service").values
    max_tasks = planned.ecs.resource("aws_appautoscaling_target.service").values["max_capacity"]
    deploying = max_tasks * service["deployment_maximum_percent"] // 100
    if pool * deploying >= budget:
        return [f"{pool} connections x {deploying} tasks (max {max_tasks} at {service['deployment_maximum_percent']}% during a "
                f"deployment) = {pool * deploying} >= the service's budget {budget}"]
    return []


def check_idle_timeouts(planned: Planned, repo_root: Path) -> list[str]:
    """The load balancer closes idle connections before the service does."""
    t = timing_values(planned)
    if not t["alb_idle_timeout"] < t["keep_alive_idle_timeout"]:
        return [f"ALB idle timeout {t['alb_idle_timeout']} s must be below the service's keep-alive idle timeout {t['keep_alive_idle_timeout']} s"]
    return []


def service_max_body_bytes(repo_root: Path) -> int | None:
    """The service's default MAX_BODY_BYTES, read from its Swift source; None when not found."""
    for path in sorted((repo_root / "app" / "Sources").rglob("*.swift")):
        match = BODY_LIMIT_DECLARATION.search(path.read_text(encoding="utf-8"))
        if match:
            return math.prod(int(factor.replace("_", "")) for factor in match.group(1).split(" * "))
    return None


def check_waf_admits_the_service_body_limit(planned: Planned, repo_root: Path) -> list[str]:
    """An order the service accepts is not refused at the edge: with the service's body limit above
    the common rule set's 8 KB, that group's SizeRestrictions_BODY is overridden to count."""
    environment = _environment(_service(planned))
    limit = int(environment["MAX_BODY_BYTES"]) if environment.get("MAX_BODY_BYTES") else service_max_body_bytes(repo_root)
    if limit is None:
        return ["no `maxBodyBytes: Int = ...` default found in app/Sources (missing or changed)"]
    if limit <= WAF_COMMON_RULES_BODY_LIMIT:
        return []
    for rule in _web_acl(planned).values.get("rule") or []:
        for statement in rule.get("statement") or []:
            for group in statement.get("managed_rule_group_statement") or []:
                if group.get("name") != "AWSManagedRulesCommonRuleSet":
                    continue
                for override in group.get("rule_action_override") or []:
                    if override.get("name") == "SizeRestrictions_BODY" and any(a.get("count") for a in override.get("action_to_use") or []):
                        return []
                return [f"the service accepts bodies up to {limit} bytes, but AWSManagedRulesCommonRuleSet's "
                        f"SizeRestrictions_BODY blocks bodies over {WAF_COMMON_RULES_BODY_LIMIT}: override it to count"]
    return []


def check_scratch_mounts_are_writable(planned: Planned, repo_root: Path) -> list[str]:
    """A bind mount Fargate gives a non-root container is writable only at a path the image declares as
    a VOLUME (otherwise it is root-owned, mode 0755: ECS developer guide, "Bind mounts"); images this
    project does not build get no bind mount, since their VOLUMEs cannot be checked."""
    problems: list[str] = []
    dockerfile = repo_root / "app" / "Dockerfile"
    volumes = dockerfile_volumes(dockerfile.read_text(encoding="utf-8")) if dockerfile.exists() else set()
    for address in ("aws_ecs_task_definition.service", "aws_ecs_task_definition.admin"):
        for name, container in planned.ecs.containers(address).items():
            mounts = [mount["containerPath"] for mount in container.get("mountPoints") or []]
            ours = name in (SERVICE_CONTAINER, ADMIN_CONTAINER)
            for path in mounts:
                if not ours:
                    problems.append(f"{address} {name}: a bind mount at {path} in an image this project does not build")
                elif str(container.get("user", "0")).split(":")[0] not in ("0", "root") and path not in volumes:
                    problems.append(f"{address} {name} runs as {container.get('user')} and mounts {path}, which app/Dockerfile does "
                                    f"not declare as a VOLUME (declared: {sorted(volumes)}): Fargate mounts it root-owned, 0755")
    return problems


ALL_TIES = (
    check_container_port_matches_image,
    check_health_check_path,
    check_timing_relations,
    check_timings_single_source,
    check_fargate_size,
    check_deployment_safety,
    check_metrics_unreachable,
    check_oidc_trust,
    check_deploy_credentials_outlast_the_jobs,
    check_pass_role,
    check_environment_matches_workflow,
    check_pool_within_max_connections,
    check_idle_timeouts,
    check_waf_admits_the_service_body_limit,
    check_scratch_mounts_are_writable,
)
