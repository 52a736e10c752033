"""The metrics collector's configuration (config/otel-collector.yaml) fits what is around it.

Rendered as Terraform renders it, it must be valid YAML, scrape the port and path the service
serves metrics on, keep and rename exactly the request metrics the service really registers
(app/Sources), and publish the names, namespace, dimension and log group that the alarms, the
dashboard and the task role use. The collector binary itself cannot run here (no registry ships
it), so these checks read the file the sidecar will read.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack_model import Stack, expression_text  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
STACK_DIR = REPO / "terraform" / "ecs"
CONFIG = REPO / "config" / "otel-collector.yaml"
APP_SOURCES = REPO / "app" / "Sources"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A registration in the service's sources: `registry.makeCounter(name: "x_total", ...)` or, as the
# service writes it, `registry.makeCounter(descriptor: .named("x_total", help: ...), ...)`.
REGISTRATION = re.compile(
    r"make(Counter|Gauge|DurationHistogram|ValueHistogram|Histogram)\(\s*"
    r"(?:name:|descriptor:\s*\.named\()\s*\"([a-z_:][a-z0-9_:]*)\""
)


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack.load(STACK_DIR, REPO)


def _template_arguments(stack: Stack) -> dict[str, str]:
    """The templatefile() call of local.collector_config: file and variable -> expression."""
    text = expression_text(stack.locals["collector_config"]) or ""
    call = re.fullmatch(r'templatefile\("\$\{path\.module\}/(?P<file>[^"]+)", \{(?P<args>.*)\}\)', text, re.DOTALL)
    assert call, f"local.collector_config is not a templatefile() call: {text}"
    assert (STACK_DIR / call.group("file")).resolve() == CONFIG.resolve()
    return dict(re.findall(r"(\w+) = ([^,]+?)(?:,|$)", call.group("args").strip()))


def _rendered(stack: Stack) -> dict:
    """The configuration with the values Terraform substitutes."""
    arguments = _template_arguments(stack)
    values = {
        "metrics_port": str(stack.evaluate(stack.locals["metrics_port"])),
        "service_dimension": str(stack.evaluate("${var.service_name}")),
        "metrics_namespace": stack.evaluate(stack.locals["metrics_namespace"]),
        "metrics_log_group": stack.evaluate(stack.locals["metrics_log_group_name"]),
    }
    # The values above stand for exactly the expressions Terraform passes.
    assert arguments == {
        "metrics_port": "local.metrics_port",
        "service_dimension": "local.metrics_service_dimension",
        "metrics_namespace": "local.metrics_namespace",
        "metrics_log_group": "aws_cloudwatch_log_group.metrics.name",
    }
    assert expression_text(stack.locals["metrics_service_dimension"]) == "var.service_name"
    log_group = stack.resource("aws_cloudwatch_log_group", "metrics")
    assert expression_text(log_group["name"]) == "local.metrics_log_group_name"
    text = CONFIG.read_text(encoding="utf-8")
    used = set(PLACEHOLDER.findall(text))
    assert used == set(arguments), f"placeholders {used} != templatefile arguments {set(arguments)}"
    assert "%{" not in text, "no template directives: the file stays plain YAML"
    return yaml.safe_load(PLACEHOLDER.sub(lambda m: values[m.group(1)], text))


def _service_metric_names() -> dict[str, str]:
    """Metric name -> kind, for every metric the service registers in its sources."""
    names: dict[str, str] = {}
    for source in APP_SOURCES.rglob("*.swift"):
        text = source.read_text(encoding="utf-8")
        for kind, name in REGISTRATION.findall(text):
            names[name] = kind
    return names


def test_renders_to_yaml_with_every_placeholder_filled(stack: Stack) -> None:
    config = _rendered(stack)
    assert set(config) == {"receivers", "processors", "exporters", "extensions", "service"}


def test_scrapes_the_services_metrics_port_on_loopback(stack: Stack) -> None:
    config = _rendered(stack)
    jobs = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert len(jobs) == 1
    job = jobs[0]
    # Values from the other stacks do not evaluate here and are not needed.
    env = {stack.evaluate(e["name"]): stack.try_evaluate(e["value"])[0] for e in stack.locals["service_container"]["environment"]}
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == [f"{env['METRICS_HOST']}:{env['METRICS_PORT']}"]
    assert env["METRICS_HOST"] == "127.0.0.1"


def test_pipeline_uses_every_component_and_only_defined_ones(stack: Stack) -> None:
    config = _rendered(stack)
    service = config["service"]
    used = {"receivers": set(), "processors": set(), "exporters": set()}
    for pipeline in service["pipelines"].values():
        for kind in used:
            used[kind] |= set(pipeline[kind])
    for kind, names in used.items():
        assert names == set(config[kind]), f"{kind}: pipelines use {names}, defined {set(config[kind])}"
    assert set(service["extensions"]) == set(config["extensions"])


def test_keeps_and_renames_exactly_the_services_request_metrics(stack: Stack) -> None:
    config = _rendered(stack)
    registered = _service_metric_names()
    assert registered, "no metric registrations found under app/Sources"
    request_metrics = {n for n, kind in registered.items() if n.startswith("http_server_") and kind != "Gauge"}
    assert request_metrics, f"the service registers no http_server_* counters or histograms: {registered}"
    kept = config["processors"]["filter/request-metrics"]["metrics"]["include"]["metric_names"]
    renames = {t["include"]: t["new_name"] for t in config["processors"]["metricstransform/cloudwatch-names"]["transforms"]}
    for pattern in kept:
        assert any(re.fullmatch(pattern, name) for name in registered), f"filter {pattern} matches no metric the service registers"
        assert pattern in renames, f"kept metric {pattern} is not renamed to a stable CloudWatch name"
    for name in request_metrics:
        assert any(re.fullmatch(p, name) for p in kept), f"the service's {name} is not published"


def test_publishes_what_the_alarms_and_dashboard_read(stack: Stack) -> None:
    config = _rendered(stack)
    emf = config["exporters"]["awsemf"]
    namespace = stack.evaluate(stack.locals["metrics_namespace"])
    assert emf["namespace"] == namespace
    assert emf["log_group_name"] == stack.evaluate(stack.locals["metrics_log_group_name"])
    published = {t["new_name"] for t in config["processors"]["metricstransform/cloudwatch-names"]["transforms"]}
    selectors = [s for d in emf["metric_declarations"] for s in d["metric_name_selectors"]]
    for name in published:
        assert any(re.fullmatch(s, name) for s in selectors), f"{name} is renamed but not declared to awsemf"
    dimension_sets = [set(d) for decl in emf["metric_declarations"] for d in decl["dimensions"]]
    assert {"Service"} in dimension_sets, "alarms read the Service-only dimension set"
    scrape_label = config["receivers"]["prometheus"]["config"]["scrape_configs"][0]["static_configs"][0]["labels"]
    assert scrape_label == {"Service": stack.evaluate("${var.service_name}")}

    # Every metric the alarms and the dashboard read from the service's namespace is published.
    read: set[str] = set()
    for alarm in stack.of_type("aws_cloudwatch_metric_alarm").values():
        for query in Stack.blocks(alarm, "metric_query"):
            for metric in Stack.blocks(query, "metric"):
                if expression_text(metric.get("namespace")) == "local.metrics_namespace":
                    read.add(stack.evaluate(metric["metric_name"]))
    dashboard = (STACK_DIR / "dashboard.tf").read_text(encoding="utf-8")
    read |= set(re.findall(r'\[local\.metrics_namespace, "([A-Za-z]+)"', dashboard))
    assert read, "nothing reads the service's own metrics"
    assert read <= published, f"alarms or dashboard read {read - published}, which the collector never publishes"


def test_task_role_may_write_the_emf_log_group(stack: Stack) -> None:
    statements = Stack.blocks(stack.data_source("aws_iam_policy_document", "task"), "statement")
    writes = [s for s in statements if "logs:PutLogEvents" in stack.evaluate(s["actions"])]
    assert len(writes) == 1
    assert [expression_text(r) or r for r in writes[0]["resources"]] == ['"${aws_cloudwatch_log_group.metrics.arn}:*"']
    role = stack.resource("aws_ecs_task_definition", "service")["task_role_arn"]
    assert expression_text(role) == "aws_iam_role.task.arn"


def test_sidecar_is_pinned_non_essential_and_health_checked(stack: Stack) -> None:
    config = _rendered(stack)
    image = stack.evaluate(stack.variables["collector_image"]["default"])
    assert re.fullmatch(r"public\.ecr\.aws/aws-observability/aws-otel-collector(:v\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})", image)
    collector = stack.locals["collector_container"]
    assert collector["essential"] is False, "a collector failure must cost metrics, never traffic"
    assert stack.evaluate(collector["healthCheck"]["command"]) == ["CMD", "/healthcheck"]
    assert config["extensions"]["health_check"]["endpoint"].startswith("127.0.0.1:")
    env = {stack.evaluate(e["name"]): e["value"] for e in collector["environment"]}
    assert expression_text(env["AOT_CONFIG_CONTENT"]) == "local.collector_config"
