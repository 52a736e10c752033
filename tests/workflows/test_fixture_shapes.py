"""The recorded AWS answers have exactly the shape the real APIs return.

The shape comes from botocore's models of the ECS and ECR APIs (the same models the AWS CLI is
generated from): every key must be a member of its structure, every enum value one the API defines,
every type the model's. A fixture with an invented or misspelt field would let a deploy script pass
on data AWS never sends, so it fails here. The GitHub answers (fixtures/github) have no model here;
they are held to the fields of GitHub's REST reference that the scripts read.
"""

from __future__ import annotations

import json
import re

import botocore.session
import pytest

from workflow_support import FIXTURES

DESCRIBE_SERVICES = FIXTURES / "describe-services"
# fixture folder -> (service, operation, whether a file is a list of answers, one per poll)
RECORDINGS = {
    "describe-services": ("ecs", "DescribeServices", True),
    "rollback": ("ecs", "DescribeServices", True),
    "update-service": ("ecs", "UpdateService", False),
    "describe-task-definition": ("ecs", "DescribeTaskDefinition", False),
    "describe-images": ("ecr", "DescribeImages", False),
}
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
# What verify-deployment.py reads from each deployment; a recording without them proves nothing.
DEPLOYMENT_FIELDS_USED = {"id", "status", "taskDefinition", "rolloutState", "rolloutStateReason",
                          "runningCount", "desiredCount", "pendingCount", "failedTasks", "createdAt"}


def output_shape_of(service: str, operation: str):
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation).output_shape


@pytest.fixture(scope="module")
def output_shape():
    return output_shape_of("ecs", "DescribeServices")


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
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected an object (map)"]
        return [e for key, item in value.items()
                for e in shape_errors(key, shape.key, f"{path}<key>") + shape_errors(item, shape.value, f"{path}.{key}")]
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


def recordings() -> list[tuple[str, str]]:
    return [(folder, path.name) for folder in RECORDINGS for path in sorted((FIXTURES / folder).glob("*.json"))]


def test_every_fixture_folder_is_shape_checked():
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert folders == set(RECORDINGS) | {"github"}, "a folder of recordings nobody checks"
    assert all(list((FIXTURES / folder).glob("*.json")) for folder in RECORDINGS)


@pytest.mark.parametrize(("folder", "fixture"), recordings(), ids=lambda value: value)
def test_recording_matches_the_api_model(folder: str, fixture: str):
    service, operation, polled = RECORDINGS[folder]
    shape = output_shape_of(service, operation)
    recording = json.loads((FIXTURES / folder / fixture).read_text())
    answers = recording if polled else [recording]
    assert isinstance(answers, list) and answers, "a recording is a non-empty list of answers"
    errors = [e for i, answer in enumerate(answers) for e in shape_errors(answer, shape, f"[{i}]")]
    assert not errors, "\n".join(errors)
    if operation not in ("DescribeServices", "UpdateService"):
        return
    for answer in answers:
        for service_description in answer["services"] if operation == "DescribeServices" else [answer["service"]]:
            for deployment in service_description["deployments"]:
                missing = DEPLOYMENT_FIELDS_USED - deployment.keys()
                assert not missing, f"deployment {deployment.get('id')} lacks {sorted(missing)}"
                # A plain string in the model; the API documents these three values.
                assert deployment["status"] in {"PRIMARY", "ACTIVE", "INACTIVE"}
                assert deployment["id"].startswith("ecs-svc/")


@pytest.mark.parametrize("fixture", sorted(p.name for p in (FIXTURES / "github").glob("*.json")))
def test_github_answers_carry_the_fields_the_guard_reads(fixture: str):
    answer = json.loads((FIXTURES / "github" / fixture).read_text())
    if fixture.startswith("commit-"):
        assert re.fullmatch(r"[0-9a-f]{40}", answer["sha"]) and "commit" in answer and "parents" in answer
    else:
        assert answer["status"] in {"ahead", "behind", "identical", "diverged"}
        assert isinstance(answer["ahead_by"], int) and isinstance(answer["behind_by"], int)
        assert {"base_commit", "merge_base_commit", "total_commits", "commits"} <= answer.keys()


def test_the_shape_check_rejects_an_invented_field(output_shape):
    answer = json.loads((DESCRIBE_SERVICES / "completed.json").read_text())[0]
    answer["services"][0]["deployments"][0]["rolloutStatus"] = "COMPLETED"
    answer["services"][0]["deployments"][0]["rolloutState"] = "DONE"
    answer["services"][0]["deployments"][0]["runningCount"] = "2"
    errors = shape_errors(answer, output_shape, "[0]")
    assert any("rolloutStatus: not a member" in e for e in errors)
    assert any("'DONE' is not one of" in e for e in errors)
    assert any("runningCount: expected an integer" in e for e in errors)


def test_the_shape_check_rejects_invented_ecr_and_task_definition_fields():
    images = json.loads((FIXTURES / "describe-images" / "release-41.json").read_text())
    images["imageDetails"][0]["imageTag"] = "1" * 40
    definition = json.loads((FIXTURES / "describe-task-definition" / "orders-service-41.json").read_text())
    definition["taskDefinition"]["revision"] = "41"
    definition["taskDefinition"]["status"] = "RETIRED"
    image_errors = shape_errors(images, output_shape_of("ecr", "DescribeImages"), "[0]")
    definition_errors = shape_errors(definition, output_shape_of("ecs", "DescribeTaskDefinition"), "[0]")
    assert any("imageTag: not a member" in e for e in image_errors)
    assert any("revision: expected an integer" in e for e in definition_errors)
    assert any("'RETIRED' is not one of" in e for e in definition_errors)
