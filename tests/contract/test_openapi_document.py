"""The OpenAPI document: valid OpenAPI 3.1, served by the binary unchanged, and in step with the
service's real answers."""
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from support.service import ROOT, Service

DOCUMENT = ROOT / "app/openapi.yaml"


def test_document_is_valid_openapi_3_1():
    spec, _ = read_from_filename(str(DOCUMENT))
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on any violation


def test_served_document_is_the_file():
    service = Service().start()
    try:
        reply = service.get("/openapi.yaml")
        assert reply.status == 200
        assert reply.headers["content-type"] == "application/yaml"
        assert reply.body == DOCUMENT.read_text()
    finally:
        service.stop()


def test_every_documented_operation_exists_and_undocumented_methods_are_405():
    """Every GET also answers HEAD (RFC 9110, section 9.3.2), which the document states once, in its
    description, rather than as an operation per path."""
    spec = yaml.safe_load(DOCUMENT.read_text())
    service = Service().start()
    try:
        for path, operations in spec["paths"].items():
            concrete = path.replace("{id}", "00000000-0000-0000-0000-000000000000")
            for method in ("get", "post", "put", "patch", "delete"):
                reply = _call(service, method, concrete)
                if method in operations:
                    assert reply.status != 405, f"{method.upper()} {path} is documented but not served"
                    assert str(reply.status) in operations[method]["responses"], f"{method.upper()} {path}: {reply}"
                else:
                    assert reply.status == 405, f"{method.upper()} {path} is not documented: {reply}"
                    allowed = {m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")}
                    if "GET" in allowed:
                        allowed.add("HEAD")
                    assert set(reply.headers["allow"].split(", ")) == allowed
            if "get" in operations:
                get, head = _call(service, "get", concrete), _call(service, "head", concrete)
                assert head.status == get.status and head.body == "", f"HEAD {path}: {head}"
    finally:
        service.stop()


def test_methods_the_service_does_not_implement_are_501_as_the_document_says():
    """RFC 9110, section 9.1: a method the origin server does not implement for any resource is 501."""
    description = yaml.safe_load(DOCUMENT.read_text())["info"]["description"]
    assert "501" in description and "HEAD" in description and "405" in description
    service = Service().start()
    try:
        for method in ("PROPFIND", "BREW"):
            reply = _call(service, method.lower(), "/orders")
            assert reply.status == 501, f"{method}: {reply}"
            assert reply.headers["content-type"] == "application/problem+json"
    finally:
        service.stop()


def test_limits_in_the_document_are_the_service_s():
    """The schema's bounds are the validator's: one past each bound is refused, the bound is accepted."""
    spec = yaml.safe_load(DOCUMENT.read_text())
    schemas = spec["components"]["schemas"]
    items = schemas["NewOrder"]["properties"]["items"]
    quantity = schemas["NewOrderItem"]["properties"]["quantity"]
    identifier = schemas["Identifier"]
    service = Service().start()
    try:
        token = service.create_key("c-1")

        def order(item_count=1, qty=1, sku="s"):
            return {"currency": "EUR", "items": [{"sku": sku, "quantity": qty, "unit_price_cents": 1}] * item_count}

        assert service.post_order(token, order(item_count=items["maxItems"])).status == 201
        assert service.post_order(token, order(item_count=items["maxItems"] + 1)).status == 422
        assert service.post_order(token, order(qty=quantity["maximum"])).status == 201
        assert service.post_order(token, order(qty=quantity["maximum"] + 1)).status == 422
        assert service.post_order(token, order(sku="x" * identifier["maxLength"])).status == 201
        assert service.post_order(token, order(sku="x" * (identifier["maxLength"] + 1))).status == 422
    finally:
        service.stop()


def _call(service, method, path):
    from support.service import request

    body = "{}" if method in ("post", "put", "patch") else None
    headers = {"Content-Type": "application/json"} if body else {}
    return request(service.base_url + path, method=method.upper(), body=body, headers=headers)
