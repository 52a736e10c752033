"""Distributed tracing, end to end on loopback: the binary exports to a real OTLP/HTTP receiver
(support/otlp.py, decoding the protocol's protobuf), and each test reads the spans it received.

What a request's trace must show: one server span named after the route template, child spans for the
key lookup and each store call (linked by parent id), the caller's trace continued (W3C traceparent, or
the load balancer's X-Amzn-Trace-Id), and the same trace id in the request's log line and problem body."""
import secrets
import time
import uuid

import pytest

from support import postgres
from support.otlp import OTLPReceiver, spans_dropped
from support.service import Service, free_port, order_body

SERVER, CLIENT, INTERNAL = 2, 3, 1  # OTLP's SpanKind numbers


@pytest.fixture
def receiver():
    running = OTLPReceiver().start()
    yield running
    running.stop()


def traced_service(endpoint: str, **extra: str) -> Service:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_TRACES_SAMPLER": "parentbased_always_on",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_SERVICE_NAME": "orders-service-test",
    }
    env.update(extra)
    return Service(env=env)


def traceparent(sampled: bool = True) -> tuple[str, str, str]:
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, parent_id, f"00-{trace_id}-{parent_id}-{'01' if sampled else '00'}"


def named(spans, name):
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, f"{name!r} expected once among {[span.name for span in spans]}"
    return found[0]


def request_line(service: Service, request_id: str) -> dict:
    lines = [line for line in service.log_lines() if line.get("message") == "request"
             and line.get("request_id") == request_id]
    assert len(lines) == 1, lines
    return lines[0]


def store_env(store: str) -> dict[str, str]:
    if store == "sqlite":
        return {}
    postgres.start()
    return postgres.service_env(postgres.fresh_database())


@pytest.mark.parametrize("store,system", [("sqlite", "sqlite"), ("postgres", "postgresql")])
def test_a_read_continues_the_callers_trace_with_linked_child_spans_and_the_trace_id_in_its_log_line(
        receiver, store, system):
    with traced_service(receiver.endpoint, **store_env(store)).start(wait_for="/health/ready") as service:
        token = service.create_key("c-1")
        created = service.post_order(token, order_body())
        assert created.status == 201
        trace_id, parent_id, header = traceparent()
        reply = service.get(f"/orders/{created.json()['id']}", token=token,
                            headers={"traceparent": header, "X-Request-Id": "read-1"})
        assert reply.status == 200
        spans = receiver.wait_for_trace(trace_id, names=("/orders/{id}", "api key lookup", "SELECT orders"))
        line = request_line(service, "read-1")

    server = named(spans, "/orders/{id}")
    lookup = named(spans, "api key lookup")
    select = named(spans, "SELECT orders")
    print(f"\ntrace {trace_id}: " + ", ".join(
        f"{span.name} (span {span.span_id}, parent {span.parent_span_id})" for span in spans))
    print(f"log line: trace_id={line['trace_id']} span_id={line['span_id']} request_id={line['request_id']}")
    assert server.kind == SERVER and server.parent_span_id == parent_id
    assert server.service_name == "orders-service-test"
    assert server.attributes["http.route"] == "/orders/{id}"
    assert server.attributes["http.response.status_code"] == 200
    assert lookup.parent_span_id == server.span_id and lookup.kind == INTERNAL
    assert lookup.attributes["orders.api_key.source"] in ("cache", "store")
    assert select.parent_span_id == server.span_id and select.kind == CLIENT
    assert select.attributes == {"db.system": system, "db.operation.name": "SELECT", "db.collection.name": "orders"}
    assert (line["trace_id"], line["span_id"]) == (trace_id, server.span_id)


def test_a_create_with_an_idempotency_key_shows_the_idempotency_path_and_the_insert(receiver):
    with traced_service(receiver.endpoint).start() as service:
        token = service.create_key("c-1")
        trace_id, _, header = traceparent()
        reply = service.post_order(token, order_body(), key="k-1", headers={"traceparent": header})
        assert reply.status == 201
        spans = receiver.wait_for_trace(trace_id, names=("/orders", "idempotent create", "INSERT orders"))

    server = named(spans, "/orders")
    idempotent = named(spans, "idempotent create")
    insert = named(spans, "INSERT orders")
    assert idempotent.parent_span_id == server.span_id
    assert idempotent.attributes["orders.idempotency.outcome"] == "created"
    assert insert.parent_span_id == idempotent.span_id
    assert insert.attributes["db.system"] == "sqlite"
    # No statement, parameter or body reaches the tracing backend.
    for span in spans:
        assert not any(key.startswith(("db.query", "db.statement", "http.request.body.content")) for key in span.attributes)
        assert "SKU-1" not in repr(span.attributes)


def test_the_load_balancers_trace_header_starts_the_trace_and_a_traceparent_wins_over_it(receiver):
    root_time, root_random = "5759e988", secrets.token_hex(12)
    amazon = f"Self=1-67891234-12456789abcdef012345678;Root=1-{root_time}-{root_random}"
    with traced_service(receiver.endpoint).start() as service:
        assert service.get("/orders", headers={"X-Amzn-Trace-Id": amazon}).status == 401
        spans = receiver.wait_for_trace(root_time + root_random, names=("/orders",))
        trace_id, parent_id, header = traceparent()
        assert service.get("/orders", headers={"X-Amzn-Trace-Id": amazon, "traceparent": header}).status == 401
        own = receiver.wait_for_trace(trace_id, names=("/orders",))

    server = named(spans, "/orders")
    assert server.parent_span_id == root_random[-16:]
    assert named(own, "/orders").parent_span_id == parent_id


def test_a_problem_body_carries_the_trace_id_next_to_the_request_id(receiver):
    with traced_service(receiver.endpoint).start() as service:
        token = service.create_key("c-1")
        trace_id, _, header = traceparent()
        reply = service.get(f"/orders/{uuid.uuid4()}", token=token, headers={"traceparent": header})
        assert reply.status == 404
        body = reply.json()
        assert body["trace_id"] == trace_id and body["request_id"] == reply.headers["x-request-id"]
        receiver.wait_for_trace(trace_id, names=("/orders/{id}",))


def test_an_unsampled_caller_is_not_exported_but_its_log_line_keeps_the_trace_id(receiver):
    with traced_service(receiver.endpoint).start() as service:
        trace_id, _, header = traceparent(sampled=False)
        assert service.get("/orders", headers={"traceparent": header, "X-Request-Id": "quiet-1"}).status == 401
        sampled_id, _, sampled_header = traceparent()
        assert service.get("/orders", headers={"traceparent": sampled_header}).status == 401
        # Exported after the unsampled one, in the same or a later batch.
        receiver.wait_for_trace(sampled_id, names=("/orders",))
        line = request_line(service, "quiet-1")
    assert receiver.trace(trace_id) == []
    assert line["trace_id"] == trace_id


def test_span_names_are_route_templates_whatever_the_path(receiver):
    with traced_service(receiver.endpoint).start() as service:
        token = service.create_key("c-1")
        ids = []
        for path in [f"/orders/{uuid.uuid4()}", f"/orders/{uuid.uuid4()}", f"/no-such-{uuid.uuid4()}"]:
            trace_id, _, header = traceparent()
            service.get(path, token=token, headers={"traceparent": header})
            ids.append(trace_id)
        names = [named(receiver.wait_for_trace(trace_id, names=(span_name,)), span_name).name
                 for trace_id, span_name in zip(ids, ["/orders/{id}", "/orders/{id}", "unmatched"])]
    assert names == ["/orders/{id}", "/orders/{id}", "unmatched"]


def test_without_an_endpoint_nothing_is_traced_and_no_trace_id_is_logged():
    with Service().start() as service:
        trace_id, _, header = traceparent()
        reply = service.get("/orders", headers={"traceparent": header, "X-Request-Id": "off-1"})
        assert reply.status == 401 and "trace_id" not in reply.json()
        assert "trace_id" not in request_line(service, "off-1")


def test_a_malformed_traceparent_starts_a_new_trace_and_logs_no_header(receiver):
    secret = "never-logged-" + secrets.token_hex(8)
    with traced_service(receiver.endpoint).start() as service:
        reply = service.get("/orders", headers={
            "traceparent": "00-zzzz-" + "0" * 16 + "-01", "Authorization": f"Bearer {secret}", "X-Request-Id": "bad-1"})
        assert reply.status == 401
        line = request_line(service, "bad-1")
        spans = receiver.wait_for_trace(line["trace_id"], names=("/orders",))
        logs = service.logs()
    assert named(spans, "/orders").parent_span_id == ""
    assert secret not in logs


def dropped(service: Service) -> dict[str, float]:
    return spans_dropped(service.get("/metrics").body)


def send_reads(service: Service, token: str, count: int) -> tuple[int, int]:
    """`count` reads of an order that does not exist: each must be a 404 problem, whatever the exporter
    does. Returns (sent, failed)."""
    failed = 0
    for _ in range(count):
        trace_id, _, header = traceparent()
        reply = service.get(f"/orders/{uuid.uuid4()}", token=token, headers={"traceparent": header}, timeout=5)
        if reply.status != 404 or reply.json().get("trace_id") != trace_id:
            failed += 1
    return count, failed


def wait_for_drops(service: Service, reason: str, above: float, timeout: float = 15) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = dropped(service)
        if counts[reason] > above:
            return counts
        time.sleep(0.2)
    raise AssertionError(f"tracing_spans_dropped_total{{reason={reason!r}}} stayed at {dropped(service)}")


def test_an_exporter_down_at_start_or_later_changes_nothing_for_clients_and_drops_are_counted(receiver):
    small_queue = {"OTEL_BSP_MAX_QUEUE_SIZE": "16", "OTEL_BSP_EXPORT_TIMEOUT": "500"}
    # Down from the start: nothing listens at the endpoint.
    with traced_service(f"http://127.0.0.1:{free_port()}", **small_queue).start() as service:
        token = service.create_key("c-1")
        sent, failed = send_reads(service, token, 300)
        at_start = wait_for_drops(service, "export_failed", 0)
        print(f"\nexporter down at start: {sent} requests sent, {failed} failed; dropped spans {at_start}")
        assert failed == 0
    # Up, then gone: the receiver stops while the service runs. The default queue (2,048 spans) holds
    # everything while the receiver is up, so any loss counted there would be a fault.
    with traced_service(receiver.endpoint, OTEL_BSP_EXPORT_TIMEOUT="500").start() as service:
        token = service.create_key("c-1")
        sent_up, failed_up = send_reads(service, token, 50)
        receiver.wait_for_spans(3 * sent_up)  # the server span, the key lookup and the SELECT of each
        before = dropped(service)
        receiver.stop()
        sent_down, failed_down = send_reads(service, token, 300)
        later = wait_for_drops(service, "export_failed", before["export_failed"])
        print(f"exporter up: {sent_up} sent, {failed_up} failed, {len(receiver.spans)} spans received, dropped {before}")
        print(f"exporter gone: {sent_down} requests sent, {failed_down} failed; dropped spans {later}")
        assert failed_up == 0 and failed_down == 0
        assert before == {"queue_full": 0, "export_failed": 0}
