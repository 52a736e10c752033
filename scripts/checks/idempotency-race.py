#!/usr/bin/env python3
"""Sends N concurrent POST /orders with one Idempotency-Key and checks that exactly one order exists.

Usage: scripts/checks/idempotency-race.py BASE_URL API_KEY [--requests 50]

Every request must answer 201 with the same order id, and GET /orders must list exactly one order for
the key's customer afterwards (run it with a key whose customer has no orders yet). Traffic goes only to
BASE_URL, which must be a loopback address. Exits 0 when all of that holds.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse


def post(base_url: str, token: str, key: str) -> tuple[int, str | None]:
    body = json.dumps({"currency": "EUR", "items": [{"sku": "RACE-1", "quantity": 1, "unit_price_cents": 100}]}).encode()
    request = urllib.request.Request(
        base_url + "/orders", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())["id"]
    except urllib.error.HTTPError as error:
        return error.code, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("api_key")
    parser.add_argument("--requests", type=int, default=50, choices=range(2, 501), metavar="2..500")
    arguments = parser.parse_args()
    host = urlparse(arguments.base_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1") and not (host or "").startswith("127."):
        parser.error("BASE_URL must be a loopback address")

    key = "race-" + uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=arguments.requests) as pool:
        results = list(pool.map(lambda _: post(arguments.base_url, arguments.api_key, key), range(arguments.requests)))
    statuses = sorted({status for status, _ in results})
    ids = {order_id for _, order_id in results if order_id}
    listing = urllib.request.Request(arguments.base_url + "/orders?limit=100", headers={"Authorization": f"Bearer {arguments.api_key}"})
    with urllib.request.urlopen(listing, timeout=15) as response:
        listed = [order["id"] for order in json.loads(response.read())["orders"]]
    print(f"{arguments.requests} concurrent POSTs with Idempotency-Key {key}: statuses {statuses}, "
          f"distinct order ids {len(ids)}, orders listed for the customer {len(listed)}")
    ok = statuses == [201] and len(ids) == 1 and listed == list(ids)
    print("exactly one order" if ok else "FAILED: more than one order, or a request failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
