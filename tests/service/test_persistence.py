"""Orders survive a restart on the embedded store, as `make run` keeps them in data/orders.sqlite."""
from support.service import Service, order_body


def test_order_survives_restart_on_sqlite():
    first = Service().start()
    token = first.create_key("c-1")
    created = first.post_order(token, order_body())
    assert created.status == 201
    assert first.stop() == 0

    second = Service(port=first.port)
    second.env = first.env
    second.start()
    try:
        again = second.get(f"/orders/{created.json()['id']}", token=token)
        assert again.status == 200
        assert again.json() == created.json()
    finally:
        second.stop()
