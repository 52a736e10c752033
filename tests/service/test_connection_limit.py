"""The connection limit holds under a burst: 2,000 keep-alive connections opened one after another against
a limit of 500 leave at most 500 open (the oldest idle ones are closed to make room), a connection beyond
the limit when every held one is busy is refused, both are counted, and the process's resident memory
stays bounded by the limit and does not grow after the burst."""
from __future__ import annotations

import resource
import socket
import time

from support.exposition import total
from raw_http import read_reply, wait_for_close
from support.service import Service, free_port, request

LIMIT = 500
BURST = 2_000


def resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def raise_open_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        assert hard == resource.RLIM_INFINITY or hard >= needed, f"open-file limit {hard} < {needed}"
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def keep_alive_get(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    reply = read_reply(sock, close_wait=0)
    assert reply.status == 200, reply.summary()
    return sock


def wait_until_open_is(scrape, compare, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not compare(total(scrape(), "http_connections_open")) and time.monotonic() < deadline:
        time.sleep(0.05)


def burst(service: Service, token: str, scrape) -> dict:
    """2,000 keep-alive connections, then the limit's worth of busy ones and one more; every figure."""
    pid = service.process.pid
    shed_before = total(scrape(), "http_connections_shed_total", action="closed_idle")
    refused_before = total(scrape(), "http_connections_shed_total", action="refused")
    held: list[socket.socket] = []
    figures = {"before": resident_kib(pid)}
    peak = figures["before"]
    try:
        started = time.monotonic()
        for index in range(BURST):
            held.append(keep_alive_get(service.port))
            if index % 100 == 99:
                peak = max(peak, resident_kib(pid))
        figures["seconds"] = time.monotonic() - started
        exposition = scrape()
        figures["open"] = total(exposition, "http_connections_open")
        figures["closed_idle"] = total(exposition, "http_connections_shed_total", action="closed_idle") - shed_before
        figures["closed_seen"] = sum(1 for sock in held if wait_for_close(sock, 0.01))
        for sock in held:
            sock.close()
        held.clear()
        wait_until_open_is(scrape, lambda count: count == 0)

        # Every held connection busy (a request whose body is still arriving): one more is refused.
        busy_head = (f"POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{").encode()
        for _ in range(LIMIT):
            sock = socket.create_connection(("127.0.0.1", service.port), timeout=10)
            sock.sendall(busy_head)
            held.append(sock)
        wait_until_open_is(scrape, lambda count: count >= LIMIT)
        peak = max(peak, resident_kib(pid))
        extra = socket.create_connection(("127.0.0.1", service.port), timeout=10)
        extra.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        figures["extra"] = read_reply(extra, timeout=5, close_wait=1)
        extra.close()
        figures["refused"] = total(scrape(), "http_connections_shed_total", action="refused") - refused_before
    finally:
        for sock in held:
            sock.close()
    wait_until_open_is(scrape, lambda count: count == 0)
    time.sleep(0.5)
    figures["peak"] = peak
    figures["after"] = resident_kib(pid)
    return figures


def test_a_burst_of_keep_alive_connections_is_held_to_the_limit_and_memory_stays_bounded():
    raise_open_file_limit(BURST + LIMIT + 200)
    metrics_port = free_port()
    service = Service({
        "HTTP_MAX_CONNECTIONS": str(LIMIT), "METRICS_PORT": str(metrics_port), "LOG_LEVEL": "warning",
        "REQUEST_TIMEOUT_SECONDS": "30",
    }).start()
    scrape = lambda: request(f"http://127.0.0.1:{metrics_port}/metrics").body  # noqa: E731
    try:
        token = service.create_key("c-1")
        for _ in range(200):
            service.get("/health")
        bursts = [burst(service, token, scrape) for _ in range(2)]
        print()
        for number, figures in enumerate(bursts, start=1):
            print(f"burst {number}, limit {LIMIT}: {BURST} keep-alive connections opened in {figures['seconds']:.1f} s; "
                  f"{figures['open']:g} open at its end, {figures['closed_idle']:g} idle ones closed by the service "
                  f"({figures['closed_seen']} seen closed by the client); with {LIMIT} busy, one more: "
                  f"{figures['extra'].summary()} (refused: {figures['refused']:g}); resident memory before "
                  f"{figures['before'] / 1024:.1f} MiB, peak {figures['peak'] / 1024:.1f} MiB, "
                  f"after {figures['after'] / 1024:.1f} MiB")

        # The derivation's budget per connection: one largest body (64 KiB) plus 64 KiB.
        budget_kib = LIMIT * 128
        first, second = bursts
        for figures in bursts:
            assert figures["open"] <= LIMIT
            assert figures["closed_idle"] == BURST - LIMIT
            assert figures["closed_seen"] == BURST - LIMIT
            assert figures["extra"].status is None and figures["refused"] == 1
        assert first["peak"] - first["before"] < budget_kib, "the limit bounds what connections cost"
        assert second["peak"] < first["peak"] * 1.1, "a second burst reuses the memory of the first"
        assert second["after"] < first["after"] * 1.1, "and leaves no more behind"
        assert service.get("/health").status == 200
    finally:
        service.stop()
