"""The few AWS questions the deploy scripts ask, each one AWS CLI call with its answer checked."""

from __future__ import annotations

from clients import CliError, aws


def describe_service(cluster: str, service: str) -> dict:
    """One `aws ecs describe-services` call; returns the service object."""
    answer = aws("ecs", "describe-services", "--cluster", cluster, "--services", service)
    failures = answer.get("failures") or []
    if failures:
        reasons = ", ".join(f"{f.get('arn', '?')}: {f.get('reason', '?')}" for f in failures)
        raise CliError(f"describe-services reported failures: {reasons}")
    services = answer.get("services") or []
    if len(services) != 1:
        raise CliError(f"describe-services returned {len(services)} services, expected 1")
    return services[0]


def primary_deployment(service: dict) -> dict | None:
    """The deployment the service is converging on (status PRIMARY), if any."""
    return next((d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"), None)


def describe_task_definition(task_definition: str) -> dict:
    """A task definition revision (a family name means its latest ACTIVE revision)."""
    answer = aws("ecs", "describe-task-definition", "--task-definition", task_definition)
    definition = answer.get("taskDefinition")
    if not isinstance(definition, dict) or not definition.get("taskDefinitionArn"):
        raise CliError(f"describe-task-definition answered no task definition for {task_definition}")
    return definition


def container_image(task_definition: dict, container_name: str) -> str:
    """The image of one container of a task definition."""
    for container in task_definition.get("containerDefinitions") or []:
        if container.get("name") == container_name:
            return str(container.get("image", ""))
    names = [c.get("name") for c in task_definition.get("containerDefinitions") or []]
    raise CliError(f"{task_definition.get('taskDefinitionArn')} has no container {container_name!r} (it has {names})")


def find_image(repository: str, image_id: str, registry_id: str = "", region: str = "") -> dict | None:
    """ECR's details of one image (image_id is imageDigest=... or imageTag=...): imageDigest,
    imageTags, ...; None when the repository does not hold it."""
    arguments = ["ecr", "describe-images", "--repository-name", repository, "--image-ids", image_id]
    if registry_id:
        arguments += ["--registry-id", registry_id]
    if region:
        arguments += ["--region", region]
    try:
        answer = aws(*arguments)
    except CliError as error:
        if "ImageNotFoundException" in error.stderr:
            return None
        raise
    details = answer.get("imageDetails") or []
    return details[0] if details else None
