"""Checks for the Terraform under terraform/ that run without Terraform.

The importable API, for tests that tie a stack to the service:

    from tools.infra import load_stack, load_stacks
    ecs = load_stack("terraform/ecs")
    target_group = ecs.resource("aws_lb_target_group", "app")
    health_check = target_group.child("health_check")
    health_check.get("path")            # "/health", or "${local.x}" for a computed value

`python -m tools.infra.check` runs every check over every stack under terraform/.
"""

from tools.infra.hcl import Attribute, Block, ParseError, parse_file, parse_text
from tools.infra.stack import Stack, discover_stacks, load_stack, load_stacks

__all__ = [
    "Attribute",
    "Block",
    "ParseError",
    "Stack",
    "discover_stacks",
    "load_stack",
    "load_stacks",
    "parse_file",
    "parse_text",
]
