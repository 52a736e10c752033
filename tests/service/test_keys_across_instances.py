"""API keys live in the shared store: a key the CLI creates works at once on every running instance,
its secret is printed once and never stored or logged, and revocation reaches every instance."""
import time

import pytest

from support import postgres
from support.service import Service, order_body


# docs/service.md: an instance trusts a key it verified for 5 s without asking the store again.
KEY_CACHE_SECONDS = 5


def _wait_until_refused(instance: Service, token: str, revoked_at: float) -> None:
    """Polls until `instance` refuses `token`. A request it still accepts must have been sent within the
    cache lifetime after the revocation: past that, the instance asks the store and must refuse."""
    while True:
        sent = time.monotonic()
        status = instance.get("/orders", token=token).status
        if status == 401:
            return
        assert status == 200, f"GET /orders answered {status}"
        late = sent - revoked_at
        assert late < KEY_CACHE_SECONDS, f"still accepted {late:.1f} s after the revocation"
        time.sleep(0.1)


@pytest.fixture
def database():
    postgres.start()
    return postgres.fresh_database()


def test_cli_key_works_at_once_on_a_second_instance(database):
    env = postgres.service_env(database)
    first = Service(env).start(wait_for="/health/ready")
    second = Service(env).start(wait_for="/health/ready")
    try:
        created = first.command("keys", "create", "--customer", "acme", "--label", "integration", "--to-stdout")
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip()
        key_id, secret = token[len("ord_live_"):][:16], token[len("ord_live_") + 17:]
        assert token.startswith("ord_live_") and len(secret) == 43
        assert "shown once" in created.stderr

        on_second = second.post_order(token, order_body(customer=None))
        assert on_second.status == 201, on_second
        assert first.get(f"/orders/{on_second.json()['id']}", token=token).status == 200

        listing = first.command("keys", "list")
        assert key_id in listing.stdout and "customer:acme" in listing.stdout
        assert secret not in listing.stdout, "the secret is never shown again"
        stored = postgres.psql(database, "SELECT string_agg(secret_sha256 || customer_id, ',') FROM api_keys")
        assert secret not in stored

        revoked = second.command("keys", "revoke", key_id)
        assert revoked.returncode == 0
        revoked_at = time.monotonic()
        for instance in (first, second):
            _wait_until_refused(instance, token, revoked_at)
        for instance in (first, second):
            assert secret not in instance.logs()
            assert key_id in instance.logs()
    finally:
        first.stop()
        second.stop()
