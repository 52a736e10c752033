#!/usr/bin/env python3
"""Say what an ECS service runs now: the task definition revision of its PRIMARY deployment, the image
of the service container in it, that image's digest, and the commit it was built from.

The deploy workflow asks this twice. Before it deploys: the revision it is about to replace (what the
workflow rolls back to when the smoke test fails) and the commit running there (what the re-run guard
compares this run's commit with). After the smoke test: the digest the environment really runs,
which is the digest the next environment is given (`--expect-digest` fails unless it is the one this
run deployed).

The commit comes from the image's tag: the pipeline tags every image with the full commit SHA, and
ECR tags are immutable. An image referenced by digest is looked up in ECR for that tag. When no tag
is a commit SHA (an image pushed by hand, or one the lifecycle policy removed), the commit is empty;
the re-run guard then lets only the newest commit of main deploy.

Exit codes: 0 described, 1 the digest is not the expected one, 5 the service or its task definition
could not be described, 2 usage. Outputs (logged, and appended to $GITHUB_OUTPUT when set):
task-definition-arn, image, digest, commit, rollout-state.

environment:
  AWS_CLI   the AWS CLI command (default: aws); tests point it at a fake
"""

from __future__ import annotations

import argparse
import sys

from aws_queries import container_image, describe_service, describe_task_definition, find_image, primary_deployment
from clients import CliError, write_github_output
from image_reference import DIGEST, ImageReference, commit_of_tags
from script_support import argument_parser, logger

log = logger("current-release")

EXIT_UNEXPECTED_DIGEST = 1
EXIT_ERROR = 5


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argument_parser("current-release.py", __doc__)
    parser.add_argument("--cluster", required=True, help="ECS cluster name")
    parser.add_argument("--service", required=True, help="ECS service name")
    parser.add_argument("--container-name", required=True, help="the service container whose image is read")
    parser.add_argument("--expect-digest", help="fail unless the service runs this digest (sha256:...)")
    args = parser.parse_args(argv)
    if args.expect_digest is not None and not DIGEST.match(args.expect_digest):
        parser.error(f"--expect-digest must be sha256:<64 hex>, not {args.expect_digest!r}")
    return args


def digest_and_commit(image: ImageReference) -> tuple[str, str]:
    """The image's digest and commit, asking ECR for whichever the reference does not carry."""
    if image.digest and image.commit:
        return image.digest, image.commit
    if not image.ecr_account or not (image.digest or image.tag):
        log("not a private ECR image with a digest or a tag; the commit is unknown")
        return image.digest, image.commit
    lookup = f"imageDigest={image.digest}" if image.digest else f"imageTag={image.tag}"
    try:
        details = find_image(image.repository, lookup, image.ecr_account, image.ecr_region)
    except CliError as error:
        log(f"could not look the image up in ECR ({error}); the commit is unknown")
        return image.digest, image.commit
    if details is None:
        log(f"ECR no longer holds {image.repository} {lookup}; the commit is unknown")
        return image.digest, image.commit
    digest = image.digest or str(details.get("imageDigest", ""))
    return digest, image.commit or commit_of_tags(list(details.get("imageTags") or []))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        service = describe_service(args.cluster, args.service)
        primary = primary_deployment(service) or {}
        arn = primary.get("taskDefinition") or service.get("taskDefinition") or ""
        if not arn:
            raise CliError(f"service {args.service} names no task definition")
        reference = container_image(describe_task_definition(arn), args.container_name)
    except CliError as error:
        log(f"FAIL could not tell what {args.service} runs: {error}")
        return EXIT_ERROR
    rollout = str(primary.get("rolloutState", "UNKNOWN"))
    digest, commit = digest_and_commit(ImageReference.parse(reference))
    log(f"{args.service} runs {arn} (PRIMARY deployment {primary.get('id', '?')} {rollout})")
    log(f"image {reference}; digest {digest or 'unknown'}; commit {commit or 'unknown'}")
    if rollout not in ("COMPLETED", "UNKNOWN"):
        log(f"note: the PRIMARY deployment is {rollout}, not COMPLETED")
    values = {"task-definition-arn": arn, "image": reference, "digest": digest, "commit": commit,
              "rollout-state": rollout}
    if args.expect_digest is not None and digest != args.expect_digest:
        log(f"FAIL {args.service} runs digest {digest or 'unknown'}, not {args.expect_digest}")
        return EXIT_UNEXPECTED_DIGEST
    write_github_output(values)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
