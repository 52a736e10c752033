"""Check what Terraform itself does not, over every stack under a root: `python -m tools.infra.check`.

Terraform's own `fmt`, `validate` and `test` run first (tools/infra/terraform_checks.py); they format,
resolve every reference within a stack and check it against the provider version the lock file pins.
What is left for this checker:
  syntax       every .tf file and terraform.tfvars.example parses with python-hcl2 (the rest needs it)
  schema       resource, data, ephemeral and provider blocks, and the attributes references read, match
               the AWS provider 6.25 schema too, so the stacks stay valid on the 6.x line
  references   each output read through terraform_remote_state is declared by the stack that writes
               that state, and the stacks' reads form an apply order (no cycle)
  conventions  the rules every stack follows (see tools/infra/conventions.py)

Prints each finding as `file:line: [check] message`, then a summary; exits 1 on any finding.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from tools.infra.conventions import check_stack_conventions
from tools.infra.findings import Finding
from tools.infra.hcl import ParseError, parse_file
from tools.infra.references import ReferenceReport, check_stack_order, check_stack_references
from tools.infra.schema import load_schemas
from tools.infra.schema_check import SchemaReport, check_stack_schema
from tools.infra.stack import Stack, discover_stacks, load_stack

CHECKS = ("syntax", "schema", "references", "conventions")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CheckResult:
    """Everything one run found and counted."""

    stacks: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    files_parsed: int = 0
    schema: SchemaReport = field(default_factory=SchemaReport)
    references: ReferenceReport = field(default_factory=ReferenceReport)
    findings: list[Finding] = field(default_factory=list)

    def of(self, check: str) -> list[Finding]:
        """The findings of one check."""
        return [finding for finding in self.findings if finding.check == check]

    @property
    def ok(self) -> bool:
        return not self.findings


def run_checks(root: Path, checks: tuple[str, ...] = CHECKS) -> CheckResult:
    """Run the selected checks over every stack directory under `root`."""
    result = CheckResult()
    stack_dirs = discover_stacks(root)
    result.stacks = [path.name for path in stack_dirs]

    parse_failed: set[str] = set()
    for path in stack_dirs:
        for file in sorted(path.glob("*.tf")) + sorted(path.glob("*.tfvars.example")):
            try:
                parse_file(file)
                result.files_parsed += 1
            except ParseError as error:
                parse_failed.add(path.name)
                result.findings.append(Finding("syntax", file, error.line, f"does not parse: {error}"))
    stacks: dict[str, Stack] = {path.name: load_stack(path) for path in stack_dirs if path.name not in parse_failed}

    schemas = load_schemas() if {"schema", "references"} & set(checks) else None
    for stack in stacks.values():
        if "schema" in checks:
            check_stack_schema(stack, schemas, result.schema)
        if "references" in checks:
            check_stack_references(stack, stacks, schemas, result.references, unparsed=parse_failed)
        if "conventions" in checks:
            result.findings.extend(check_stack_conventions(stack))
        # A stack's own modules (source "./x") hold blocks of the same provider: the same schema and
        # reference checks, under the name stack/x. Conventions are a stack's, not a module's.
        for module in local_modules(stack):
            result.files_parsed += len(module.files)
            if "schema" in checks:
                check_stack_schema(module, schemas, result.schema)
            if "references" in checks:
                check_stack_references(module, stacks, schemas, result.references, unparsed=parse_failed)
    if "references" in checks:
        result.order = check_stack_order(stacks, result.references)
    result.findings.extend(result.schema.findings)
    result.findings.extend(result.references.findings)
    return result


def local_modules(stack: Stack) -> list[Stack]:
    """The modules a stack calls from its own directory (`source = "./name"`), parsed like stacks."""
    found: dict[str, Stack] = {}
    for name, block in stack.modules.items():
        source = block.get("source")
        if isinstance(source, str) and source.startswith("./") and source not in found:
            module = load_stack(stack.path / source)
            module.name = f"{stack.name}/{source.removeprefix('./')}"
            found[source] = module
    return list(found.values())


def summary(result: CheckResult, root: Path) -> list[str]:
    """The lines printed after the findings: what was checked, in figures."""
    hcl2_version = metadata.version("python-hcl2")
    checked = sum(result.schema.checked.values())
    resolved = result.references.resolved
    by_source = ", ".join(f"{count} against {source}" for source, count in sorted(result.schema.checked.items()))
    lines = [
        f"infra check of {root}: {len(result.stacks)} stacks ({', '.join(result.stacks)})",
        f"  syntax       {result.files_parsed} files parsed with python-hcl2 {hcl2_version}",
        f"  schema       {checked} blocks checked ({by_source or 'none'}), "
        f"{result.schema.nested} nested blocks within them",
        f"               {len(result.schema.unchecked)} blocks not schema-checked"
        + (f": {', '.join(result.schema.unchecked)}" if result.schema.unchecked else ""),
        f"               {len(result.schema.opaque)} nested blocks whose content the schema gives as `any`"
        + (f" (not checked): {', '.join(sorted(set(result.schema.opaque)))}" if result.schema.opaque else ""),
        f"  references   {sum(resolved.values())} references resolved ("
        + ", ".join(f"{kind} {count}" for kind, count in sorted(resolved.items())) + ")",
    ]
    if result.order:
        lines.append(f"  apply order  {' -> '.join(result.order)} (from the remote-state reads)")
    counts = Counter(finding.check for finding in result.findings)
    lines.append("  findings     " + (", ".join(f"{check} {counts[check]}" for check in CHECKS if counts[check])
                                      if result.findings else "none"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.infra.check", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT / "terraform",
                        help="directory whose subdirectories are stacks (default: terraform/)")
    parser.add_argument("--only", choices=CHECKS, action="append", help="run only this check (repeatable)")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"no such directory: {args.root}", file=sys.stderr)
        return 2
    result = run_checks(args.root, tuple(args.only) if args.only else CHECKS)
    for finding in sorted(result.findings, key=lambda f: (str(f.file), f.line, f.check)):
        print(finding.render(relative_to=Path.cwd()))
    for line in summary(result, args.root):
        print(line)
    if not result.stacks:
        print(f"no stacks found under {args.root}", file=sys.stderr)
        return 1
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
