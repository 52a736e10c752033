"""The project's rules for every stack, checked so a new stack follows them too.

- the files a reader expects: versions.tf, variables.tf, outputs.tf, terraform.tfvars.example;
- Terraform >= 1.11 (S3 native state locking) and the AWS provider pinned to `>= 5.100, < 7.0`, the
  only provider (Terraform's built-in `terraform` provider aside);
  every provider a block uses is pinned in required_providers;
- the AWS provider sets default_tags; an S3 backend locks with `use_lockfile = true`, and its
  key, when the block names one, is "<stack directory>/terraform.tfstate";
- every variable has a description and a type, every output a description, every variable is
  used, and the example tfvars and each environment's variables file
  (terraform/environments/<environment>/<stack>.tfvars) set only declared, non-sensitive variables,
  and name no account;
- a remote-state read uses the S3 backend, a literal "<stack>/terraform.tfstate" key, and
  `workspace = terraform.workspace`, so an environment reads its own stacks.
"""

from __future__ import annotations

import re

from tools.infra.findings import Finding
from tools.infra.references import stack_references
from tools.infra.stack import STATE_KEY, Stack

REQUIRED_FILES = ("versions.tf", "variables.tf", "outputs.tf", "terraform.tfvars.example")
AWS_CONSTRAINT = ">= 5.100, < 7.0"
_MIN_TERRAFORM = (1, 11)


def _minimum_version(constraint: str) -> tuple[int, ...] | None:
    match = re.search(r">=\s*(\d+)\.(\d+)", constraint or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_stack_conventions(stack: Stack) -> list[Finding]:
    findings: list[Finding] = []

    def fail(file, line: int, message: str) -> None:
        findings.append(Finding("conventions", file, line, message))

    for name in REQUIRED_FILES:
        if not (stack.path / name).exists():
            fail(stack.path / name, 0, f"stack {stack.name} has no {name}")

    terraform_blocks = stack.of_type("terraform")
    if not terraform_blocks:
        fail(stack.path / "versions.tf", 0, "no terraform block (required_version, required_providers)")
    pinned: dict[str, str] = {}
    for block in terraform_blocks:
        version = block.get("required_version")
        if version is not None and (_minimum_version(version) or (0,)) < _MIN_TERRAFORM:
            fail(block.file, block.attributes["required_version"].line,
                 f'required_version "{version}" must require >= 1.11 (S3 native locking)')
        if version is None:
            fail(block.file, block.line, "terraform block sets no required_version")
        for providers in block.children("required_providers"):
            for name, attribute in providers.attributes.items():
                spec = attribute.value if isinstance(attribute.value, dict) else {}
                pinned[name] = str(spec.get("version", ""))
                if not spec.get("version"):
                    fail(block.file, attribute.line, f"provider {name} has no version constraint")
        for backend in block.children("backend"):
            if backend.labels != ["s3"]:
                continue
            if backend.get("use_lockfile") is not True:
                fail(backend.file, backend.line, "the s3 backend must set use_lockfile = true")
            if backend.get("encrypt") is not True:
                fail(backend.file, backend.line, "the s3 backend must set encrypt = true")
            key = backend.get("key")
            if key != f"{stack.name}/terraform.tfstate":
                line = backend.attributes["key"].line if "key" in backend.attributes else backend.line
                fail(backend.file, line,
                     f'state key "{key}" must be "{stack.name}/terraform.tfstate": remote-state reads find stacks by it')
    for name in sorted(set(pinned) - {"aws"}):
        fail(terraform_blocks[0].file, terraform_blocks[0].line,
             f"provider {name}: every stack needs the AWS provider only (the machines that run it have no other)")
    if terraform_blocks and pinned.get("aws") != AWS_CONSTRAINT:
        fail(terraform_blocks[0].file, terraform_blocks[0].line,
             f'aws provider must be pinned "{AWS_CONSTRAINT}", found "{pinned.get("aws", "")}"')

    used_providers = {
        block.labels[0].split("_", 1)[0]
        for block in stack.blocks
        if block.type in ("resource", "data", "ephemeral") and block.labels
    } - {"terraform"}  # the built-in provider needs no pin
    for provider in sorted(used_providers - set(pinned)):
        fail(stack.path / "versions.tf", 0, f"provider {provider} is used but not in required_providers")

    for block in stack.of_type("provider"):
        if block.labels == ["aws"] and block.child("default_tags") is None:
            fail(block.file, block.line, "provider aws must set default_tags")

    referenced = {ref.parts[1] for ref in stack_references(stack) if ref.parts[0] == "var" and len(ref.parts) > 1}
    for name, block in stack.variables.items():
        for required in ("description", "type"):
            if required not in block.attributes:
                fail(block.file, block.line, f'variable "{name}" has no {required}')
        if name not in referenced:
            fail(block.file, block.line, f'variable "{name}" is declared but never used')
    for name, block in stack.outputs.items():
        if "description" not in block.attributes:
            fail(block.file, block.line, f'output "{name}" has no description')

    variables = stack.variables
    for example in stack.tfvars_examples + stack.environment_files:
        text = example.path.read_text()
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#", 1)[0]
            if "arn:" in code or re.search(r"(?<![0-9])[0-9]{12}(?![0-9])", code):
                fail(example.path, number, "a committed variables file must hold no ARN or account id (they name one account)")
        for name, attribute in example.attributes.items():
            if name not in variables:
                fail(example.path, attribute.line, f'"{name}" is not a variable of {stack.name}')
            elif variables[name].get("sensitive") is True:
                fail(example.path, attribute.line, f'"{name}" is sensitive and must not be in an example file')

    for name, remote in stack.remote_states.items():
        block = remote.block
        if block.get("backend") != "s3":
            fail(block.file, block.line, f'remote state "{name}" must use backend "s3"')
        config = block.get("config")
        key = config.get("key") if isinstance(config, dict) else None
        if not (isinstance(key, str) and STATE_KEY.match(key)):
            fail(block.file, block.line, f'remote state "{name}" needs a literal key "<stack>/terraform.tfstate"')
        if block.get("workspace") != "${terraform.workspace}":
            fail(block.file, block.line,
                 f'remote state "{name}" must set workspace = terraform.workspace: each environment reads its own stacks')
    return findings
