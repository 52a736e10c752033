"""Terraform against the AWS emulator, one stack at a time: apply, plan again, keep the plan, destroy.

A `Lifecycle` works on a copy of terraform/ whose stacks point at a running emulator
(tools/infra/emulator.py). Each step runs the real Terraform CLI, bounded by a timeout, and keeps its
output under the work directory's logs/. What moto cannot do is listed, with reasons, in
tests/infra/emulator-gaps.json:

- not_emulated: resources moto cannot apply. They are left out with `-target` (everything else is
  targeted), and so is every resource that needs one of them, by name;
- attributes_not_returned: attributes moto accepts but does not give back, so the plan after an apply
  shows them as changes. Those changes, and only those, are accepted; each is reported.

An entry that names something the stack does not have, or that the run did not need, fails the run,
so the list stays exact. tools/infra/lifecycle_run.py drives the whole sequence.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.infra.emulator import MotoServer, client_environment, copy_for_emulator
from tools.infra.terraform_cli import ROOT, run_terraform

GAPS_FILE = ROOT / "tests" / "infra" / "emulator-gaps.json"
# Bounds on one Terraform command against the emulator.
APPLY_TIMEOUT_SECONDS = 900
PLAN_TIMEOUT_SECONDS = 300


class LifecycleError(RuntimeError):
    """A step failed; the message says which and why, in Terraform's words where it has them."""


@dataclass(frozen=True)
class EmulatorGaps:
    """tests/infra/emulator-gaps.json, by stack."""

    not_emulated: dict[str, dict[str, str]]
    attributes_not_returned: dict[str, dict[str, dict[str, str]]]

    @classmethod
    def load(cls, path: Path = GAPS_FILE) -> EmulatorGaps:
        data = json.loads(path.read_text())
        return cls(data.get("not_emulated", {}), data.get("attributes_not_returned", {}))


@dataclass
class StackReport:
    """What happened to one stack, in figures and names."""

    name: str
    resources_applied: int = 0
    not_emulated: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)
    replan: str = ""
    drift_accepted: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    destroyed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def dependents(graph_dot: str, roots: set[str]) -> dict[str, str]:
    """Resources that depend on any of ROOTS (directly or not), each with the root it needs.

    Reads `terraform graph`'s DOT output, whose edges point from a resource to what it depends on.
    """
    edges = re.findall(r'"([^"]+)" -> "([^"]+)"', graph_dot)
    needs: dict[str, str] = {}
    frontier = {root: root for root in roots}
    while frontier:
        reached: dict[str, str] = {}
        for source, target in edges:
            if target in frontier and source not in needs and source not in roots:
                needs[source] = reached[source] = frontier[target]
        frontier = reached
    return needs


def managed_resources(graph_dot: str) -> list[str]:
    """Every managed resource (not data source) node of `terraform graph`'s output."""
    nodes = re.findall(r'^\s*"([^"]+)" \[label=', graph_dot, flags=re.MULTILINE)
    return sorted(node for node in nodes if not node.startswith("data.") and "." in node)


def target_addresses(resources: list[str], excluded: set[str]) -> list[str]:
    """-target addresses for every resource but the excluded ones.

    `terraform graph` names a module's resources without the module's instance key
    (module.web_acl.aws_x.y), and a -target so written matches no instance of a module called with
    count or for_each: such resources are targeted through their module call, whole, which is exact as
    long as nothing inside the module is excluded.
    """
    targets: list[str] = []
    for address in resources:
        if address in excluded:
            continue
        if address.startswith("module."):
            call = ".".join(address.split(".")[:2])
            inside = sorted(item for item in excluded if item.startswith(f"{call}."))
            if inside:
                raise LifecycleError(f"{call}: cannot leave out {', '.join(inside)} and apply the rest of the module")
            address = call
        if address not in targets:
            targets.append(address)
    return targets


def changed_attributes(change: dict) -> set[str]:
    """Top-level attributes a change in a plan's JSON sets to a different value.

    For an update that includes values still unknown. For a replacement, only known values that
    differ and the attributes that force it: the rest (a new id, new computed values) follows from
    the replacement itself.
    """
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    known = {name for name in set(before) | set(after) if name not in unknown and before.get(name) != after.get(name)}
    if change["actions"] == ["update"]:
        return known | {name for name, value in unknown.items() if value}
    forcing = {path[0] for path in change.get("replace_paths") or [] if path}
    return known | forcing


def resource_changes(plan: dict) -> list[dict]:
    """The changes of a plan's JSON that do something (no no-ops, no data source reads)."""
    return [change for change in plan.get("resource_changes", [])
            if change["mode"] == "managed" and change["change"]["actions"] not in (["no-op"], ["read"])]


def _errors(text: str) -> str:
    """Terraform's error blocks, without the box drawing."""
    lines = [line.strip(" │╷╵") for line in (text or "").splitlines()]
    return "\n".join(line for line in lines if line).strip() or "(no output)"


class Lifecycle:
    """The stacks of one copied Terraform root against one emulator, step by step."""

    def __init__(self, work_dir: Path, server: MotoServer, gaps: EmulatorGaps,
                 log: Callable[[str], None] = print):
        self.environment = client_environment(server)
        self.terraform_root = copy_for_emulator(work_dir, server.url, ROOT)
        self.plans_dir = work_dir / "plans"
        self.logs_dir = work_dir / "logs"
        self.plans_dir.mkdir(exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        self.gaps = gaps
        self.log = log
        self.reports: dict[str, StackReport] = {}
        self.variables: dict[str, dict[str, object]] = {}
        self._commands = 0
        self._commands_lock = threading.Lock()
        self._used_drift: set[tuple[str, str, str]] = set()

    def report(self, stack: str) -> StackReport:
        return self.reports.setdefault(stack, StackReport(stack))

    # --- Terraform, logged and bounded -----------------------------------------------------------------

    def terraform(self, stack: str, arguments: list[str], timeout: float = PLAN_TIMEOUT_SECONDS,
                  accept: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        """Run terraform in the copied stack; raise LifecycleError unless its exit status is in ACCEPT."""
        with self._commands_lock:
            self._commands += 1
            log_file = self.logs_dir / f"{self._commands:03d}-{stack}-{arguments[0]}.log"
        started = time.monotonic()
        try:
            result = run_terraform(arguments, self.terraform_root / stack, extra_env=self.environment,
                                   timeout=timeout, check=False)
        except subprocess.TimeoutExpired as expired:
            log_file.write_text(f"$ terraform {' '.join(arguments)}\n(timed out after {timeout:.0f} s)\n"
                                f"{expired.stdout or ''}{expired.stderr or ''}")
            raise LifecycleError(f"{stack}: terraform {arguments[0]} did not finish in {timeout:.0f} s "
                                 f"(log: {log_file})") from None
        log_file.write_text(f"$ terraform {' '.join(arguments)}\n(exit {result.returncode} after "
                            f"{time.monotonic() - started:.1f} s)\n{result.stdout}\n{result.stderr}")
        if result.returncode not in accept:
            raise LifecycleError(f"{stack}: terraform {arguments[0]} failed (log: {log_file}):\n{_errors(result.stderr)}")
        return result

    def write_variables(self, stack: str, extra: dict[str, object] | None = None) -> None:
        """terraform.tfvars of the copied stack: the stack's variables for this run, plus EXTRA."""
        values = {**self.variables.get(stack, {}), **(extra or {})}
        (self.terraform_root / stack / "terraform.tfvars").write_text(
            "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items()))

    def init(self, stack: str) -> None:
        """`terraform init` as the docs say: the backend stack with local state, the others with ../backend.hcl."""
        arguments = ["init", "-input=false", "-no-color", "-lockfile=readonly"]
        if stack != "backend":
            arguments.append("-backend-config=../backend.hcl")
        self.terraform(stack, arguments)

    # --- Apply and plan again ------------------------------------------------------------------------

    def targets(self, stack: str) -> list[str]:
        """-target for every resource but the stack's not-emulated ones and what needs them ([] if none)."""
        report = self.report(stack)
        graph = self.terraform(stack, ["graph"]).stdout
        resources = managed_resources(graph)
        gaps = self.gaps.not_emulated.get(stack, {})
        if not gaps:
            return []
        unknown = sorted(set(gaps) - set(resources))
        if unknown:
            raise LifecycleError(f"{stack}: emulator-gaps.json lists resources the stack does not have: {', '.join(unknown)}")
        report.not_emulated = dict(gaps)
        report.left_out = {address: f"needs {root}" for address, root in sorted(dependents(graph, set(gaps)).items())}
        excluded = set(gaps) | set(report.left_out)
        return [f"-target={address}" for address in target_addresses(resources, excluded)]

    def apply(self, stack: str, extra_variables: dict[str, object] | None = None) -> None:
        """Apply (every emulated resource), then plan again and require no changes."""
        report = self.report(stack)
        started = time.monotonic()
        self.write_variables(stack, extra_variables)
        if not (self.terraform_root / stack / ".terraform").is_dir():
            self.init(stack)
        targets = self.targets(stack)
        output = self.terraform(stack, ["apply", "-auto-approve", "-input=false", "-no-color", *targets],
                                timeout=APPLY_TIMEOUT_SECONDS).stdout
        summary = re.search(r"Resources: \d+ added, \d+ changed, \d+ destroyed", output)
        if targets:
            # A targeted apply leaves out the outputs that depend on no target; a refresh-only apply
            # writes every output.
            self.terraform(stack, ["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"])
        report.resources_applied = len(self.state_resources(stack))
        report.seconds["apply"] = round(time.monotonic() - started, 1)
        self.log(f"  {stack}: apply: {summary.group(0) if summary else 'no summary'}; {report.resources_applied} "
                 f"resources in state ({report.seconds['apply']:.0f} s)")
        self.replan(stack, targets, extra_variables)

    def replan(self, stack: str, targets: list[str], extra_variables: dict[str, object] | None = None) -> None:
        """Plan again with the same targets: no changes, apart from attributes the emulator does not return."""
        report = self.report(stack)
        started = time.monotonic()
        self.write_variables(stack, extra_variables)
        result = self.terraform(stack, ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=replan.tfplan",
                                        *targets], accept=(0, 2))
        shown = self.terraform(stack, ["show", "-json", "replan.tfplan"]).stdout
        (self.plans_dir / f"{stack}-applied.json").write_text(shown)
        plan = json.loads(shown)
        tolerated = self.gaps.attributes_not_returned.get(stack, {})
        unexpected: list[str] = []
        accepted: list[str] = []
        for change in resource_changes(plan):
            address, actions = change["address"], change["change"]["actions"]
            replaces = sorted(actions) == ["create", "delete"]
            attributes = changed_attributes(change["change"]) if actions == ["update"] or replaces else set()
            allowed = tolerated.get(address, {})
            if attributes and attributes <= set(allowed):
                accepted += [f"{address}.{name}" for name in sorted(attributes)]
                self._used_drift.update((stack, address, name) for name in attributes)
            else:
                unexpected.append(f"{address}: {'/'.join(actions)}" + (f" ({', '.join(sorted(attributes))})" if attributes else ""))
        report.seconds["replan"] = round(time.monotonic() - started, 1)
        if unexpected:
            raise LifecycleError(f"{stack}: the plan right after apply wants changes:\n  " + "\n  ".join(unexpected))
        report.replan = "No changes" if result.returncode == 0 else "No changes but attributes the emulator does not return"
        report.drift_accepted = accepted
        self.log(f"  {stack}: plan again: {report.replan}" + (f" ({', '.join(accepted)})" if accepted else "")
                 + f" ({report.seconds['replan']:.0f} s)")

    def unused_drift_entries(self) -> list[str]:
        """attributes_not_returned entries no plan of this run needed."""
        listed = {(stack, address, name) for stack, resources in self.gaps.attributes_not_returned.items()
                  for address, names in resources.items() for name in names}
        return sorted(f"{stack}: {address}.{name}" for stack, address, name in listed - self._used_drift)

    # --- Plans kept for the plan-level tests -----------------------------------------------------------

    def save_plan(self, stack: str, name: str, extra_variables: dict[str, object] | None = None) -> dict:
        """A full plan (no -target) with EXTRA variables, kept as plans/<stack>-<name>.json and returned.

        The variables go in a variables file of the plan's own (loaded after terraform.tfvars, so they
        win, and a None becomes null), and the plan takes no state lock (it writes no state), so several
        plans of one stack may run at once.
        """
        plan_file = f"{name}.tfplan"
        self.terraform(stack, ["plan", "-input=false", "-no-color", "-lock=false", f"-out={plan_file}",
                               *self._variables_file(stack, name, extra_variables)])
        shown = self.terraform(stack, ["show", "-json", plan_file]).stdout
        (self.plans_dir / f"{stack}-{name}.json").write_text(shown)
        return json.loads(shown)

    def refused_plan(self, stack: str, name: str, extra_variables: dict[str, object]) -> str:
        """A plan that must be refused: its error, kept as plans/<stack>-<name>.txt and returned.

        A plan that succeeds instead fails the run.
        """
        result = self.terraform(stack, ["plan", "-input=false", "-no-color", "-lock=false",
                                        *self._variables_file(stack, name, extra_variables)], accept=(0, 1))
        if result.returncode == 0:
            raise LifecycleError(f"{stack}: the plan {name} ({extra_variables}) was accepted, but must be refused")
        error = _errors(result.stderr)
        (self.plans_dir / f"{stack}-{name}.txt").write_text(error + "\n")
        return error

    def _variables_file(self, stack: str, name: str, variables: dict[str, object] | None) -> list[str]:
        if not variables:
            return []
        path = self.terraform_root / stack / f"{name}.plan.tfvars"
        path.write_text("".join(f"{variable} = {json.dumps(value)}\n" for variable, value in variables.items()))
        return [f"-var-file={path.name}"]

    # --- State, outputs, destroy -----------------------------------------------------------------------

    def state_resources(self, stack: str) -> list[str]:
        listed = self.terraform(stack, ["state", "list"], accept=(0, 1)).stdout.split()
        return [address for address in listed if not address.startswith("data.")]

    def outputs(self, stack: str) -> dict[str, object]:
        raw = json.loads(self.terraform(stack, ["output", "-json"]).stdout or "{}")
        outputs = {name: entry["value"] for name, entry in raw.items()}
        self.report(stack).outputs = sorted(outputs)
        return outputs

    def run_documented(self, stack: str, command: list[str]) -> None:
        """One command of the documented teardown, as written, without prompts (-auto-approve, -input=false)."""
        arguments = list(command)
        if arguments[0] in ("apply", "destroy"):
            arguments[1:1] = ["-auto-approve", "-input=false", "-no-color"]
        self.terraform(stack, arguments, timeout=APPLY_TIMEOUT_SECONDS)
