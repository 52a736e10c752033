"""A Terraform plan as `terraform show -json` writes it, with the look-ups the plan-level tests need.

The plans come from the emulator lifecycle (tools/infra/lifecycle_run.py, `make infra-apply-test`):
real Terraform, real provider, every value computed as Terraform computes it (policy documents,
container definitions, names built from variables), which reading HCL text cannot give.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PlannedResource:
    """One resource instance of a plan: its address, type and planned values."""

    address: str
    type: str
    name: str
    values: dict[str, Any]

    def policy(self, attribute: str) -> dict:
        """A JSON policy document held by ATTRIBUTE, parsed."""
        return json.loads(self.values[attribute])


class Plan:
    """Planned values (every instance after the plan) and the changes that lead there.

    A value the plan leaves unknown is taken from the state the plan started from, where that state
    has it: after an apply, the only such values are those of a resource the emulator makes Terraform
    replace (tests/infra/emulator-gaps.json), and the state holds what was really applied.
    """

    def __init__(self, data: dict, name: str = "plan"):
        self.data = data
        self.name = name
        self.prior: dict[str, dict] = {
            entry["address"]: entry.get("values") or {}
            for entry in _module_resources(data.get("prior_state", {}).get("values", {}).get("root_module", {}))
        }
        self.resources: dict[str, PlannedResource] = {}
        for entry in _module_resources(data.get("planned_values", {}).get("root_module", {})):
            if entry.get("mode") == "managed":
                values = {**self.prior.get(entry["address"], {}), **(entry.get("values") or {})}
                self.resources[entry["address"]] = PlannedResource(entry["address"], entry["type"], entry["name"], values)

    @classmethod
    def load(cls, path: Path) -> Plan:
        return cls(json.loads(path.read_text()), path.stem)

    def of_type(self, resource_type: str) -> list[PlannedResource]:
        return [resource for resource in self.resources.values() if resource.type == resource_type]

    def resource(self, address: str) -> PlannedResource:
        if address not in self.resources:
            raise KeyError(f"{self.name} plans no {address}")
        return self.resources[address]

    def data_source(self, address: str) -> dict:
        """A data source's values as the plan read them (prior state)."""
        return self.prior[address]

    def changes(self) -> list[dict]:
        """resource_changes that do something (no no-ops, no reads)."""
        return [change for change in self.data.get("resource_changes", [])
                if change["mode"] == "managed" and change["change"]["actions"] not in (["no-op"], ["read"])]

    def variable(self, name: str) -> Any:
        return self.data["variables"][name]["value"]

    def containers(self, address: str) -> dict[str, dict]:
        """The container definitions of a task definition, by container name."""
        return {container["name"]: container for container in json.loads(self.resource(address).values["container_definitions"])}


def _module_resources(module: dict) -> list[dict]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found += _module_resources(child)
    return found
