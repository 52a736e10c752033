"""The recorded describe-services answers have exactly the shape the real API returns.

The shape comes from botocore's model of the ECS API (the same model the AWS CLI is generated from):
every key must be a member of its structure, every enum value one the API defines, every type the
model's. A fixture with an invented or misspelt field would let the verification pass on data AWS
never sends, so it fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session
import pytest

from workflow_support import FIXTURES

DESCRIBE_SERVICES = FIXTURES / "describe-services"
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
# What verify-deployment.py reads from each deployment; a recording without them proves nothing.
DEPLOYMENT_FIELDS_USED = {"id", "status", "taskDefinition", "rolloutState", "rolloutStateReason",
                          "runningCount", "desiredCount", "pendingCount", "failedTasks", "createdAt"}


@pytest.fixture(scope="module")
def output_shape():
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("DescribeServices").output_shape


def shape_errors(value, shape, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object for {shape.name}"]
        errors = []
        for key, item in value.items():
            if key not in shape.members:
                errors.append(f"{path}.{key}: not a member of {shape.name}")
            else:
                errors.extend(shape_errors(item, shape.members[key], f"{path}.{key}"))
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [e for i, item in enumerate(value) for e in shape_errors(item, shape.member, f"{path}[{i}]")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.enum}"]
        return []
    if kind in ("integer", "long"):
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{path}: expected an integer"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if kind == "timestamp":
        return [] if isinstance(value, str) and ISO_8601.match(value) else [f"{path}: expected an ISO 8601 time"]
    if kind == "double":
        return [] if isinstance(value, (int, float)) else [f"{path}: expected a number"]
    return [f"{path}: unhandled model type {kind}"]


@pytest.mark.parametrize("fixture", sorted(p.name for p in DESCRIBE_SERVICES.glob("*.json")))
def test_recording_matches_the_api_model(fixture: str, output_shape):
    answers = json.loads((DESCRIBE_SERVICES / fixture).read_text())
    assert isinstance(answers, list) and answers, "a recording is a non-empty list of answers"
    errors = [e for i, answer in enumerate(answers) for e in shape_errors(answer, output_shape, f"[{i}]")]
    assert not errors, "\n".join(errors)
    for answer in answers:
        for service in answer["services"]:
            for deployment in service["deployments"]:
                missing = DEPLOYMENT_FIELDS_USED - deployment.keys()
                assert not missing, f"deployment {deployment.get('id')} lacks {sorted(missing)}"
                # A plain string in the model; the API documents these three values.
                assert deployment["status"] in {"PRIMARY", "ACTIVE", "INACTIVE"}
                assert deployment["id"].startswith("ecs-svc/")


def test_the_shape_check_rejects_an_invented_field(output_shape):
    answer = json.loads((DESCRIBE_SERVICES / "completed.json").read_text())[0]
    answer["services"][0]["deployments"][0]["rolloutStatus"] = "COMPLETED"
    answer["services"][0]["deployments"][0]["rolloutState"] = "DONE"
    answer["services"][0]["deployments"][0]["runningCount"] = "2"
    errors = shape_errors(answer, output_shape, "[0]")
    assert any("rolloutStatus: not a member" in e for e in errors)
    assert any("'DONE' is not one of" in e for e in errors)
    assert any("runningCount: expected an integer" in e for e in errors)
