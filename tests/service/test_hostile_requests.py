"""A hostile client with a valid key, speaking raw HTTP/1.1 to the real binary on loopback: broken chunked
framing, absurd lengths, bodies that stall or stop, duplicate JSON members, forged cursors, methods the
service does not implement, HTTP/1.0 and the HEAD method.

Every client mistake gets a 4xx (or, for a method or HTTP version the service does not implement, the
501 or 505 that RFC 9110 names); a client that leaves in the middle of its request gets nothing and is
recorded as 499; and `http_server_errors_total`, which the alarms and the on-call page read, does not
move across the whole suite. The table of probes and answers is printed, so a run against an older
binary (ORDERS_SERVICE_BINARY=...) shows what each probe got before."""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Callable

from support.exposition import total
from raw_http import RawReply, close_mid_body, exchange, reset_mid_body, stall_mid_body
from support.service import Service, order_body

TIME_LIMIT_SECONDS = 2
ORDER = json.dumps(order_body(customer=None)).encode()


@dataclass
class Target:
    port: int
    token: str
    other_token: str
    cursor_of_other_customer: str


@dataclass
class Probe:
    name: str
    send: Callable[[Target], RawReply]
    status: int | None
    closes: bool | None = None
    check: Callable[[RawReply], bool] | None = None
    check_says: str = ""

    def expected(self) -> str:
        answer = "no response" if self.status is None else str(self.status)
        if self.closes is not None and self.status is not None:
            answer += ", closed" if self.closes else ", kept open"
        return answer + (f", {self.check_says}" if self.check_says else "")

    def verdict(self, reply: RawReply) -> bool:
        if reply.status != self.status:
            return False
        if self.closes is not None and reply.closed != self.closes:
            return False
        return self.check is None or self.check(reply)


def head(method: str, path: str, token: str | None, *extra: str, version: str = "HTTP/1.1") -> bytes:
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(token: str, body: bytes) -> bytes:
    return head("POST", "/orders", token, "Content-Type: application/json", f"Content-Length: {len(body)}") + body


def chunked_post(token: str, chunks: bytes) -> bytes:
    return head("POST", "/orders", token, "Content-Type: application/json", "Transfer-Encoding: chunked") + chunks


def declared(token: str, length: str) -> bytes:
    return head("POST", "/orders", token, "Content-Type: application/json", f"Content-Length: {length}")


def problem(reply: RawReply) -> dict:
    try:
        return json.loads(reply.body)
    except ValueError:
        return {}


def pointer_is(pointer: str) -> Callable[[RawReply], bool]:
    return lambda reply: [e.get("pointer") for e in problem(reply).get("errors", [])] == [pointer]


def is_problem_with_length(reply: RawReply) -> bool:
    body = problem(reply)
    return bool(body.get("request_id")) and reply.header("content-length") == str(len(reply.body))


def no_body_with_length(reply: RawReply) -> bool:
    return reply.body == b"" and int(reply.header("content-length") or "0") > 0


def forged_cursor() -> str:
    return base64.urlsafe_b64encode(b"o1:9223372036854775807").decode().rstrip("=")


def with_duplicate(first: str, second: str) -> bytes:
    return ('{' + first + ',' + second + ',"currency":"EUR",'
            '"items":[{"sku":"A","quantity":1,"unit_price_cents":1}]}').encode()


PROBES = [
    # Malformed chunked bodies: the body's framing is the client's mistake.
    Probe("chunk size `zz`", lambda t: exchange(t.port, chunked_post(t.token, b"zz\r\n{}\r\n0\r\n\r\n")), 400, True,
          is_problem_with_length, "problem body"),
    Probe("chunk longer than its size", lambda t: exchange(t.port, chunked_post(t.token, b"2\r\n{}xx\r\n0\r\n\r\n")),
          400, True),
    Probe("malformed trailer", lambda t: exchange(t.port, chunked_post(t.token, b"2\r\n{}\r\n0\r\nno colon\r\n\r\n")),
          400, True),
    Probe("chunk size over 2^64", lambda t: exchange(t.port, chunked_post(t.token, b"1" + b"0" * 17 + b"\r\n{}\r\n0\r\n\r\n")),
          400, True),
    Probe("Content-Length and Transfer-Encoding together",
          lambda t: exchange(t.port, head("POST", "/orders", t.token, "Content-Length: 2", "Transfer-Encoding: chunked",
                                          "Content-Type: application/json") + b"2\r\n{}\r\n0\r\n\r\n"), 400, True),
    # Clients that leave or stall in the middle of a body.
    Probe("client closes (FIN) mid-body", lambda t: close_mid_body(t.port, declared(t.token, "100"), b'{"curr'), None),
    Probe("client resets (RST) mid-body", lambda t: reset_mid_body(t.port, declared(t.token, "100"), b'{"curr'), None),
    Probe("chunked body stops (FIN) mid-chunk",
          lambda t: close_mid_body(t.port, chunked_post(t.token, b"40\r\n"), b'{"currency"'), None),
    Probe(f"body stalls past the {TIME_LIMIT_SECONDS} s time limit",
          lambda t: stall_mid_body(t.port, declared(t.token, "100"), b'{"curr', TIME_LIMIT_SECONDS + 8), 408, True,
          lambda r: problem(r).get("type") == "urn:orders-service:problem:request-body-timeout", "body-timeout problem"),
    # Declared lengths.
    Probe("Content-Length 2^63", lambda t: exchange(t.port, declared(t.token, str(2**63))), 413, True),
    Probe("Content-Length 2^64 - 1", lambda t: exchange(t.port, declared(t.token, str(2**64 - 1))), 413, True),
    Probe("Content-Length 2^64", lambda t: exchange(t.port, declared(t.token, str(2**64))), 400, True),
    Probe("Content-Length 1e6", lambda t: exchange(t.port, declared(t.token, "1e6")), 400, True),
    Probe("Content-Length 100,000,000, body never sent", lambda t: exchange(t.port, declared(t.token, "100000000")),
          413, True),
    # Ambiguous JSON.
    Probe("duplicate member, same type", lambda t: exchange(
        t.port, post(t.token, with_duplicate('"customer_id":"c-1"', '"customer_id":"c-2"'))), 400, None,
        pointer_is("/customer_id"), "pointer /customer_id"),
    Probe("duplicate member, other type", lambda t: exchange(
        t.port, post(t.token, with_duplicate('"customer_id":"c-1"', '"customer_id":7'))), 400, None,
        pointer_is("/customer_id"), "pointer /customer_id"),
    Probe("duplicate member spelt with an escape", lambda t: exchange(
        t.port, post(t.token, with_duplicate('"customer_id":"c-1"', '"customer\\u005fid":"c-2"'))), 400, None,
        pointer_is("/customer_id"), "pointer /customer_id"),
    Probe("duplicate member inside an item", lambda t: exchange(t.port, post(
        t.token, b'{"currency":"EUR","items":[{"sku":"A","sku":"B","quantity":1,"unit_price_cents":1}]}')), 400, None,
        pointer_is("/items/0/sku"), "pointer /items/0/sku"),
    Probe("10,000 nested arrays", lambda t: exchange(t.port, post(t.token, b"[" * 10_000 + b"]" * 10_000)), 400, None),
    # Cursors.
    Probe("forged cursor base64url(\"o1:2^63-1\")",
          lambda t: exchange(t.port, head("GET", f"/orders?after={forged_cursor()}", t.token)), 400, False),
    Probe("another customer's cursor",
          lambda t: exchange(t.port, head("GET", f"/orders?after={t.cursor_of_other_customer}", t.token)), 400, False),
    # HEAD.
    Probe("HEAD /health", lambda t: exchange(t.port, head("HEAD", "/health", None), head_request=True, close_wait=0.5),
          200, False, no_body_with_length, "no body, the GET's Content-Length"),
    Probe("HEAD /orders", lambda t: exchange(t.port, head("HEAD", "/orders", t.token), head_request=True, close_wait=0.5),
          200, False, no_body_with_length, "no body, the GET's Content-Length"),
    Probe("HEAD /orders without a key",
          lambda t: exchange(t.port, head("HEAD", "/orders", None), head_request=True, close_wait=0.5), 401, False,
          no_body_with_length, "no body"),
    # Connection persistence.
    Probe("HTTP/1.0 without keep-alive", lambda t: exchange(t.port, head("GET", "/health", None, version="HTTP/1.0")),
          200, True),
    Probe("HTTP/1.0 with keep-alive", lambda t: exchange(
        t.port, head("GET", "/health", None, "Connection: keep-alive", version="HTTP/1.0"), close_wait=0.5), 200, False,
        lambda r: (r.header("connection") or "").lower() == "keep-alive", "Connection: keep-alive"),
    Probe("Connection: keep-alive, close",
          lambda t: exchange(t.port, head("GET", "/health", None, "Connection: keep-alive, close")), 200, True),
    Probe("Connection: keep-alive / Connection: close (two fields)", lambda t: exchange(
        t.port, head("GET", "/health", None, "Connection: keep-alive", "Connection: close")), 200, True),
    Probe("HTTP/1.1 with no Connection field",
          lambda t: exchange(t.port, head("GET", "/health", None), close_wait=0.5), 200, False),
    Probe("HTTP/1.1 without Host", lambda t: exchange(t.port, b"GET /health HTTP/1.1\r\n\r\n"), 400, True),
    Probe("HTTP/1.1 with two Host fields",
          lambda t: exchange(t.port, head("GET", "/health", None, "Host: other")), 400, True),
    # Methods.
    Probe("unknown method token FOO", lambda t: exchange(t.port, head("FOO", "/health", None)), 501, True,
          is_problem_with_length, "problem body"),
    Probe("unrecognised method PROPFIND", lambda t: exchange(t.port, head("PROPFIND", "/health", None)), 501, True,
          is_problem_with_length, "problem body"),
    Probe("CONNECT host:443", lambda t: exchange(t.port, head("CONNECT", "example.com:443", None)), 501, True,
          is_problem_with_length, "problem body with its length"),
    Probe("PUT /health", lambda t: exchange(t.port, head("PUT", "/health", None), close_wait=0.5), 405, False,
          lambda r: r.header("allow") == "GET, HEAD", "Allow: GET, HEAD"),
    Probe("QUERY /orders", lambda t: exchange(t.port, head("QUERY", "/orders", t.token), close_wait=0.5), 405, False,
          lambda r: r.header("allow") == "GET, HEAD, POST", "Allow: GET, HEAD, POST"),
    Probe("HTTP/2 preface", lambda t: exchange(t.port, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505, True),
    Probe("HTTP/3.0 request line", lambda t: exchange(t.port, head("GET", "/health", None, version="HTTP/3.0")), 505, True),
    # Header limits.
    Probe("a 40,000-byte header field",
          lambda t: exchange(t.port, head("GET", "/health", None, "X-Big: " + "a" * 40_000)), 431, True),
    Probe("200 header fields",
          lambda t: exchange(t.port, head("GET", "/health", None, *[f"X-H{i}: 1" for i in range(200)])), 431, True),
    # The parser reads the first bytes of a TLS handshake as a method token it does not know.
    Probe("a TLS handshake on the plain port",
          lambda t: exchange(t.port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), 501, True),
]


def make_target(service: Service) -> Target:
    token = service.create_key("c-1")
    other = service.create_key("c-2")
    for _ in range(2):
        assert service.post_order(other, order_body(customer=None)).status == 201
    cursor = service.get("/orders?limit=1", token=other).json()["next"]
    assert cursor, "the other customer has a next page"
    return Target(port=service.port, token=token, other_token=other, cursor_of_other_customer=cursor)


def service_errors(service: Service) -> float:
    return total(service.get("/metrics").body, "http_server_errors_total")


def test_every_hostile_probe_gets_a_clear_answer_and_no_server_error():
    service = Service({"REQUEST_TIMEOUT_SECONDS": str(TIME_LIMIT_SECONDS)}).start()
    try:
        target = make_target(service)
        errors_before = service_errors(service)
        rows = []
        started = time.monotonic()
        for probe in PROBES:
            reply = probe.send(target)
            rows.append((probe, reply, probe.verdict(reply)))
        took = time.monotonic() - started
        exposition = service.get("/metrics").body
        errors_after = total(exposition, "http_server_errors_total")
        client_closed = total(exposition, "http_server_requests_total", route="/orders", status="499")

        width = max(len(probe.name) for probe in PROBES)
        print(f"\n{len(PROBES)} probes in {took:.1f} s against {service.base_url}")
        print(f"{'probe':<{width}}  {'expected':<46}  answer")
        for probe, reply, ok in rows:
            print(f"{probe.name:<{width}}  {probe.expected():<46}  {reply.summary()}{'' if ok else '   <-- WRONG'}")
        print(f"http_server_errors_total: {errors_before:g} before, {errors_after:g} after; "
              f"requests recorded as 499 (client closed): {client_closed:g}")

        wrong = [f"{probe.name}: expected {probe.expected()}, got {reply.summary()}" for probe, reply, ok in rows if not ok]
        assert wrong == [], "\n".join(wrong)
        assert errors_after == errors_before, "a client moved the service's error count"
        assert client_closed == 3, "each client that left mid-body is recorded as 499"
        assert service.get("/health").status == 200
        error_lines = [line for line in service.log_lines() if line.get("level") in ("error", "critical")]
        assert error_lines == []
        closed = [line for line in service.log_lines() if line.get("outcome") == "client_closed"]
        assert len(closed) == 3 and all(str(line["status"]) == "499" for line in closed), closed
    finally:
        service.stop()


def test_a_chunked_body_over_the_limit_is_refused_and_a_valid_chunked_body_is_accepted():
    service = Service({"MAX_BODY_BYTES": "2048"}).start()
    try:
        token = service.create_key("c-1")
        chunk = b"a" * 1024
        oversized = b"".join(b"400\r\n" + chunk + b"\r\n" for _ in range(4)) + b"0\r\n\r\n"
        assert exchange(service.port, chunked_post(token, oversized)).status == 413
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (ORDER[:10], ORDER[10:])) + b"0\r\n\r\n"
        assert exchange(service.port, chunked_post(token, chunks)).status == 201
    finally:
        service.stop()
