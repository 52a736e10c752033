"""Page cursors work on every instance of a deployment and after a restart, because the key that seals
them is shared through the store (or given as CURSOR_KEY); a cursor is refused for another customer."""
import pytest

from support import postgres
from support.service import Service, order_body


@pytest.fixture
def database():
    postgres.start()
    return postgres.fresh_database()


def first_page_cursor(instance: Service, token: str) -> str:
    page = instance.get("/orders?limit=1", token=token)
    assert page.status == 200, page
    return page.json()["next"]


def test_a_cursor_from_one_instance_continues_on_another_and_after_a_restart(database):
    env = postgres.service_env(database)
    first = Service(env).start(wait_for="/health/ready")
    second = Service(env).start(wait_for="/health/ready")
    try:
        token = first.create_key("acme")
        other = first.create_key("globex")
        for _ in range(3):
            assert first.post_order(token, order_body(customer=None)).status == 201
        cursor = first_page_cursor(first, token)
        on_second = second.get(f"/orders?limit=1&after={cursor}", token=token)
        assert on_second.status == 200 and len(on_second.json()["orders"]) == 1, on_second
        assert second.get(f"/orders?after={cursor}", token=other).status == 400, "another customer's cursor"

        first.stop()
        restarted = Service(env, port=first.port).start(wait_for="/health/ready")
        try:
            assert restarted.get(f"/orders?limit=1&after={cursor}", token=token).status == 200
            assert first_page_cursor(restarted, token) == cursor, "the same key seals the same cursor"
        finally:
            restarted.stop()
    finally:
        first.stop()
        second.stop()


def test_cursor_key_from_the_environment_is_used_and_never_logged(database):
    key = "5a" * 32
    env = {**postgres.service_env(database), "CURSOR_KEY": key}
    with_key = Service(env).start(wait_for="/health/ready")
    try:
        token = with_key.create_key("acme")
        for _ in range(2):
            assert with_key.post_order(token, order_body(customer=None)).status == 201
        cursor = first_page_cursor(with_key, token)
        assert key not in with_key.logs()
    finally:
        with_key.stop()
    without_key = Service(postgres.service_env(database)).start(wait_for="/health/ready")
    try:
        assert without_key.get(f"/orders?after={cursor}", token=token).status == 400, "the stored key is another"
    finally:
        without_key.stop()
    bad = Service({**postgres.service_env(database), "CURSOR_KEY": "not-a-key"})
    result = bad.command("serve", timeout=30)
    assert result.returncode == 2
    assert "CURSOR_KEY" in result.stderr and "not-a-key" not in result.stderr
