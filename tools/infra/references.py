"""The references Terraform cannot check for us: across stacks, and against the 6.x provider schema.

A reference is a traversal in an expression (`aws_kms_key.state.arn`,
`data.terraform_remote_state.network.outputs.vpc_id`). `terraform validate` resolves every reference
within a stack against the provider the lock file pins; this module checks what it cannot see:

- an output read through `terraform_remote_state` must be declared by the producing stack, found from
  the state key (`network/terraform.tfstate` is the stack in `terraform/network`);
- an attribute a reference reads from a resource or data source must exist in the 6.25 schema too;
- the stacks' remote-state links must form an order (no cycles), so they can be applied one after
  another.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import hcl2
from lark import Token, Tree

from tools.infra.findings import Finding
from tools.infra.hcl import Attribute, Block
from tools.infra.schema import Schemas
from tools.infra.stack import Stack

_TRAVERSALS = {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
# Roots Terraform provides in every module; each/count/self are valid where their block allows.
_BUILTIN_ROOTS = {"each", "count", "self", "path", "terraform"}


@dataclass(frozen=True)
class Reference:
    """One traversal: `parts` are names, None where an index or splat stands (`x[0]`, `x[*]`)."""

    parts: tuple[str | None, ...]
    file: Path
    line: int

    @property
    def text(self) -> str:
        return ".".join(part if part is not None else "[]" for part in self.parts)


@dataclass
class ReferenceReport:
    resolved: Counter = field(default_factory=Counter)  # kind -> count
    findings: list[Finding] = field(default_factory=list)


def _identifier(tree) -> str | None:
    if isinstance(tree, Tree) and tree.data == "identifier" and tree.children:
        return str(tree.children[0])
    return None


def _flatten(tree: Tree) -> tuple[list[str | None], list[Tree]]:
    """A traversal's parts from the root, and the index expressions inside it."""
    if tree.data == "expr_term":
        inner = [child for child in tree.children if isinstance(child, Tree)]
        if len(inner) == 1 and _identifier(inner[0]):
            return [_identifier(inner[0])], []
        if len(inner) == 1 and inner[0].data in _TRAVERSALS:
            return _flatten(inner[0])
        return [None], inner  # a parenthesised expression, a call, ...: not a named root
    if tree.data in _TRAVERSALS:
        base, step = tree.children[0], tree.children[1:]
        parts, indexes = _flatten(base)
        for item in step:
            _append_step(item, parts, indexes)
        return parts, indexes
    return [None], [tree]


def _append_step(step: Tree, parts: list[str | None], indexes: list[Tree]) -> None:
    if not isinstance(step, Tree):
        return
    if step.data == "get_attr":
        name = next((_identifier(child) for child in step.children if _identifier(child)), None)
        parts.append(name)
    elif step.data in ("braces_index", "short_index"):
        parts.append(None)
        indexes.extend(child for child in step.children if isinstance(child, Tree))
    elif step.data in ("attr_splat", "full_splat"):
        parts.append(None)
        for child in step.children:
            _append_step(child, parts, indexes)


_INTERPOLATION = re.compile(r"(?<![$%])\$\{(?P<body>[^{}]*)\}")


def _heredoc_interpolations(text: str) -> list[Tree]:
    """The `${...}` expressions of a heredoc (python-hcl2 keeps a heredoc as one token).

    Interpolations holding braces of their own are not extracted; none of the stacks needs them.
    """
    trees = []
    for match in _INTERPOLATION.finditer(text):
        try:
            trees.append(hcl2.parses_to_tree(f"x = {match.group('body')}\n"))
        except Exception:  # not an expression on its own: leave it to terraform validate in CI
            continue
    return trees


def _for_variables(tree: Tree) -> set[str]:
    names: set[str] = set()
    for node in tree.iter_subtrees():
        if node.data == "for_intro":
            names.update(_identifier(child) for child in node.children if _identifier(child))
    return names


def expression_references(tree: Tree, file: Path, line: int) -> list[Reference]:
    """The traversals of one expression, skipping for-expression variables."""
    local_names = _for_variables(tree)
    found: list[Reference] = []

    def visit(node) -> None:
        if not isinstance(node, Tree):
            return
        if node.data in ("heredoc_template", "heredoc_template_trim"):
            for inner in _heredoc_interpolations(str(node.children[0])):
                visit(inner)
            return
        if node.data in _TRAVERSALS:
            parts, indexes = _flatten(node)
            if parts and parts[0] is not None and parts[0] not in local_names:
                found.append(Reference(tuple(parts), file, line))
            for index in indexes:
                visit(index)
            return
        for child in node.children:
            if not isinstance(child, Token):
                visit(child)

    visit(tree)
    return found


def block_references(block: Block, iterators: frozenset[str] = frozenset()) -> list[Reference]:
    """Every reference in a block and its nested blocks, minus dynamic-block iterators."""
    found: list[Reference] = []
    for name, attribute in block.attributes.items():
        if block.type == "lifecycle" and name == "ignore_changes":
            continue  # names of this resource's own arguments, not references
        found.extend(ref for ref in _attribute_references(attribute) if ref.parts[0] not in iterators)
    for nested in block.blocks:
        inner = iterators
        if nested.type == "dynamic" and nested.labels:
            iterator = nested.get("iterator", nested.labels[0])
            inner = iterators | {str(iterator)}
        found.extend(block_references(nested, inner))
    return found


def _attribute_references(attribute: Attribute) -> list[Reference]:
    return expression_references(attribute.expression_tree, attribute.file, attribute.line)


def stack_references(stack: Stack) -> list[Reference]:
    """Every reference in every block of a stack."""
    return [ref for block in stack.blocks for ref in block_references(block)]


def _first_name(parts: tuple[str | None, ...]) -> str | None:
    return next((part for part in parts if part is not None), None)


def check_stack_references(stack: Stack, stacks: dict[str, Stack], schemas: Schemas,
                           report: ReferenceReport, unparsed: set[str] = frozenset()) -> None:
    """Check one stack's remote-state reads and attribute reads; `stacks` are its siblings.

    Reads of a sibling in `unparsed` (its files did not parse, a syntax finding already) are
    neither resolved nor reported.
    """
    resources, data_sources, ephemerals = stack.resources, stack.data_sources, stack.ephemerals
    remote_states = stack.remote_states

    def fail(ref: Reference, message: str) -> None:
        report.findings.append(Finding("references", ref.file, ref.line, f"{ref.text}: {message}"))

    def check_attribute(ref: Reference, kind: str, type_name: str, rest: tuple[str | None, ...]) -> bool:
        attribute = _first_name(rest)
        schema = schemas.lookup(kind, type_name)
        if attribute is None or schema is None or attribute in schema.attributes:
            return True
        fail(ref, f'{type_name} has no attribute "{attribute}" in {schema.source}')
        return False

    for ref in stack_references(stack):
        root, parts = ref.parts[0], ref.parts
        name = parts[1] if len(parts) > 1 else None
        if root in ("data", "ephemeral"):
            key = (parts[1], parts[2]) if len(parts) > 2 else (name, None)
            declared = data_sources if root == "data" else ephemerals
            if key not in declared:
                continue
            if root == "data" and key[0] == "terraform_remote_state":
                if remote_states[key[1]].producer not in unparsed:
                    _check_remote_output(ref, remote_states[key[1]].producer, stacks, report, fail)
            elif check_attribute(ref, root, key[0], parts[3:]):
                report.resolved[f"{root} attribute"] += 1
        elif root not in _BUILTIN_ROOTS and root not in ("var", "local", "module") and "_" in root and name is not None:
            if (root, name) in resources and check_attribute(ref, "resource", root, parts[2:]):
                report.resolved["resource attribute"] += 1


def _check_remote_output(ref: Reference, producer: str | None, stacks: dict[str, Stack],
                         report: ReferenceReport, fail) -> None:
    parts = ref.parts
    if producer is None:
        fail(ref, 'the remote state key is not a literal "<stack>/terraform.tfstate"')
    elif producer not in stacks:
        fail(ref, f'no stack "{producer}" beside this one for its state key')
    elif len(parts) < 5 or parts[3] != "outputs" or parts[4] is None:
        fail(ref, "read a remote state as data.terraform_remote_state.NAME.outputs.OUTPUT")
    elif parts[4] not in stacks[producer].outputs:
        fail(ref, f'stack "{producer}" has no output "{parts[4]}"')
    else:
        report.resolved["remote-state output"] += 1


def check_stack_order(stacks: dict[str, Stack], report: ReferenceReport) -> list[str]:
    """The stacks in an order where each comes after every stack whose state it reads.

    A cycle (two stacks reading each other) is a finding: such stacks cannot be applied from
    scratch.
    """
    needs = {
        name: {rs.producer for rs in stack.remote_states.values() if rs.producer in stacks}
        for name, stack in stacks.items()
    }
    order: list[str] = []
    remaining = dict(needs)
    while remaining:
        ready = sorted(name for name, deps in remaining.items() if deps <= set(order))
        if not ready:
            for name in sorted(remaining):
                for remote in stacks[name].remote_states.values():
                    if remote.producer in remaining:
                        report.findings.append(Finding(
                            "references", remote.block.file, remote.block.line,
                            f"stack {name} reads the state of {remote.producer}, which reads {name}'s "
                            "(directly or through others): no order can apply them",
                        ))
            break
        order.extend(ready)
        for name in ready:
            del remaining[name]
    return order
