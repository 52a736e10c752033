"""Checks that narrow the two widened expectations of schemathesis.toml back to the rules behind them:
a schema-valid request may be answered 400 only for an unissued cursor, and 422 only for a reused
Idempotency-Key or a total that would overflow. A third check holds POST /orders to its one reason
for 403 (which schemathesis accepts for valid data by default): a body naming another customer than
the API key's own (SCHEMATHESIS_KEY_CUSTOMER). Loaded with SCHEMATHESIS_HOOKS=schemathesis_hooks."""
import json
import os

import schemathesis

OVERFLOW = "exceeds 9223372036854775807 cents"


def _problem(response) -> dict:
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return {}


def _is_positive(case) -> bool:
    meta = getattr(case, "meta", None)
    return bool(meta and meta.generation.mode.is_positive)


@schemathesis.check
def only_unissued_cursors_are_refused(ctx, response, case):
    """GET /orders answers a schema-valid request 400 only when its cursor is one the API never issued."""
    if case.method.upper() != "GET" or case.path != "/orders" or response.status_code != 400 or not _is_positive(case):
        return None
    detail = _problem(response).get("detail", "")
    if "after" in (case.query or {}) and detail.startswith("after must be a cursor"):
        return None
    raise AssertionError(f"valid request refused with 400 for another reason: {detail!r}")


@schemathesis.check
def only_reused_keys_and_overflows_are_refused(ctx, response, case):
    """POST /orders answers a schema-valid request 422 only for a reused key or an overflowing total."""
    if case.method.upper() != "POST" or case.path != "/orders" or response.status_code != 422 or not _is_positive(case):
        return None
    problem = _problem(response)
    if problem.get("type") == "urn:orders-service:problem:idempotency-key-reused":
        return None
    errors = problem.get("errors", [])
    if errors and all(OVERFLOW in error.get("detail", "") for error in errors):
        return None
    raise AssertionError(f"valid order refused with 422: {problem}")


@schemathesis.check
def only_other_customers_are_forbidden(ctx, response, case):
    """POST /orders answers a schema-valid request 403 only when its customer_id is not the key's customer."""
    if case.method.upper() != "POST" or case.path != "/orders" or response.status_code != 403 or not _is_positive(case):
        return None
    own = os.environ["SCHEMATHESIS_KEY_CUSTOMER"]
    named = case.body.get("customer_id") if isinstance(case.body, dict) else None
    if named is not None and named != own:
        return None
    raise AssertionError(f"valid order for the key's own customer {own!r} refused with 403: {_problem(response)}")
