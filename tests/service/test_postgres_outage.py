"""A database outage under a running service, and a start while the database is down: readiness
follows the database, order routes answer fast 503s with Retry-After, liveness and the load
balancer's check stay 200, and everything recovers with no restart and no lost order."""
import time

import pytest

from support import postgres
from support.service import Service, order_body


@pytest.fixture
def database():
    postgres.start()
    yield postgres.fresh_database()
    if not postgres.is_up():
        postgres.resume()


def test_outage_and_recovery_without_restart(database):
    service = Service(postgres.service_env(database) | {"DATABASE_QUERY_TIMEOUT_SECONDS": "2"}).start(wait_for="/health/ready")
    try:
        token = service.create_key("c-1")
        before = [service.post_order(token, order_body(sku=f"S{i}")).json()["id"] for i in range(5)]

        postgres.pause()
        outage_started = time.monotonic()
        detected_after = service.wait_for("/health/ready", 503, timeout=5)
        print(f"\n/health/ready turned 503 {detected_after:.2f} s after the database stopped")
        assert service.get("/health").status == 200, "the load balancer keeps the task"
        assert service.get("/health/live").status == 200

        started = time.monotonic()
        refused = service.post_order(token, order_body(sku="during-outage"), timeout=10)
        took = time.monotonic() - started
        print(f"POST during the outage: {refused.status} in {took * 1000:.0f} ms, Retry-After {refused.headers.get('retry-after')}")
        assert refused.status == 503
        assert refused.headers["retry-after"] == "2"
        assert refused.headers["content-type"] == "application/problem+json"
        assert took < 2.5, "answered within the bound"
        assert time.monotonic() - outage_started < 10

        postgres.resume()
        recovered_after = service.wait_for("/health/ready", 200, timeout=15)
        print(f"/health/ready back to 200 {recovered_after:.2f} s after the database returned (no restart)")
        created = service.post_order(token, order_body(sku="after-outage"))
        assert created.status == 201
        for order_id in before:
            assert service.get(f"/orders/{order_id}", token=token).status == 200, "no acknowledged order was lost"
        print(f"all {len(before)} orders acknowledged before the outage read back by id; a new POST is 201")
        assert service.process.poll() is None, "the service was never restarted"
    finally:
        service.stop()


def test_start_while_database_down_then_ready_by_itself(database):
    postgres.pause()
    service = Service(postgres.service_env(database)).start(wait_for="/health/live")
    try:
        assert service.get("/health").status == 200
        assert service.get("/health/ready").status == 503
        orders = service.get("/orders", token="ord_live_0000000000000000_" + "A" * 43)
        assert orders.status == 503 and orders.headers["retry-after"] == "2"

        postgres.resume()
        took = service.wait_for("/health/ready", 200, timeout=20)
        print(f"\nmigrated and ready {took:.2f} s after the database appeared")
        token = service.create_key("c-1")
        assert service.post_order(token, order_body()).status == 201
    finally:
        service.stop()


def test_connections_killed_by_the_server_never_answer_500(database):
    """The database ends connections mid-query (SQLSTATE 57P01, as on a restart or failover): requests
    in flight get 503 or succeed on a fresh connection, never 500."""
    import threading

    service = Service(postgres.service_env(database)).start(wait_for="/health/ready")
    try:
        token = service.create_key("c-1")
        order_id = service.post_order(token, order_body()).json()["id"]
        statuses: list[int] = []
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                statuses.append(service.get(f"/orders/{order_id}", token=token).status)

        workers = [threading.Thread(target=hammer) for _ in range(6)]
        for worker in workers:
            worker.start()
        name = database.rsplit("/", 1)[1]
        for _ in range(15):
            postgres.psql(postgres.admin_url(),
                          f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'")
            time.sleep(0.15)
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        counts = {status: statuses.count(status) for status in set(statuses)}
        print(f"\nrequests while the server killed connections 15 times: {counts}")
        assert 500 not in counts, counts
        assert set(counts) <= {200, 503}, counts
        assert counts.get(200, 0) > 0
        service.wait_for("/health/ready", 200, timeout=10)
    finally:
        service.stop()
