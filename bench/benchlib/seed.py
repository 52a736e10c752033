"""Data the read workloads need: an API key made with the service's own `keys create`, and orders made
through the API, so that every row is one the service wrote itself."""

from __future__ import annotations

import http.client
import json

from .processes import Service

CUSTOMER = "bench-customer"


def create_key(service: Service) -> str:
    """A customer key, made by the same binary against the same store the service uses."""
    token = service.command("keys", "create", "--customer", CUSTOMER, "--label", "benchmark", "--to-stdout").strip()
    if not token.startswith("ord_live_"):
        raise RuntimeError(f"keys create printed no key: {token!r}")
    return token


def order_body(number: int) -> bytes:
    """The body post_orders.lua sends, for the same row shape (two items)."""
    return json.dumps({
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "items": [
            {"sku": f"SKU-{number}", "quantity": number % 7 + 1, "unit_price_cents": 100 + number % 9000},
            {"sku": "SKU-B", "quantity": 1, "unit_price_cents": 499},
        ],
    }, separators=(",", ":")).encode()


def seed_orders(port: int, key: str, count: int) -> list[str]:
    """Creates `count` orders on one keep-alive connection; returns their ids."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    ids = []
    try:
        for number in range(count):
            connection.request("POST", "/orders", body=order_body(100000 + number), headers=headers)
            response = connection.getresponse()
            payload = response.read()
            if response.status != 201:
                raise RuntimeError(f"seeding: POST /orders answered {response.status}: {payload[:300]!r}")
            ids.append(json.loads(payload)["id"])
    finally:
        connection.close()
    return ids


def fetch(port: int, key: str, path: str) -> bytes:
    """The body of a GET (authenticated when `key` is given); nginx serves one of an order's size as the
    ceiling."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {key}"} if key else {})
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        return payload
    finally:
        connection.close()

