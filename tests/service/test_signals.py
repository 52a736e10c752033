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


def test_sigint_drains_like_sigterm():
    with Service({"DRAIN_DELAY_SECONDS": "1", "SHUTDOWN_TIMEOUT_SECONDS": "5"}).start() as service:
        signalled = time.monotonic()
        service.signal(signal.SIGINT)
        time.sleep(0.3)
        assert service.get("/health").status == 503, "draining: the load balancer's check fails at once"
        assert service.get("/health/live").status == 200, "still serving during the drain"
        assert service.wait(timeout=10) == 0
        took = time.monotonic() - signalled
    assert 1 <= took < 6, f"stopped {took:.1f} s after SIGINT: the drain delay, then a quick shutdown"
    assert "stopped cleanly" in service.logs()


def test_a_second_signal_ends_the_drain_at_once():
    with Service({"DRAIN_DELAY_SECONDS": "20", "SHUTDOWN_TIMEOUT_SECONDS": "5"}).start() as service:
        service.signal(signal.SIGTERM)
        time.sleep(0.5)
        assert service.get("/health").status == 503, "the first signal started the drain"
        code, took = service.signal_and_wait(signal.SIGTERM, timeout=10)
    assert code == 128 + signal.SIGTERM, f"exit status {code}, expected 128 + SIGTERM"
    assert took < 2, f"{took:.1f} s after the second signal, against a drain of 20 s"
    assert "second stop signal" in service.logs()


def test_a_request_past_the_shutdown_bound_is_cut_short_with_exit_1():
    # The request time limit is longer than the bound, so only the bound can end the held request.
    environment = {"DRAIN_DELAY_SECONDS": "0", "SHUTDOWN_TIMEOUT_SECONDS": "1", "REQUEST_TIMEOUT_SECONDS": "30"}
    with Service(environment).start() as service:
        with _hold_a_request_open(service.port, service.create_key("c-1")):
            time.sleep(0.5)
            code, took = service.signal_and_wait(signal.SIGTERM, timeout=15)
    assert code == 1, f"exit status {code}: a stop that cut work short must not look clean"
    # The bound (1 s), then at most the 2 s the group allows cancelled work to end.
    assert 1 <= took < 4, f"stopped {took:.1f} s after SIGTERM, against a bound of 1 s"
    assert "shutdown bound exceeded" in service.logs()
