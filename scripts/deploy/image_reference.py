"""Container image references as task definitions hold them: REGISTRY/REPOSITORY@sha256:... or :TAG."""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
# Private ECR registries: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]
ECR_HOST = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


@dataclass(frozen=True)
class ImageReference:
    """One image reference split into its parts; `digest` or `tag` is empty when absent."""

    registry: str
    repository: str
    digest: str
    tag: str

    @classmethod
    def parse(cls, reference: str) -> "ImageReference":
        """Split a reference; a name without a registry host (library/postgres) has an empty registry."""
        name, _, digest = reference.partition("@")
        registry, slash, path = name.partition("/")
        if not slash or "." not in registry and ":" not in registry and registry != "localhost":
            registry, path = "", name  # no registry host: a Docker Hub name such as library/postgres
        tag = ""
        if ":" in path.rsplit("/", 1)[-1]:
            path, _, tag = path.rpartition(":")
        return cls(registry=registry, repository=path, digest=digest, tag=tag)

    @property
    def ecr_account(self) -> str:
        """The registry's account id when the registry is a private ECR registry, else empty."""
        match = ECR_HOST.match(self.registry)
        return match["account"] if match else ""

    @property
    def ecr_region(self) -> str:
        """The registry's region when the registry is a private ECR registry, else empty."""
        match = ECR_HOST.match(self.registry)
        return match["region"] if match else ""

    @property
    def commit(self) -> str:
        """The commit a tag names when the tag is a full commit SHA (the pipeline tags images so)."""
        return self.tag if COMMIT_SHA.match(self.tag) else ""


def commit_of_tags(tags: list[str]) -> str:
    """The first tag that is a full commit SHA, or empty."""
    return next((tag for tag in tags if COMMIT_SHA.match(tag)), "")
