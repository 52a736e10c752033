"""The scripted check: 50 concurrent POSTs with one Idempotency-Key leave exactly one order, on each
store, against the real binary over real sockets."""
import subprocess
import sys

import pytest

from support import postgres
from support.service import ROOT, Service


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_fifty_concurrent_posts_make_one_order(store):
    env = {"LOG_LEVEL": "warning"}
    if store == "postgres":
        postgres.start()
        env.update(postgres.service_env(postgres.fresh_database()))
    service = Service(env).start(wait_for="/health/ready")
    try:
        token = service.create_key("race-customer")
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts/checks/idempotency-race.py"), service.base_url, token, "--requests", "50"],
            capture_output=True, text=True, timeout=120,
        )
        print(f"\n[{store}] {result.stdout.strip()}")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        service.stop()
