"""How the process ends, by signal: SIGINT drains like SIGTERM; a second signal ends the drain at once
with 128 + its number; a request still running when the shutdown bound runs out is cancelled and the
exit status is 1, so ECS's stopped reason tells a clean stop from a cut-short one."""
import signal
import socket
import time

from support.service import Service


def _hold_a_request_open(port: int, token: str) -> socket.socket:
    """A POST whose body never finishes arriving: a request in flight for as long as the socket lives."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(
        b"POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode()
        + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"cur"
    )
    return connection


def _wait_until_in_flight(service: Service, count: int, timeout: float) -> None:
    """Waits until the service counts `count` requests in flight (its own gauge, on /metrics)."""
    deadline = time.monotonic() + timeout
    while _in_flight(service) != count:
        assert time.monotonic() < deadline, f"{count} requests were not in flight within {timeout} s"
        time.sleep(0.05)


def _in_flight(service: Service) -> float | None:
    for line in service.get("/metrics").body.splitlines():
        if line.startswith("http_server_requests_in_flight "):
            return float(line.split()[1])
    return None


def test_sigint_drains_like_sigterm():
    drain, bound = 3, 5
    with Service({"DRAIN_DELAY_SECONDS": str(drain), "SHUTDOWN_TIMEOUT_SECONDS": str(bound)}).start() as service:
        signalled = time.monotonic()
        service.signal(signal.SIGINT)
        # The load balancer's check must fail while the drain holds the listener open.
        service.wait_for("/health", 503, timeout=drain)
        assert service.get("/health/live").status == 200, "still serving during the drain"
        assert service.wait(timeout=drain + bound) == 0
        took = time.monotonic() - signalled
    assert drain <= took < drain + bound, f"stopped {took:.1f} s after SIGINT: the {drain} s drain, then the shutdown"
    assert "stopped cleanly" in service.logs()


def test_a_second_signal_ends_the_drain_at_once():
    drain = 20
    with Service({"DRAIN_DELAY_SECONDS": str(drain), "SHUTDOWN_TIMEOUT_SECONDS": "5"}).start() as service:
        service.signal(signal.SIGTERM)
        service.wait_for("/health", 503, timeout=drain)
        # Waiting longer than half the drain would raise: the second signal must end it, not the delay.
        code, took = service.signal_and_wait(signal.SIGTERM, timeout=drain / 2)
    assert code == 128 + signal.SIGTERM, f"exit status {code}, expected 128 + SIGTERM"
    assert "second stop signal" in service.logs()


def test_a_request_past_the_shutdown_bound_is_cut_short_with_exit_1():
    # The request time limit is longer than the bound, so only the bound can end the held request.
    bound, request_limit = 1, 30
    environment = {
        "DRAIN_DELAY_SECONDS": "0",
        "SHUTDOWN_TIMEOUT_SECONDS": str(bound),
        "REQUEST_TIMEOUT_SECONDS": str(request_limit),
    }
    with Service(environment).start() as service:
        with _hold_a_request_open(service.port, service.create_key("c-1")):
            _wait_until_in_flight(service, 1, timeout=30)
            code, took = service.signal_and_wait(signal.SIGTERM, timeout=request_limit / 2)
    assert code == 1, f"exit status {code}: a stop that cut work short must not look clean"
    assert bound <= took < request_limit, f"stopped {took:.1f} s after SIGTERM: the {bound} s bound cut the request"
    assert "shutdown bound exceeded" in service.logs()
