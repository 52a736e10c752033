"""SIGTERM under load: with hey sending requests on keep-alive connections across the signal, not one
request fails during the drain, /health turns 503 at once, and the process exits 0 within the bound."""
import re
import signal
import subprocess
import threading
import time

from support.service import Service
from support.tools import required_program


def test_sigterm_under_load_fails_no_request():
    hey = required_program("hey", "hey")
    service = Service({"DRAIN_DELAY_SECONDS": "4", "SHUTDOWN_TIMEOUT_SECONDS": "5", "LOG_LEVEL": "warning"}).start()
    token = service.create_key("c-1")
    order_id = service.post_order(token, {"currency": "EUR", "customer_id": "c-1",
                                          "items": [{"sku": "A", "quantity": 1, "unit_price_cents": 5}]}).json()["id"]
    # 3 s of load, bounded in time and connections; the signal comes 1 s in, the drain lasts 4 s, so
    # every request of the run is sent while the service drains or before.
    load = subprocess.Popen(
        [hey, "-z", "3s", "-c", "8", "-H", f"Authorization: Bearer {token}",
         f"{service.base_url}/orders/{order_id}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    time.sleep(1)
    signalled = time.monotonic()
    service.signal(signal.SIGTERM)
    time.sleep(0.2)
    assert service.get("/health").status == 503, "the load balancer's check fails at once"
    output, _ = load.communicate(timeout=30)
    code = service.wait(timeout=15)
    stopped_after = time.monotonic() - signalled

    statuses = dict((int(s), int(n)) for s, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", output))
    errors = re.search(r"Error distribution:(.*)", output, re.S)
    print(f"\nhey during SIGTERM: {statuses}, stopped {stopped_after:.1f} s after the signal, exit {code}")
    assert statuses.get(200, 0) > 100, output
    assert set(statuses) == {200}, output
    assert errors is None, output
    assert code == 0
    assert 4 <= stopped_after < 4 + 5 + 1
