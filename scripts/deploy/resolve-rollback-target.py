#!/usr/bin/env python3
"""Turn what a person typed into the rollback workflow into something safe to deploy, or refuse it.

The target is one of:
  sha256:<64 hex>                 an image digest in this environment's repository: the live task
                                  definition is rendered again with only the image replaced, as a
                                  release is deployed (every setting Terraform owns stays current)
  42, FAMILY:42, or the full ARN  a revision of the service's task definition family: the service is
                                  put back on exactly that revision, settings and image as they were

Refused, before anything changes: a target of another form; a revision of another family (the
admin task's, another service's); an INACTIVE (deregistered) revision; an image that ECR no longer
holds (the lifecycle policy keeps the last release images; the tasks would fail with
CannotPullContainerError and the circuit breaker would undo the rollback).

Exit codes: 0 resolved, 1 refused, 5 AWS error, 2 usage. Outputs (appended to $GITHUB_OUTPUT):
  mode=digest|revision, task-definition-arn= (revision mode), image=, digest=, commit= (when known)

environment:
  AWS_CLI   the AWS CLI command (default: aws); tests point it at a fake
"""

from __future__ import annotations

import argparse
import re
import sys

from aws_queries import container_image, describe_task_definition, find_image
from clients import CliError, write_github_output
from image_reference import DIGEST, ImageReference, commit_of_tags
from script_support import argument_parser, logger

log = logger("resolve-rollback-target")

EXIT_REFUSED = 1
EXIT_ERROR = 5
REVISION = re.compile(r"^(?:(?P<family>[A-Za-z0-9_-]{1,255}):)?(?P<revision>[1-9][0-9]{0,8})$")
REVISION_ARN = re.compile(r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/(?P<family>[A-Za-z0-9_-]{1,255}):(?P<revision>[1-9][0-9]{0,8})$")


class Refused(Exception):
    """The target cannot be deployed; the message says why."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argument_parser("resolve-rollback-target.py", __doc__)
    parser.add_argument("--target", required=True, help="a digest, a revision number, FAMILY:REVISION or its ARN")
    parser.add_argument("--task-family", required=True, help="the service's task definition family")
    parser.add_argument("--container-name", required=True, help="the service container")
    parser.add_argument("--repository", required=True, help="this environment's ECR repository name")
    parser.add_argument("--registry", required=True, help="this environment's registry host")
    return parser.parse_args(argv)


def resolve_digest(args: argparse.Namespace, digest: str) -> dict[str, str]:
    """A digest must be in this environment's repository; it is rendered into the live task definition."""
    details = find_image(args.repository, f"imageDigest={digest}")
    if details is None:
        raise Refused(f"{args.repository} does not hold {digest}; only an image still in this environment's "
                      "repository can be rolled back to")
    commit = commit_of_tags(list(details.get("imageTags") or []))
    log(f"{digest} is in {args.repository} (commit {commit or 'unknown'}): rendering the live "
        f"{args.task_family} with it")
    return {"mode": "digest", "task-definition-arn": "", "image": f"{args.registry}/{args.repository}@{digest}",
            "digest": digest, "commit": commit}


def resolve_revision(args: argparse.Namespace, family: str, revision: str) -> dict[str, str]:
    """A revision must be the service's, ACTIVE, and run an image ECR still holds."""
    if family != args.task_family:
        raise Refused(f"{family}:{revision} is not a revision of the service's family {args.task_family}")
    definition = describe_task_definition(f"{family}:{revision}")
    arn = str(definition["taskDefinitionArn"])
    if definition.get("status") != "ACTIVE":
        raise Refused(f"{arn} is {definition.get('status')}: a deregistered revision cannot be deployed")
    reference = container_image(definition, args.container_name)
    image = ImageReference.parse(reference)
    digest, commit = image.digest, image.commit
    if image.ecr_account:
        lookup = f"imageDigest={image.digest}" if image.digest else f"imageTag={image.tag}"
        details = find_image(image.repository, lookup, image.ecr_account, image.ecr_region)
        if details is None:
            raise Refused(f"{arn} runs {reference}, which ECR no longer holds: its tasks could not start")
        digest = digest or str(details.get("imageDigest", ""))
        commit = commit or commit_of_tags(list(details.get("imageTags") or []))
    log(f"{arn} is ACTIVE and its image {reference} is still there (commit {commit or 'unknown'})")
    return {"mode": "revision", "task-definition-arn": arn, "image": reference, "digest": digest, "commit": commit}


def resolve(args: argparse.Namespace) -> dict[str, str]:
    """The workflow outputs for the target, or Refused."""
    target = args.target.strip()
    if DIGEST.match(target):
        return resolve_digest(args, target)
    match = REVISION.match(target) or REVISION_ARN.match(target)
    if match is None:
        raise Refused(f"{target!r} is neither a digest (sha256:<64 hex>) nor a revision (42, "
                      f"{args.task_family}:42, or its ARN)")
    return resolve_revision(args, match["family"] or args.task_family, match["revision"])


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        values = resolve(args)
    except Refused as refusal:
        log(f"FAIL refused: {refusal}")
        return EXIT_REFUSED
    except CliError as error:
        log(f"FAIL could not check the target: {error}")
        return EXIT_ERROR
    write_github_output(values)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
