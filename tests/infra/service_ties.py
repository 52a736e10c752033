"""Ties between the service stack (terraform/ecs) and the service it runs.

Each check takes the stack's directory and the repository root and returns a list of problems
(empty: the tie holds). They take a path, not the repository's own stack, so the mutation tests
can run them against a broken copy and see them fail. The sources they compare with:

    app/Dockerfile                  the port the image exposes
    app/openapi.yaml                the /health route the load balancer probes
    config/timings.json             every timing, and docs/contract.md's relations between them
    .github/workflows/deploy.yml    the GitHub environment the deploy job runs in
    terraform/database              max_connections of the database
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

from stack_model import Stack, Unresolved, expression_text, unquote

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

# Where the service keeps its OpenAPI document: the first that exists is read.
OPENAPI_CANDIDATES = ("app/Sources/OrdersService/Resources/openapi.yaml", "app/openapi.yaml")
# The route the load balancer probes (docs/contract.md): live and not draining, never the database.
LOAD_BALANCER_HEALTH_ROUTE = "/health"
LIVENESS_COMMAND = ["CMD", "/usr/local/bin/orders-service", "healthcheck"]

GITHUB_OIDC = "token.actions.githubusercontent.com"
EXPECTED_SUBJECT = "repo:${var.github_owner}/${var.github_repository}:environment:${var.github_environment}"
SUBJECT_VARIABLES = ("github_owner", "github_repository", "github_environment")
# Values every subject variable's validation must refuse, and ones it must accept.
WILDCARD_SAMPLES = ("*", "?", "org*", "repo?", "a/b", "a:b", "")
GOOD_SAMPLES = {"github_owner": "example-org", "github_repository": "cloud-app-platform", "github_environment": "production"}



# --- helpers -------------------------------------------------------------------------------------


def _container(stack: Stack, local_name: str) -> dict:
    container = stack.locals.get(local_name)
    if not isinstance(container, dict):
        raise KeyError(f"local.{local_name} (a container definition) is not defined")
    return container


def _environment(stack: Stack, container: dict) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for entry in container.get("environment", []):
        name = stack.evaluate(entry["name"])
        value, _ = stack.try_evaluate(entry["value"])
        env[name] = value
    return env


def _port_range_contains(stack: Stack, rule: dict, port: int) -> bool:
    protocol = stack.evaluate(rule.get("ip_protocol", '"tcp"'))
    if str(protocol) in ("-1", "all"):
        return True
    low, high = stack.evaluate(rule.get("from_port")), stack.evaluate(rule.get("to_port"))
    return low <= port <= high


def _refers_to(value: Any, reference: str) -> bool:
    """Whether an HCL value is (or interpolates) the given reference text."""
    text = expression_text(value)
    return text == reference if text is not None else False


def _openapi(repo_root: Path) -> tuple[dict | None, str]:
    for candidate in OPENAPI_CANDIDATES:
        path = repo_root / candidate
        if path.exists():
            return yaml.safe_load(path.read_text(encoding="utf-8")), candidate
    return None, " or ".join(OPENAPI_CANDIDATES)


def _dockerfile_exposed_ports(text: str) -> set[int]:
    """Ports of the final stage's EXPOSE lines, with ARG/ENV defaults substituted."""
    stages = re.split(r"(?im)^\s*FROM\s", text)
    final = stages[-1]
    values: dict[str, str] = {}
    ports: set[int] = set()
    joined = re.sub(r"\\\n", " ", final)
    for line in joined.splitlines():
        line = line.strip()
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


def _terraform_regexes(condition: str) -> list[str]:
    """The patterns of `regex("...", var.x)` calls in a validation condition, unescaped."""
    patterns = []
    for literal in re.findall(r'regex\("((?:[^"\\]|\\.)*)"', condition):
        patterns.append(literal.encode("utf-8").decode("unicode_escape"))
    return patterns


def _validation_accepts(stack: Stack, variable: str, sample: str) -> bool:
    """Whether the variable's regex validations accept a sample (Terraform's regex is a search)."""
    body = stack.variables[variable]
    for validation in Stack.blocks(body, "validation"):
        condition = expression_text(validation.get("condition")) or ""
        patterns = _terraform_regexes(condition)
        if not patterns:
            raise Unresolved(f"var.{variable}: validation without a regex: {condition}")
        for pattern in patterns:
            if re.search(pattern, sample) is None:
                return False
        for excluded in re.findall(r'contains\(\[([^\]]*)\], var\.' + variable + r'\)', condition):
            if sample in [unquote(item.strip()) for item in excluded.split(",") if item.strip()]:
                return False
    return True


def _policy_statements(stack: Stack, document: str) -> list[dict]:
    return Stack.blocks(stack.data_source("aws_iam_policy_document", document), "statement")


def _policy_document_of(value: Any) -> str | None:
    match = re.fullmatch(r"data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json", expression_text(value) or "")
    return match.group(1) if match else None


# --- the ties ------------------------------------------------------------------------------------


def check_container_port_matches_image(stack_dir: Path, repo_root: Path) -> list[str]:
    """The container port, the target group port and HTTP_PORT equal the image's EXPOSE."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    app_port = stack.evaluate(stack.locals["app_port"])
    container = _container(stack, "service_container")
    mapped = [stack.evaluate(m["containerPort"]) for m in container.get("portMappings", [])]
    if mapped != [app_port]:
        problems.append(f"service container maps ports {mapped}, expected only the app port {app_port}")
    env = _environment(stack, container)
    if env.get("HTTP_PORT") != str(app_port):
        problems.append(f"HTTP_PORT in the task is {env.get('HTTP_PORT')!r}, the container port is {app_port}")
    target_group = stack.resource("aws_lb_target_group", "service")
    if stack.evaluate(target_group["port"]) != app_port:
        problems.append(f"target group port {stack.evaluate(target_group['port'])} != container port {app_port}")
    for balancer in Stack.blocks(stack.resource("aws_ecs_service", "service"), "load_balancer"):
        if stack.evaluate(balancer["container_port"]) != app_port:
            problems.append(f"service load_balancer.container_port != {app_port}")
    dockerfile = repo_root / "app" / "Dockerfile"
    if not dockerfile.exists():
        problems.append("app/Dockerfile does not exist: the image's port cannot be compared")
        return problems
    exposed = _dockerfile_exposed_ports(dockerfile.read_text(encoding="utf-8"))
    if app_port not in exposed:
        problems.append(f"app/Dockerfile exposes {sorted(exposed)}, not the container port {app_port}")
    return problems


def check_health_check_path(stack_dir: Path, repo_root: Path) -> list[str]:
    """The target group probes the OpenAPI document's /health route; containers probe liveness."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    target_group = stack.resource("aws_lb_target_group", "service")
    checks = Stack.blocks(target_group, "health_check")
    if len(checks) != 1:
        return [f"target group has {len(checks)} health_check blocks, expected 1"]
    health = checks[0]
    path, why = stack.try_evaluate(health.get("path"))
    if why:
        return [f"target group health path does not evaluate: {why}"]
    if path != LOAD_BALANCER_HEALTH_ROUTE:
        problems.append(f"target group health path is {path!r}, the load balancer's route is {LOAD_BALANCER_HEALTH_ROUTE!r}")
    timings_path = stack.evaluate(stack.locals["timings"]).get("health_check_path")
    if path != timings_path:
        problems.append(f"target group health path {path!r} != config/timings.json health_check_path {timings_path!r}")
    if stack.evaluate(health.get("matcher", '"200"')) != "200":
        problems.append("target group health check must expect 200")
    document, where = _openapi(repo_root)
    if document is None:
        problems.append(f"no OpenAPI document at {where}: the health route cannot be compared")
    else:
        operation = (document.get("paths") or {}).get(path) or {}
        if "get" not in operation:
            problems.append(f"{where} declares no GET {path}")
    command = _container(stack, "service_container").get("healthCheck", {}).get("command")
    command = stack.evaluate(command) if command is not None else None
    if command != LIVENESS_COMMAND:
        problems.append(f"container healthCheck command is {command}, expected liveness {LIVENESS_COMMAND}")
    return problems


def _timing_values(stack: Stack) -> dict[str, float]:
    """Every timing as the stack sets it (not as timings.json says): the ties are on what runs."""
    container = _container(stack, "service_container")
    env = _environment(stack, container)
    target_group = stack.resource("aws_lb_target_group", "service")
    health = Stack.blocks(target_group, "health_check")[0]
    values = {
        "interval": stack.evaluate(health["interval"]),
        "timeout": stack.evaluate(health["timeout"]),
        "healthy_threshold": stack.evaluate(health["healthy_threshold"]),
        "unhealthy_threshold": stack.evaluate(health["unhealthy_threshold"]),
        "deregistration_delay": stack.evaluate(target_group["deregistration_delay"]),
        "stop_timeout": stack.evaluate(container["stopTimeout"]),
        "grace_period": stack.evaluate(stack.resource("aws_ecs_service", "service")["health_check_grace_period_seconds"]),
        "alb_idle_timeout": stack.evaluate(stack.resource("aws_lb", "service")["idle_timeout"]),
    }
    for name, variable in (
        ("drain_delay", "DRAIN_DELAY_SECONDS"),
        ("shutdown_timeout", "SHUTDOWN_TIMEOUT_SECONDS"),
        ("request_timeout", "REQUEST_TIMEOUT_SECONDS"),
        ("keep_alive_idle_timeout", "HTTP_IDLE_TIMEOUT_SECONDS"),
    ):
        if env.get(variable) is None:
            raise Unresolved(f"the service container sets no {variable}")
        values[name] = float(env[variable])
    return values


def startup_budget_seconds(repo_root: Path) -> float | None:
    """The longest the service may take from container start to its first 200 on /health
    (config/timings.json). `make image-test` holds the real image to it; the grace period covers it."""
    timings = json.loads((repo_root / "config" / "timings.json").read_text(encoding="utf-8"))
    value = timings.get("startup_budget_seconds")
    return float(value) if value is not None else None


def check_timing_relations(stack_dir: Path, repo_root: Path) -> list[str]:
    """docs/contract.md's relations, on the values the stack really sets."""
    stack = Stack.load(stack_dir, repo_root)
    try:
        t = _timing_values(stack)
    except (Unresolved, KeyError) as error:
        return [f"a timing does not evaluate: {error}"]
    startup = startup_budget_seconds(repo_root)
    if startup is None or startup <= 0:
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


# Each timing the stack sets and the timings.json key it must be read from.
TIMING_SOURCES = {
    ("aws_lb_target_group", "service", "deregistration_delay"): "deregistration_delay_seconds",
    ("aws_lb_target_group", "service", "health_check.path"): "health_check_path",
    ("aws_lb_target_group", "service", "health_check.interval"): "health_check_interval_seconds",
    ("aws_lb_target_group", "service", "health_check.timeout"): "health_check_timeout_seconds",
    ("aws_lb_target_group", "service", "health_check.healthy_threshold"): "healthy_threshold",
    ("aws_lb_target_group", "service", "health_check.unhealthy_threshold"): "unhealthy_threshold",
    ("aws_ecs_service", "service", "health_check_grace_period_seconds"): "health_check_grace_period_seconds",
    ("aws_lb", "service", "idle_timeout"): "alb_idle_timeout_seconds",
}
CONTAINER_TIMING_SOURCES = {
    "stopTimeout": "stop_timeout_seconds",
    "env:DRAIN_DELAY_SECONDS": "drain_delay_seconds",
    "env:SHUTDOWN_TIMEOUT_SECONDS": "shutdown_timeout_seconds",
    "env:HTTP_IDLE_TIMEOUT_SECONDS": "keep_alive_idle_timeout_seconds",
    "env:REQUEST_TIMEOUT_SECONDS": "request_timeout_seconds",
    "healthCheck.interval": "container_health_check_interval_seconds",
    "healthCheck.timeout": "container_health_check_timeout_seconds",
    "healthCheck.retries": "container_health_check_retries",
    "healthCheck.startPeriod": "container_health_check_start_period_seconds",
}


def check_timings_single_source(stack_dir: Path, repo_root: Path) -> list[str]:
    """Every timing is read from config/timings.json (local.timings), never written as a number."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    timings_expression = expression_text(stack.locals.get("timings")) or ""
    if "config/timings.json" not in timings_expression:
        problems.append("local.timings is not read from config/timings.json")

    def expect(value: Any, key: str, where: str) -> None:
        text = expression_text(value) or ""
        if not re.fullmatch(rf"(tostring\()?local\.timings\.{key}\)?", text):
            problems.append(f"{where} is {value!r}, not read from local.timings.{key}")

    for (resource_type, name, attribute), key in TIMING_SOURCES.items():
        body = stack.resource(resource_type, name)
        if "." in attribute:
            block, leaf = attribute.split(".")
            body = Stack.blocks(body, block)[0]
            attribute = leaf
        expect(body.get(attribute), key, f"{resource_type}.{name}.{attribute}")
    container = _container(stack, "service_container")
    env = {stack.evaluate(e["name"]): e["value"] for e in container.get("environment", [])}
    for place, key in CONTAINER_TIMING_SOURCES.items():
        if place.startswith("env:"):
            value = env.get(place[4:])
        elif "." in place:
            outer, leaf = place.split(".")
            value = container.get(outer, {}).get(leaf)
        else:
            value = container.get(place)
        expect(value, key, f"service container {place}")
    return problems


def check_fargate_size(stack_dir: Path, repo_root: Path) -> list[str]:
    """The task size is a pair Fargate accepts, the sidecar fits, and the validation covers it."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    task = stack.resource("aws_ecs_task_definition", "service")
    if not (_refers_to(task.get("cpu"), "var.task_cpu") and _refers_to(task.get("memory"), "var.task_memory")):
        problems.append("the task definition must take cpu and memory from var.task_cpu and var.task_memory")
    cpu = stack.evaluate(stack.variables["task_cpu"]["default"])
    memory = stack.evaluate(stack.variables["task_memory"]["default"])
    if memory not in FARGATE_SIZES.get(cpu, []):
        problems.append(f"default task size {cpu} CPU / {memory} MiB is not a Fargate combination")
    example = stack.path / "terraform.tfvars.example"
    if example.exists():
        text = example.read_text(encoding="utf-8")
        found = {k: int(v) for k, v in re.findall(r"(?m)^\s*(task_cpu|task_memory)\s*=\s*(\d+)", text)}
        if found and found.get("task_memory") not in FARGATE_SIZES.get(found.get("task_cpu", cpu), []):
            problems.append(f"terraform.tfvars.example task size {found} is not a Fargate combination")
    accepted = _validated_sizes(stack)
    for size in sorted(set(accepted) | set(FARGATE_SIZES)):
        if accepted.get(size) != FARGATE_SIZES.get(size):
            problems.append(
                f"for {size} CPU the validations accept memory {accepted.get(size)}, Fargate {FARGATE_SIZES.get(size)}"
            )
    collector = _container(stack, "collector_container")
    hard = stack.evaluate(collector.get("memory", 0))
    if hard >= memory:
        problems.append(f"the collector's memory limit {hard} MiB leaves nothing of {memory} MiB for the service")
    if stack.evaluate(collector.get("cpu", 0)) >= cpu:
        problems.append("the collector's CPU share must be below the task's CPU")
    return problems


def _hcl_list(text: str) -> list[int]:
    """`[1, 2]` or `range(a, b, step)` as Terraform evaluates it."""
    text = text.strip()
    ranged = re.fullmatch(r"range\((\d+), (\d+), (\d+)\)", text)
    if ranged:
        return list(range(*(int(g) for g in ranged.groups())))
    return [int(item) for item in re.findall(r"\d+", text)]


def _validated_sizes(stack: Stack) -> dict[int, list[int]]:
    """CPU -> memory pairs the two variables' validations accept, read from their conditions."""
    cpu_conditions = [expression_text(v.get("condition")) or "" for v in Stack.blocks(stack.variables["task_cpu"], "validation")]
    memory_conditions = [expression_text(v.get("condition")) or "" for v in Stack.blocks(stack.variables["task_memory"], "validation")]
    cpus: list[int] = []
    for condition in cpu_conditions:
        listed = re.fullmatch(r"contains\((\[[^\]]*\]), var\.task_cpu\)", condition)
        if listed:
            cpus = _hcl_list(listed.group(1))
    sizes: dict[int, list[int]] = {}
    for condition in memory_conditions:
        body = re.fullmatch(r"contains\((.*), var\.task_memory\)", condition, re.DOTALL)
        if not body:
            continue
        branches = re.findall(r"var\.task_cpu == (\d+) \? (\[[^\]]*\]|range\([^)]*\))", body.group(1))
        for cpu, memory in branches:
            sizes[int(cpu)] = _hcl_list(memory)
        last = re.search(r": (\[[^\]]*\]|range\([^)]*\))$", body.group(1))
        remaining = [cpu for cpu in cpus if cpu not in sizes]
        if last and len(remaining) == 1:
            sizes[remaining[0]] = _hcl_list(last.group(1))
    return {cpu: sizes.get(cpu, []) for cpu in cpus}


def check_deployment_safety(stack_dir: Path, repo_root: Path) -> list[str]:
    """Circuit breaker and alarm rollback on, rolling 100/200, CI owns the image."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    service = stack.resource("aws_ecs_service", "service")
    breakers = Stack.blocks(service, "deployment_circuit_breaker")
    if not breakers or not all(stack.evaluate(b.get("enable")) is True and stack.evaluate(b.get("rollback")) is True for b in breakers):
        problems.append("deployment_circuit_breaker must have enable = true and rollback = true")
    alarms = Stack.blocks(service, "alarms")
    if not alarms:
        problems.append("the service has no alarms block")
    for block in alarms:
        if stack.evaluate(block.get("enable")) is not True or stack.evaluate(block.get("rollback")) is not True:
            problems.append("the alarms block must have enable = true and rollback = true")
        names = block.get("alarm_names")
        text = expression_text(names)
        if text and text.startswith("local."):
            names = stack.locals.get(text.split(".", 1)[1], [])
        referenced = [re.fullmatch(r"aws_cloudwatch_metric_alarm\.([A-Za-z0-9_]+)\.alarm_name", expression_text(n) or "") for n in names or []]
        if not names or not all(referenced):
            problems.append(f"alarm_names must name this stack's alarms, found {names!r}")
        for match in filter(None, referenced):
            if match.group(1) not in stack.of_type("aws_cloudwatch_metric_alarm"):
                problems.append(f"deployment alarm {match.group(1)} does not exist")
    for controller in Stack.blocks(service, "deployment_controller"):
        if stack.evaluate(controller.get("type")) != "ECS":
            problems.append("alarm rollback needs the ECS deployment controller")
    minimum = stack.evaluate(service.get("deployment_minimum_healthy_percent"))
    maximum = stack.evaluate(service.get("deployment_maximum_percent"))
    if (minimum, maximum) != (100, 200):
        problems.append(f"rolling deployments must be minimum 100% / maximum 200%, found {minimum}/{maximum}")
    ignored = {str(stack.evaluate(x)) for block in Stack.blocks(service, "lifecycle") for x in block.get("ignore_changes", [])}
    for needed in ("task_definition", "desired_count"):
        if needed not in ignored:
            problems.append(f"the service must ignore changes to {needed}")
    minimum_tasks = stack.evaluate(stack.variables["autoscaling_min_capacity"]["default"])
    if minimum_tasks < 2:
        problems.append(f"at least 2 tasks (one per zone), default minimum is {minimum_tasks}")
    return problems


def check_metrics_unreachable(stack_dir: Path, repo_root: Path) -> list[str]:
    """/metrics cannot be reached through the load balancer, by port or by path."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    app_port = stack.evaluate(stack.locals["app_port"])
    metrics_port = stack.evaluate(stack.locals["metrics_port"])
    if metrics_port == app_port:
        problems.append("the metrics port must differ from the application port")
    container = _container(stack, "service_container")
    env = _environment(stack, container)
    if env.get("METRICS_PORT") != str(metrics_port):
        problems.append(f"METRICS_PORT in the task is {env.get('METRICS_PORT')!r}, expected {metrics_port}")
    if env.get("METRICS_HOST") not in ("127.0.0.1", "::1"):
        problems.append(f"METRICS_HOST must be the loopback address, found {env.get('METRICS_HOST')!r}")
    if metrics_port in [stack.evaluate(m["containerPort"]) for m in container.get("portMappings", [])]:
        problems.append("the metrics port must not be a port mapping of the service container")
    target_group = stack.resource("aws_lb_target_group", "service")
    if stack.evaluate(target_group["port"]) == metrics_port:
        problems.append("the target group must not point at the metrics port")
    for health in Stack.blocks(target_group, "health_check"):
        port = stack.evaluate(health.get("port", '"traffic-port"'))
        if str(port) not in ("traffic-port", str(app_port)):
            problems.append(f"the target group health check uses port {port}")

    tasks_group = "local.tasks_security_group"
    for name, rule in stack.of_type("aws_vpc_security_group_ingress_rule").items():
        if _refers_to(rule.get("security_group_id"), tasks_group) and _port_range_contains(stack, rule, metrics_port):
            problems.append(f"ingress rule {name} opens the metrics port {metrics_port} on the tasks")
    for name, rule in stack.of_type("aws_vpc_security_group_egress_rule").items():
        if _refers_to(rule.get("security_group_id"), "aws_security_group.alb.id") and _port_range_contains(stack, rule, metrics_port):
            problems.append(f"egress rule {name} lets the load balancer reach the metrics port {metrics_port}")
    for name, group in stack.of_type("aws_security_group").items():
        if "ingress" in group or "egress" in group:
            problems.append(f"security group {name} has inline rules; the checks read the separate rule resources")

    # Belt and braces at the edge: the listener rule and the WAF rule refuse /metrics paths.
    rules = [r for r in stack.of_type("aws_lb_listener_rule").values() if _refers_to(r.get("listener_arn"), "local.service_listener_arn")]
    refused = {"/metrics", "/metrics/", "/metrics/x", "//metrics", "/x/../metrics"}
    covered: set[str] = set()
    for rule in rules:
        actions = Stack.blocks(rule, "action")
        if not actions or stack.evaluate(actions[0].get("type")) != "fixed-response":
            continue
        for condition in Stack.blocks(rule, "condition"):
            for pattern_block in Stack.blocks(condition, "path_pattern"):
                for pattern in stack.evaluate(pattern_block.get("values", [])):
                    covered |= {path for path in refused if fnmatch.fnmatchcase(path, pattern)}
    if covered != refused:
        problems.append(f"no listener rule answers these paths itself: {sorted(refused - covered)}")
    acl = stack.resource("aws_wafv2_web_acl", "service")
    waf_blocks = False
    for rule in Stack.blocks(acl, "rule"):
        actions = Stack.blocks(rule, "action")
        if not actions or "block" not in actions[0]:
            continue
        for statement in Stack.blocks(rule, "statement"):
            for match in Stack.blocks(statement, "byte_match_statement"):
                transforms = {stack.evaluate(t.get("type")) for t in Stack.blocks(match, "text_transformation")}
                fields = Stack.blocks(match, "field_to_match")
                if (
                    stack.evaluate(match.get("search_string")) == "/metrics"
                    and fields and "uri_path" in fields[0]
                    and {"URL_DECODE", "NORMALIZE_PATH", "LOWERCASE"} <= transforms
                ):
                    waf_blocks = True
    if not waf_blocks:
        problems.append("no WAF rule blocks /metrics on the decoded, normalised, lower-cased path")
    return problems


def _trust_statements(stack: Stack) -> tuple[dict, list[dict]]:
    role = stack.resource("aws_iam_role", "github_deploy")
    document = _policy_document_of(role.get("assume_role_policy"))
    if document is None:
        raise Unresolved("aws_iam_role.github_deploy.assume_role_policy is not a policy document of this stack")
    return role, _policy_statements(stack, document)


def check_oidc_trust(stack_dir: Path, repo_root: Path) -> list[str]:
    """The deploy role trusts exactly aud = sts.amazonaws.com and sub = repo:O/R:environment:E."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    try:
        role, statements = _trust_statements(stack)
    except (Unresolved, KeyError) as error:
        return [str(error)]
    if stack.evaluate(role.get("max_session_duration")) != 3600:
        problems.append("the deploy role's session must last one hour (max_session_duration = 3600)")
    if len(statements) != 1:
        problems.append(f"the trust policy must have exactly one statement, found {len(statements)}")
    for statement in statements:
        if stack.evaluate(statement.get("effect", '"Allow"')) != "Allow":
            continue
        actions = stack.evaluate(statement.get("actions", []))
        if actions != ["sts:AssumeRoleWithWebIdentity"]:
            problems.append(f"trust actions must be only sts:AssumeRoleWithWebIdentity, found {actions}")
        principals = Stack.blocks(statement, "principals")
        if [stack.evaluate(p.get("type")) for p in principals] != ["Federated"]:
            problems.append("the trust principal must be the federated GitHub OIDC provider only")
        conditions: dict[str, list[tuple[str, list]]] = {}
        for condition in Stack.blocks(statement, "condition"):
            variable = stack.evaluate(condition.get("variable"))
            test = stack.evaluate(condition.get("test"))
            values = condition.get("values", [])
            conditions.setdefault(variable, []).append((test, values))
        aud = conditions.get(f"{GITHUB_OIDC}:aud", [])
        if [(test, stack.evaluate(values)) for test, values in aud] != [("StringEquals", ["sts.amazonaws.com"])]:
            problems.append(f"aud must be exactly StringEquals sts.amazonaws.com, found {aud}")
        sub = conditions.get(f"{GITHUB_OIDC}:sub", [])
        if len(sub) != 1 or sub[0][0] != "StringEquals" or len(sub[0][1]) != 1:
            problems.append(f"sub must be one StringEquals value (no StringLike, no list), found {sub}")
        else:
            raw = sub[0][1][0]
            text = expression_text(raw)
            template = stack.locals.get(text.split(".", 1)[1]) if text and text.startswith("local.") else raw
            try:
                template = unquote(template)
            except Unresolved:
                template = str(template)
            if template != EXPECTED_SUBJECT:
                problems.append(f"sub is {template!r}, expected exactly {EXPECTED_SUBJECT!r}")
            if "*" in template or "?" in template:
                problems.append(f"sub {template!r} holds a wildcard")
        for variable, entries in conditions.items():
            for test, _ in entries:
                if "Like" in str(test) and variable.startswith(GITHUB_OIDC):
                    problems.append(f"{variable} uses {test}: wildcards match more than this repository")
    for variable in SUBJECT_VARIABLES:
        if variable not in stack.variables:
            problems.append(f"var.{variable} is not declared")
            continue
        try:
            for sample in WILDCARD_SAMPLES:
                if _validation_accepts(stack, variable, sample):
                    problems.append(f"var.{variable} accepts {sample!r}: the subject could match other repositories")
            if not _validation_accepts(stack, variable, GOOD_SAMPLES[variable]):
                problems.append(f"var.{variable} refuses the ordinary value {GOOD_SAMPLES[variable]!r}")
        except Unresolved as error:
            problems.append(str(error))
    providers = stack.of_type("aws_iam_openid_connect_provider")
    for name, provider in providers.items():
        if stack.evaluate(provider.get("client_id_list")) != ["sts.amazonaws.com"]:
            problems.append(f"OIDC provider {name} must have client_id_list = [sts.amazonaws.com]")
        url, _ = stack.try_evaluate(provider.get("url"))
        if url != f"https://{GITHUB_OIDC}":
            problems.append(f"OIDC provider {name} url is {url!r}")
    return problems


EXPECTED_ROLES_PASSED = {"aws_iam_role.execution.arn", "aws_iam_role.task.arn"}


def check_pass_role(stack_dir: Path, repo_root: Path) -> list[str]:
    """The deploy policy passes only the two task roles, and only to ecs-tasks."""
    stack = Stack.load(stack_dir, repo_root)
    problems: list[str] = []
    policy = stack.resource("aws_iam_role_policy", "github_deploy")
    document = _policy_document_of(policy.get("policy"))
    if document is None:
        return ["aws_iam_role_policy.github_deploy.policy is not a policy document of this stack"]
    task = stack.resource("aws_ecs_task_definition", "service")
    task_roles = {expression_text(task.get("execution_role_arn")), expression_text(task.get("task_role_arn"))}
    if task_roles != EXPECTED_ROLES_PASSED:
        problems.append(f"the task definition's roles are {task_roles}, expected {EXPECTED_ROLES_PASSED}")
    pass_role_statements = 0
    for statement in _policy_statements(stack, document):
        actions = stack.evaluate(statement.get("actions", []))
        resources = statement.get("resources", [])
        if any(a in ("*", "iam:*") or a.endswith(":*") for a in actions):
            problems.append(f"statement {statement.get('sid')} grants a wildcard action: {actions}")
        if "iam:PassRole" not in actions:
            continue
        pass_role_statements += 1
        if actions != ["iam:PassRole"]:
            problems.append(f"PassRole must stand alone in its statement, found {actions}")
        if {expression_text(r) for r in resources} != EXPECTED_ROLES_PASSED:
            problems.append(f"PassRole resources are {resources}, expected exactly {sorted(EXPECTED_ROLES_PASSED)}")
        conditions = [
            (stack.evaluate(c.get("test")), stack.evaluate(c.get("variable")), stack.evaluate(c.get("values")))
            for c in Stack.blocks(statement, "condition")
        ]
        if ("StringEquals", "iam:PassedToService", ["ecs-tasks.amazonaws.com"]) not in conditions:
            problems.append(f"PassRole needs StringEquals iam:PassedToService = ecs-tasks.amazonaws.com, found {conditions}")
    if pass_role_statements != 1:
        problems.append(f"expected one PassRole statement, found {pass_role_statements}")
    # Only the actions that accept no resource scope may use "*".
    unscoped_allowed = {"ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"}
    for statement in _policy_statements(stack, document):
        resources = stack.try_evaluate(statement.get("resources", []))[0] or []
        if "*" in resources:
            extra = set(stack.evaluate(statement.get("actions", []))) - unscoped_allowed
            if extra:
                problems.append(f"actions {sorted(extra)} are granted on '*' although they accept a resource scope")
    return problems


def _workflow_deploy_environments(workflow: dict) -> list[str]:
    """The environment names of the jobs that assume an AWS role."""
    names = []
    for job in (workflow.get("jobs") or {}).values():
        uses = [str(step.get("uses", "")) for step in job.get("steps", []) or []]
        if not any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses):
            continue
        environment = job.get("environment")
        names.append(environment.get("name") if isinstance(environment, dict) else environment)
    return names


def check_environment_matches_workflow(stack_dir: Path, repo_root: Path) -> list[str]:
    """The trust policy's environment is the one the deploy job of deploy.yml names."""
    stack = Stack.load(stack_dir, repo_root)
    workflow_path = repo_root / ".github" / "workflows" / "deploy.yml"
    if not workflow_path.exists():
        return [".github/workflows/deploy.yml does not exist: the deploy job's environment cannot be compared"]
    workflow = yaml.safe_load(workflow_path.read_text(encoding="utf-8"))
    environments = _workflow_deploy_environments(workflow)
    expected = stack.evaluate(stack.variables["github_environment"]["default"])
    if not environments:
        return ["deploy.yml has no job that assumes an AWS role with configure-aws-credentials"]
    return [
        f"deploy.yml's deploy job runs in environment {name!r}, the trust policy's sub names {expected!r}"
        for name in environments
        if name != expected
    ]


def database_connection_budget(repo_root: Path) -> tuple[int | None, str]:
    """Connections the service may open: the database stack's `service_max_connections`, which is
    max_connections (as its parameter group sets it) less `local.connections_kept_free`, the slots
    kept for superusers, the admin task and an operator's session."""
    database = repo_root / "terraform" / "database"
    if not any(database.glob("*.tf")):
        return None, "terraform/database does not exist"
    stack = Stack.load(database, repo_root)
    settings: dict[str, int] = {}
    for group in stack.of_type("aws_db_parameter_group").values():
        for parameter in Stack.blocks(group, "parameter"):
            name = stack.try_evaluate(parameter.get("name"))[0]
            if name in ("max_connections", "superuser_reserved_connections", "rds.rds_superuser_reserved_connections"):
                value, why = stack.try_evaluate(parameter.get("value"))
                if why:
                    return None, f"{name} in the parameter group does not evaluate: {why}"
                settings[name] = int(value)
    if "max_connections" not in settings:
        return None, "the database's parameter group does not set max_connections"
    output = expression_text(stack.outputs.get("service_max_connections", {}).get("value"))
    if output != "var.max_connections - local.connections_kept_free":
        return None, f"output service_max_connections is {output!r}, not max_connections less connections_kept_free"
    if "connections_kept_free" not in stack.locals:
        return None, "the database stack defines no local.connections_kept_free"
    kept_free, why = stack.try_evaluate(stack.locals["connections_kept_free"])
    if why or not isinstance(kept_free, int):
        return None, f"local.connections_kept_free does not evaluate to a number: {why or kept_free!r}"
    # PostgreSQL's defaults when the group leaves them alone: 3 for superusers, 2 for rds_superuser.
    reserved = settings.get("superuser_reserved_connections", 3) + settings.get("rds.rds_superuser_reserved_connections", 2)
    if kept_free < reserved:
        return None, f"connections_kept_free {kept_free} does not even cover the {reserved} slots reserved for superusers"
    return settings["max_connections"] - kept_free, f"max_connections {settings['max_connections']} - {kept_free} kept free"


def check_pool_within_max_connections(stack_dir: Path, repo_root: Path) -> list[str]:
    """Pool size x the most tasks that can run at once stays below the database's connection budget."""
    stack = Stack.load(stack_dir, repo_root)
    budget, source = database_connection_budget(repo_root)
    if budget is None:
        return [f"max_connections unknown: {source}"]
    pool = stack.evaluate(stack.variables["database_pool_size"]["default"])
    env = _environment(stack, _container(stack, "service_container"))
    if env.get("DATABASE_POOL_SIZE") != str(pool):
        return [f"DATABASE_POOL_SIZE in the task is {env.get('DATABASE_POOL_SIZE')!r}, not var.database_pool_size"]
    max_tasks = stack.evaluate(stack.variables["autoscaling_max_capacity"]["default"])
    # During a deployment at maximum 200% the old and the new tasks hold connections together.
    deploying = max_tasks * stack.evaluate(stack.locals["deployment_maximum_percent"]) // 100
    needed = pool * deploying
    if needed >= budget:
        return [
            f"{pool} connections x {deploying} tasks (max {max_tasks} at 200% during a deployment) = {needed} "
            f">= the service's budget {budget} ({source})"
        ]
    return []


def check_idle_timeouts(stack_dir: Path, repo_root: Path) -> list[str]:
    """The load balancer closes idle connections before the service does."""
    stack = Stack.load(stack_dir, repo_root)
    alb = stack.evaluate(stack.resource("aws_lb", "service")["idle_timeout"])
    env = _environment(stack, _container(stack, "service_container"))
    keep_alive = env.get("HTTP_IDLE_TIMEOUT_SECONDS")
    if keep_alive is None:
        return ["the service container sets no HTTP_IDLE_TIMEOUT_SECONDS"]
    if not alb < float(keep_alive):
        return [f"ALB idle timeout {alb} s must be below the service's keep-alive idle timeout {keep_alive} s"]
    return []


# AWSManagedRulesCommonRuleSet's SizeRestrictions_BODY blocks request bodies larger than this.
WAF_COMMON_RULES_BODY_LIMIT = 8 * 1024
SERVICE_CONFIGURATION = "app/Sources/OrdersService/Configuration/ServiceConfiguration.swift"


def _service_max_body_bytes(repo_root: Path) -> int | None:
    """The default MAX_BODY_BYTES the service declares (`maxBodyBytes: Int = 64 * 1024`), read from its
    source so the two cannot drift; None when the declaration is not found."""
    path = repo_root / SERVICE_CONFIGURATION
    if not path.exists():
        return None
    source = path.read_text(encoding="utf-8")
    match = re.search(r"var maxBodyBytes: Int = ([0-9_]+(?: \* [0-9_]+)*)\n", source)
    if not match:
        return None
    return math.prod(int(factor.replace("_", "")) for factor in match.group(1).split(" * "))


def check_waf_admits_the_service_body_limit(stack_dir: Path, repo_root: Path) -> list[str]:
    """An order the service accepts is not refused at the edge: with the service's body limit above
    the common rule set's 8 KB, that group's SizeRestrictions_BODY is overridden to count."""
    stack = Stack.load(stack_dir, repo_root)
    env = _environment(stack, _container(stack, "service_container"))
    limit = int(env["MAX_BODY_BYTES"]) if env.get("MAX_BODY_BYTES") else _service_max_body_bytes(repo_root)
    if limit is None:
        return [f"no `var maxBodyBytes: Int = ...` default found in {SERVICE_CONFIGURATION} (missing or changed)"]
    if limit <= WAF_COMMON_RULES_BODY_LIMIT:
        return []
    acl = stack.resource("aws_wafv2_web_acl", "service")
    for rule in Stack.blocks(acl, "rule"):
        for statement in Stack.blocks(rule, "statement"):
            for group in Stack.blocks(statement, "managed_rule_group_statement"):
                if stack.evaluate(group.get("name")) != "AWSManagedRulesCommonRuleSet":
                    continue
                for override in Stack.blocks(group, "rule_action_override"):
                    actions = Stack.blocks(override, "action_to_use")
                    if stack.evaluate(override.get("name")) == "SizeRestrictions_BODY" and any(
                        Stack.blocks(action, "count") for action in actions
                    ):
                        return []
                return [
                    f"the service accepts bodies up to {limit} bytes, but AWSManagedRulesCommonRuleSet's "
                    f"SizeRestrictions_BODY blocks bodies over {WAF_COMMON_RULES_BODY_LIMIT}: override it to count"
                ]
    return []


ALL_TIES = (
    check_container_port_matches_image,
    check_health_check_path,
    check_timing_relations,
    check_timings_single_source,
    check_fargate_size,
    check_deployment_safety,
    check_metrics_unreachable,
    check_oidc_trust,
    check_pass_role,
    check_environment_matches_workflow,
    check_pool_within_max_connections,
    check_idle_timeouts,
    check_waf_admits_the_service_body_limit,
)
