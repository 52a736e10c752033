"""The collector's configuration, as Terraform renders it into the task definition, fits what is around
it: metrics to CloudWatch, traces to X-Ray.

The rendered YAML (AOT_CONFIG_CONTENT of the collector container in the planned task definition)
must scrape the port and path the service serves metrics on, keep and rename exactly the request
metrics the service really registers (app/Sources), and publish the names, namespace, dimension and
log group that the alarms, the dashboard and the task role use. The collector binary itself cannot
run here (no registry ships it), so these checks read what the sidecar will read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
APP_SOURCES = REPO / "app" / "Sources"
# A registration in the service's sources: `makeCounter(name: "x_total", ...)` or, as the service
# writes it, `makeCounter(descriptor: .named("x_total", help: ...), ...)`.
REGISTRATION = re.compile(
    r"make(Counter|Gauge|DurationHistogram|ValueHistogram|Histogram)\(\s*"
    r"(?:name:|descriptor:\s*\.named\()\s*\"([a-z_:][a-z0-9_:]*)\""
)


@pytest.fixture(scope="module")
def ecs(plan):
    return plan("ecs-applied")


@pytest.fixture(scope="module")
def containers(ecs):
    return ecs.containers("aws_ecs_task_definition.service")


@pytest.fixture(scope="module")
def config(containers) -> dict:
    environment = {entry["name"]: entry["value"] for entry in containers["otel-collector"]["environment"]}
    return yaml.safe_load(environment["AOT_CONFIG_CONTENT"])


def _service_metric_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for source in APP_SOURCES.rglob("*.swift"):
        for kind, name in REGISTRATION.findall(source.read_text(encoding="utf-8")):
            names[name] = kind
    return names


def test_renders_to_yaml_with_every_placeholder_filled(config):
    assert set(config) == {"receivers", "processors", "exporters", "extensions", "service"}
    assert "${" not in yaml.safe_dump(config)


def test_scrapes_the_services_metrics_port_on_loopback(config, containers):
    environment = {entry["name"]: entry["value"] for entry in containers["orders-service"]["environment"]}
    jobs = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert len(jobs) == 1 and jobs[0]["metrics_path"] == "/metrics"
    assert jobs[0]["static_configs"][0]["targets"] == [f"{environment['METRICS_HOST']}:{environment['METRICS_PORT']}"]
    assert environment["METRICS_HOST"] == "127.0.0.1"


def test_pipeline_uses_every_component_and_only_defined_ones(config):
    used = {"receivers": set(), "processors": set(), "exporters": set()}
    for pipeline in config["service"]["pipelines"].values():
        for kind in used:
            used[kind] |= set(pipeline[kind])
    for kind, names in used.items():
        assert names == set(config[kind]), f"{kind}: pipelines use {names}, defined {set(config[kind])}"
    assert set(config["service"]["extensions"]) == set(config["extensions"])


def test_keeps_and_renames_exactly_the_services_request_metrics(config):
    registered = _service_metric_names()
    request_metrics = {n for n, kind in registered.items() if n.startswith("http_server_") and kind != "Gauge"}
    assert request_metrics, f"the service registers no http_server_* counters or histograms: {registered}"
    kept = config["processors"]["filter/request-metrics"]["metrics"]["include"]["metric_names"]
    renames = {t["include"]: t["new_name"] for t in config["processors"]["metricstransform/cloudwatch-names"]["transforms"]}
    for pattern in kept:
        assert any(re.fullmatch(pattern, name) for name in registered), f"filter {pattern} matches no metric the service registers"
        assert pattern in renames, f"kept metric {pattern} is not renamed to a stable CloudWatch name"
    for name in request_metrics:
        assert any(re.fullmatch(p, name) for p in kept), f"the service's {name} is not published"


def test_publishes_the_connection_metrics_per_action(config, ecs):
    """ConnectionsShed keeps the service's `action` label as a dimension, with the values the service
    really uses, and the connections-refused alarm reads the refused series of it."""
    registered = _service_metric_names()
    assert {"http_connections_shed_total", "http_connections_open"} <= set(registered)
    sources = "\n".join(path.read_text(encoding="utf-8") for path in APP_SOURCES.rglob("Connection*.swift"))
    actions = set(re.findall(r'\("action", "([a-z_]+)"\)', sources))
    assert actions == {"closed_idle", "refused"}, actions
    declarations = {s: d["dimensions"] for d in config["exporters"]["awsemf"]["metric_declarations"]
                    for s in d["metric_name_selectors"]}
    assert declarations["^ConnectionsShed$"] == [["Service", "action"]]
    alarm = ecs.resource("aws_cloudwatch_metric_alarm.connections_refused").values
    assert alarm["metric_name"] == "ConnectionsShed" and alarm["namespace"] == config["exporters"]["awsemf"]["namespace"]
    assert alarm["dimensions"] == {"Service": ecs.variable("service_name"), "action": "refused"}
    assert alarm["dimensions"]["action"] in actions
    assert alarm["statistic"] == "Sum" and alarm["threshold"] == 0


def test_publishes_what_the_alarms_and_dashboard_read(config, ecs):
    emf = config["exporters"]["awsemf"]
    metrics_group = ecs.resource("aws_cloudwatch_log_group.metrics").values["name"]
    assert emf["log_group_name"] == metrics_group
    published = {t["new_name"] for t in config["processors"]["metricstransform/cloudwatch-names"]["transforms"]}
    selectors = [s for d in emf["metric_declarations"] for s in d["metric_name_selectors"]]
    for name in published:
        assert any(re.fullmatch(s, name) for s in selectors), f"{name} is renamed but not declared to awsemf"
    assert {"Service"} in [set(d) for decl in emf["metric_declarations"] for d in decl["dimensions"]]
    label = config["receivers"]["prometheus"]["config"]["scrape_configs"][0]["static_configs"][0]["labels"]
    assert label == {"Service": ecs.variable("service_name")}
    read = {metric["metric_name"] for alarm in ecs.of_type("aws_cloudwatch_metric_alarm")
            for query in alarm.values.get("metric_query") or [] for metric in query.get("metric") or []
            if metric["namespace"] == emf["namespace"]}
    read |= {alarm.values["metric_name"] for alarm in ecs.of_type("aws_cloudwatch_metric_alarm")
             if alarm.values.get("namespace") == emf["namespace"]}
    dashboard = ecs.resource("aws_cloudwatch_dashboard.service").values["dashboard_body"]
    read |= set(re.findall(rf'\["{re.escape(emf["namespace"])}","([A-Za-z]+)"', dashboard.replace(" ", "")))
    assert read, "nothing reads the service's own metrics"
    assert read <= published, f"alarms or dashboard read {read - published}, which the collector never publishes"


def test_task_role_may_write_the_emf_log_group(ecs):
    policy = ecs.resource("aws_iam_role_policy.task").policy("policy")
    writes = [s for s in policy["Statement"] if "logs:PutLogEvents" in s["Action"]]
    metrics_arn = ecs.resource("aws_cloudwatch_log_group.metrics").values["arn"]
    assert len(writes) == 1 and writes[0]["Resource"] == f"{metrics_arn}:*"
    task = ecs.resource("aws_ecs_task_definition.service").values
    assert task["task_role_arn"] == ecs.resource("aws_iam_role.task").values["arn"]


def test_sidecar_is_pinned_non_essential_and_health_checked(config, containers):
    collector = containers["otel-collector"]
    assert re.fullmatch(r"public\.ecr\.aws/aws-observability/aws-otel-collector(:v\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})", collector["image"])
    assert collector["essential"] is False, "a collector failure must cost metrics, never traffic"
    assert collector["healthCheck"]["command"] == ["CMD", "/healthcheck"]
    assert config["extensions"]["health_check"]["endpoint"].startswith("127.0.0.1:")


def test_receives_spans_only_on_loopback_where_the_service_sends_them(config, containers):
    """The service's OTLP endpoint is the collector's otlp receiver, over HTTP on the task's loopback,
    and the protocol is the one the service's build carries (no gRPC)."""
    environment = {entry["name"]: entry["value"] for entry in containers["orders-service"]["environment"]}
    receiver = config["receivers"]["otlp"]["protocols"]
    assert set(receiver) == {"http"}, "the service sends OTLP over HTTP only"
    endpoint = receiver["http"]["endpoint"]
    assert endpoint.startswith("127.0.0.1:"), f"the span receiver must not listen beyond the task: {endpoint}"
    assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://{endpoint}"
    assert environment["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"


def test_sampler_settings_are_ones_the_service_accepts(containers, ecs):
    """The task's OTEL_* values are in the sets the service checks at start (TracingSettings.swift), so a
    deploy never stops at start-up on them; the ratio is the stack's trace_sample_ratio."""
    source = (APP_SOURCES / "OrdersService" / "Tracing" / "TracingSettings.swift").read_text(encoding="utf-8")
    samplers = set(re.findall(r'case \w+ = "([a-z_]+)"', source))
    environment = {entry["name"]: entry["value"] for entry in containers["orders-service"]["environment"]}
    assert environment["OTEL_TRACES_SAMPLER"] in samplers and environment["OTEL_TRACES_SAMPLER"].startswith("parentbased_")
    assert float(environment["OTEL_TRACES_SAMPLER_ARG"]) == float(ecs.variable("trace_sample_ratio"))
    assert environment["OTEL_SDK_DISABLED"] == ("true" if float(ecs.variable("trace_sample_ratio")) == 0 else "false")
    assert environment["OTEL_SERVICE_NAME"] == ecs.variable("service_name")
    # X-Ray's segment name rule, which the service name becomes: 1-200 of letters, digits, spaces, _.:/%&#=+\-@
    assert re.fullmatch(r"[\w .:/%&#=+\\\-@]{1,200}", environment["OTEL_SERVICE_NAME"])


def test_traces_go_to_xray_linked_to_the_service_log_group(config, ecs):
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"] and pipeline["exporters"] == ["awsxray"]
    xray = config["exporters"]["awsxray"]
    assert xray["aws_log_groups"] == [ecs.resource("aws_cloudwatch_log_group.service").values["name"]]
    assert "http.route" in xray["indexed_attributes"]
    assert not xray.get("index_all_attributes"), "indexing every attribute would index ids and raise cost"


def test_task_role_may_send_trace_segments_and_nothing_else_of_xray(ecs):
    policy = ecs.resource("aws_iam_role_policy.task").policy("policy")
    xray_actions = set()
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any(action in ("*", "xray:*") or action.endswith(":*") for action in actions), actions
        xray_actions |= {action for action in actions if action.startswith("xray:")}
        if any(action.startswith("xray:") for action in actions):
            assert set(actions) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, actions
            assert statement["Effect"] == "Allow"
    assert xray_actions == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_dashboard_links_to_the_services_traces(ecs):
    body = ecs.resource("aws_cloudwatch_dashboard.service").values["dashboard_body"]
    widgets = json.loads(body)["widgets"]
    texts = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    region = ecs.resource("aws_cloudwatch_log_group.service").values["arn"].split(":")[3]
    assert any("#xray:traces/query" in text and f"service(%22{ecs.variable('service_name')}%22)" in text
               and f"https://{region}.console.aws.amazon.com/" in text for text in texts), texts
    queries = [w["properties"]["query"] for w in widgets if w["type"] == "log"]
    assert any("trace_id" in query for query in queries), "the error table must show each line's trace id"
