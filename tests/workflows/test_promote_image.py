"""promote-image.sh: an environment gets the digest the previous one verified, by copy, never by build.

Run against a fake AWS CLI (ECR's answers about the destination repository) and a fake Docker CLI
(the registry login and the copy). The script must deploy nothing but the digest it was given: it
passes only when ECR says the commit's tag names exactly that digest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow_support import ROOT, FakeCli, option, run_script

PROMOTE = ROOT / "scripts" / "deploy" / "promote-image.sh"
SHA = "2222222222222222222222222222222222222222"
DIGEST = "sha256:" + "42" * 32
OTHER = "sha256:" + "99" * 32
# Placeholder accounts (AWS's documentation example and a second one made up for "another account").
PRODUCTION_REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
STAGING_REPOSITORY_URL = "210987654321.dkr.ecr.eu-central-1.amazonaws.com/orders-service-staging"
NOT_FOUND = ("An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image "
             f"with imageId {{imageDigest:'null', imageTag:'{SHA}'}} does not exist")


def promote(fake_aws: FakeCli, fake_docker: FakeCli, tmp_path: Path, source: str = STAGING_REPOSITORY_URL,
            digest: str = DIGEST, registry: str = PRODUCTION_REGISTRY):
    output = tmp_path / "github-output"
    result = run_script(
        ["bash", str(PROMOTE), "--digest", digest, "--tag", SHA, "--repository", "orders-service-production",
         "--registry", registry, "--source-repository-url", source],
        {**fake_aws.env(), **fake_docker.env("DOCKER"), "GITHUB_OUTPUT": str(output)},
    )
    return result, (output.read_text().splitlines() if output.exists() else [])


def test_digest_already_here_is_used_as_it_is(fake_aws: FakeCli, fake_docker: FakeCli, tmp_path: Path):
    # Staging: the build job pushed this digest to this very repository.
    fake_aws.plan({"ecr describe-images": [{"stdout": DIGEST}]})
    result, written = promote(fake_aws, fake_docker, tmp_path, source="")
    assert result.returncode == 0, result.stderr
    assert written == [f"image={PRODUCTION_REGISTRY}/orders-service-production@{DIGEST}", "copied=false"]
    assert fake_docker.calls() == [], "nothing is copied, let alone built"
    assert option(fake_aws.calls_to("ecr describe-images")[0], "--image-ids") == f"imageTag={SHA}"


def test_missing_digest_is_copied_from_the_source_by_digest(fake_aws: FakeCli, fake_docker: FakeCli, tmp_path: Path):
    fake_aws.plan({
        "ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}, {"stdout": DIGEST}],
        "ecr get-login-password": [{"stdout": "source-registry-password"}],
    })
    fake_docker.plan({"login --username": [{"stdout": "Login Succeeded"}],
                      "buildx imagetools": [{"stdout": "copied"}],
                      "logout 210987654321.dkr.ecr.eu-central-1.amazonaws.com": [{"stdout": "Removing login credentials"}]})
    result, written = promote(fake_aws, fake_docker, tmp_path)
    assert result.returncode == 0, result.stderr
    assert written == [f"image={PRODUCTION_REGISTRY}/orders-service-production@{DIGEST}", "copied=true"]

    # The source registry's login: a token from the source's region, handed over on stdin only.
    assert option(fake_aws.calls_to("ecr get-login-password")[0], "--region") == "eu-central-1"
    login = fake_docker.calls_to("login --username")[0]
    assert login[-1] == STAGING_REPOSITORY_URL.split("/")[0] and "--password-stdin" in login
    assert fake_docker.stdin().strip() == "source-registry-password"
    assert "source-registry-password" not in " ".join(" ".join(c) for c in fake_docker.calls())

    # The copy: the source named by the digest, the destination tagged with the commit, the manifest
    # kept as it is (no new index around it, which would get another digest).
    copy = fake_docker.calls_to("buildx imagetools")[0]
    assert copy[:3] == ["buildx", "imagetools", "create"]
    assert "--prefer-index=false" in copy
    assert option(copy, "--tag") == f"{PRODUCTION_REGISTRY}/orders-service-production:{SHA}"
    assert copy[-1] == f"{STAGING_REPOSITORY_URL}@{DIGEST}"
    assert all(call[0] != "build" and call[:2] != ["buildx", "build"] for call in fake_docker.calls()), "no build"
    # Afterwards ECR was asked again, and its answer is what made this pass.
    assert len(fake_aws.calls_to("ecr describe-images")) == 2
    assert fake_docker.calls_to("logout 210987654321.dkr.ecr.eu-central-1.amazonaws.com"), "the source login is not left behind"


def test_a_copy_that_changes_the_digest_fails(fake_aws: FakeCli, fake_docker: FakeCli, tmp_path: Path):
    # E.g. a copy that wrapped the manifest in a new index: ECR then names another digest.
    fake_aws.plan({
        "ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}, {"stdout": OTHER}],
        "ecr get-login-password": [{"stdout": "pw"}],
    })
    fake_docker.plan({"login --username": [{"stdout": "ok"}], "buildx imagetools": [{"stdout": "copied"}],
                      "logout 210987654321.dkr.ecr.eu-central-1.amazonaws.com": [{"stdout": ""}]})
    result, written = promote(fake_aws, fake_docker, tmp_path)
    assert result.returncode == 1
    assert f"names '{OTHER}', not {DIGEST}" in result.stderr
    assert written == []


@pytest.mark.parametrize(
    ("case", "aws_plan", "docker_plan", "source", "message"),
    [
        ("the tag names another image", {"ecr describe-images": [{"stdout": OTHER}]}, {}, STAGING_REPOSITORY_URL,
         "already names"),
        ("nothing to copy from", {"ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}]}, {}, "",
         "no source repository is set"),
        ("a source that is not an ECR repository", {"ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}]}, {},
         "docker.io/library/orders", "must be an ECR repository URL"),
        ("the role may not pull from the source",
         {"ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}],
          "ecr get-login-password": [{"stdout": "pw"}]},
         {"login --username": [{"exit": 1, "stderr": "denied: not authorized"}]}, STAGING_REPOSITORY_URL,
         "could not log in to the source registry"),
        ("the source lacks the digest",
         {"ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}], "ecr get-login-password": [{"stdout": "pw"}]},
         {"login --username": [{"stdout": "ok"}],
          "buildx imagetools": [{"exit": 1, "stderr": f"ERROR: {STAGING_REPOSITORY_URL}@{DIGEST}: not found"}],
          "logout 210987654321.dkr.ecr.eu-central-1.amazonaws.com": [{"stdout": ""}]},
         STAGING_REPOSITORY_URL, "the copy from"),
        ("ECR refuses the question", {"ecr describe-images": [{"exit": 254, "stderr": "An error occurred (AccessDeniedException)"}]},
         {}, STAGING_REPOSITORY_URL, "AccessDeniedException"),
    ],
)
def test_promotion_refuses(case, aws_plan, docker_plan, source, message, fake_aws: FakeCli, fake_docker: FakeCli,
                           tmp_path: Path):
    fake_aws.plan(aws_plan)
    fake_docker.plan(docker_plan)
    result, written = promote(fake_aws, fake_docker, tmp_path, source=source)
    assert result.returncode == 1, f"{case}: {result.stderr}"
    assert message in result.stderr, result.stderr
    assert written == [], "no image may reach the task definition on a refusal"


@pytest.mark.parametrize(
    ("case", "digest", "registry", "message"),
    [
        ("a tag instead of a digest", "latest", PRODUCTION_REGISTRY, "sha256:<64 hex>"),
        ("a short digest", "sha256:abc", PRODUCTION_REGISTRY, "sha256:<64 hex>"),
        ("not an ECR registry", DIGEST, "ghcr.io", "not an ECR registry host"),
    ],
)
def test_bad_arguments_are_refused_before_any_call(case, digest, registry, message, fake_aws: FakeCli,
                                                   fake_docker: FakeCli, tmp_path: Path):
    result, _ = promote(fake_aws, fake_docker, tmp_path, digest=digest, registry=registry)
    assert result.returncode == 1 and message in result.stderr, f"{case}: {result.stderr}"
    assert fake_aws.calls() == [] and fake_docker.calls() == []
