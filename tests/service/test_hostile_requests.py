"""What one request may cost is bounded: header size, body size, and time. Each limit answers with a
clear status and leaves the service healthy for everyone else."""
import socket
import time

from support.service import Service, order_body


def raw_exchange(port: int, data: bytes, pause_after: float = 0, more: bytes = b"", timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        if pause_after:
            time.sleep(pause_after)
            try:
                connection.sendall(more)
            except OSError:
                pass
        received = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
        return received


def test_oversized_headers_are_refused_and_the_service_stays_up():
    service = Service().start()
    try:
        huge = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"
        answer = raw_exchange(service.port, huge)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
        many = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(200)) + b"\r\n"
        assert raw_exchange(service.port, many).startswith(b"HTTP/1.1 400")
        assert service.get("/health").status == 200
    finally:
        service.stop()


def test_a_body_trickled_past_the_time_limit_gets_503():
    service = Service({"REQUEST_TIMEOUT_SECONDS": "1"}).start()
    try:
        token = service.create_key("c-1")
        head = (b"POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode()
                + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"cur")
        started = time.monotonic()
        answer = raw_exchange(service.port, head, pause_after=2.5, more=b"rency\": 1}")
        took = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
        assert b"request-time-limit" in answer
        assert took < 5
        assert service.post_order(token, order_body()).status == 201, "the next client is served"
    finally:
        service.stop()


def test_a_declared_oversized_body_is_refused_before_it_is_read():
    service = Service({"MAX_BODY_BYTES": "2048"}).start()
    try:
        token = service.create_key("c-1")
        head = (b"POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode()
                + b"\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n")
        answer = raw_exchange(service.port, head)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert service.get("/health").status == 200
    finally:
        service.stop()
