"""A Terraform stack (one directory under terraform/) as parsed blocks, indexed by kind.

Stacks are discovered, not listed: every directory under the Terraform root that holds a `.tf`
file is a stack, so a new stack is checked as soon as it exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.infra.hcl import Attribute, Block, ParsedFile, parse_file

# The state key of stack X is "X/terraform.tfstate"; a remote-state block names its producer so.
STATE_KEY = re.compile(r"^(?P<stack>[a-z0-9][a-z0-9_-]*)/terraform\.tfstate$")


@dataclass
class RemoteState:
    """A `data "terraform_remote_state"` block and the stack whose outputs it reads."""

    name: str
    block: Block
    producer: str | None  # stack directory name taken from the state key, None if not literal


@dataclass
class Stack:
    """Every block of one stack directory, with indexes for the kinds the checks look up."""

    name: str
    path: Path
    files: list[ParsedFile]
    tfvars_examples: list[ParsedFile] = field(default_factory=list)
    # terraform/environments/<environment>/<stack>.tfvars: the committed values of each environment.
    environment_files: list[ParsedFile] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        """Top-level blocks of every `.tf` file, file by file in name order."""
        return [block for parsed in self.files for block in parsed.blocks]

    def of_type(self, block_type: str) -> list[Block]:
        """Top-level blocks of one type (`resource`, `data`, `variable`, ...)."""
        return [block for block in self.blocks if block.type == block_type]

    @property
    def variables(self) -> dict[str, Block]:
        return {block.labels[0]: block for block in self.of_type("variable")}

    @property
    def outputs(self) -> dict[str, Block]:
        return {block.labels[0]: block for block in self.of_type("output")}

    @property
    def locals(self) -> dict[str, Attribute]:
        merged: dict[str, Attribute] = {}
        for block in self.of_type("locals"):
            merged.update(block.attributes)
        return merged

    @property
    def resources(self) -> dict[tuple[str, str], Block]:
        return {(block.labels[0], block.labels[1]): block for block in self.of_type("resource")}

    @property
    def data_sources(self) -> dict[tuple[str, str], Block]:
        return {(block.labels[0], block.labels[1]): block for block in self.of_type("data")}

    @property
    def ephemerals(self) -> dict[tuple[str, str], Block]:
        return {(block.labels[0], block.labels[1]): block for block in self.of_type("ephemeral")}

    @property
    def modules(self) -> dict[str, Block]:
        return {block.labels[0]: block for block in self.of_type("module")}

    def resource(self, resource_type: str, name: str) -> Block:
        """One resource block; KeyError names what is missing."""
        try:
            return self.resources[(resource_type, name)]
        except KeyError:
            raise KeyError(f"{self.name}: no resource {resource_type}.{name}") from None

    @property
    def remote_states(self) -> dict[str, RemoteState]:
        """The stack's `terraform_remote_state` data sources and the stacks they read."""
        found: dict[str, RemoteState] = {}
        for (data_type, name), block in self.data_sources.items():
            if data_type != "terraform_remote_state":
                continue
            config = block.get("config")
            key = config.get("key") if isinstance(config, dict) else None
            match = STATE_KEY.match(key) if isinstance(key, str) else None
            found[name] = RemoteState(name=name, block=block, producer=match.group("stack") if match else None)
        return found


def load_stack(path: Path | str) -> Stack:
    """Parse every `.tf` file of one stack directory, its `*.tfvars.example` and its environments'
    variables files (../environments/*/<stack>.tfvars)."""
    path = Path(path)
    files = [parse_file(tf) for tf in sorted(path.glob("*.tf"))]
    examples = [parse_file(example) for example in sorted(path.glob("*.tfvars.example"))]
    environments = [parse_file(values) for values in sorted(path.parent.glob(f"environments/*/{path.name}.tfvars"))]
    return Stack(name=path.name, path=path, files=files, tfvars_examples=examples, environment_files=environments)


def discover_stacks(root: Path | str) -> list[Path]:
    """Every directory directly under `root` that holds a `.tf` file, in name order."""
    root = Path(root)
    return sorted(child for child in root.iterdir() if child.is_dir() and any(child.glob("*.tf")))


def load_stacks(root: Path | str) -> dict[str, Stack]:
    """Every stack under a Terraform root, by directory name."""
    return {path.name: load_stack(path) for path in discover_stacks(root)}
