"""A small OTLP/HTTP trace receiver on loopback for the tracing tests: it accepts what an OpenTelemetry
exporter POSTs to /v1/traces (protobuf, optionally gzip), decodes it with the protocol's generated
classes (opentelemetry-proto) and keeps every span, so a test can read names, ids and parent links."""
from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from .exposition import total

# The reasons the service gives in `tracing_spans_dropped_total` for a span it did not send.
SPAN_LOSS_REASONS = ("queue_full", "export_failed")


def spans_dropped(exposition: str) -> dict[str, float]:
    """The spans the service says it lost, by reason, from the text of its /metrics."""
    return {reason: total(exposition, "tracing_spans_dropped_total", reason=reason) for reason in SPAN_LOSS_REASONS}


@dataclass
class ReceivedSpan:
    """One span as the receiver decoded it; ids are lowercase hex, the parent id empty for a root."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict = field(default_factory=dict)
    service_name: str = ""


def _value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class OTLPReceiver:
    """Runs on 127.0.0.1 in a thread; `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT should name."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces" or "protobuf" not in self.headers.get("Content-Type", ""):
                    self.send_response(404)
                    self.end_headers()
                    return
                receiver._accept(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._stopped = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OTLPReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops listening; stopping again does nothing."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()

    def _accept(self, export: ExportTraceServiceRequest) -> None:
        with self._lock:
            self.requests += 1
            for resource_spans in export.resource_spans:
                resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.spans.append(ReceivedSpan(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            attributes={a.key: _value(a.value) for a in span.attributes},
                            service_name=str(resource.get("service.name", "")),
                        ))

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._lock:
            return [span for span in self.spans if span.trace_id == trace_id]

    def wait_for_spans(self, count: int, timeout: float = 10) -> None:
        """Returns once at least `count` spans of any trace have arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.spans) >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(f"{len(self.spans)} spans arrived, {count} expected")

    def wait_for_trace(self, trace_id: str, count: int = 1, names: tuple[str, ...] = (),
                       timeout: float = 10) -> list[ReceivedSpan]:
        """The spans of `trace_id` once at least `count` have arrived and every one of `names` among them
        (spans arrive as they end, in more than one batch); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            spans = self.trace(trace_id)
            if len(spans) >= count and set(names) <= {span.name for span in spans}:
                return spans
            time.sleep(0.05)
        arrived = [span.name for span in self.trace(trace_id)]
        raise AssertionError(f"trace {trace_id}: {arrived} arrived; {count} spans with {list(names)} expected")
