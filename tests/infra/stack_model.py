"""A read-only model of one Terraform stack for the service-tie checks, with a small evaluator.

python-hcl2 gives each file as dictionaries: literal strings keep their quotes (`'"HTTP"'`),
computed values come back as `"${...}"` text, blocks are lists of dictionaries. This module merges
a stack's files and evaluates the few expression forms the ties need, the way Terraform would:

    literals                      8080, true, "HTTP"
    local.NAME[.KEY...]           locals, including local.timings.* from config/timings.json
    var.NAME                      the variable's default
    tostring(X), jsondecode(file(".../config/timings.json"))
    "text ${X} text"              interpolation, when every X evaluates

Anything else (resource attributes, conditionals, function calls not listed) raises Unresolved,
and a tie that needs it reports that instead of guessing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import hcl2

_WHOLE_EXPRESSION = re.compile(r"^\$\{(?P<body>.*)\}$", re.DOTALL)
_TRAVERSAL = re.compile(r"^(?P<root>local|var)\.(?P<path>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)$")
_CALL = re.compile(r"^(?P<name>tostring|tonumber)\((?P<arg>.*)\)$", re.DOTALL)
_TIMINGS_FILE = re.compile(r'^jsondecode\(file\("\$\{path\.module\}/(?P<path>[^"]+)"\)\)$')


class Unresolved(Exception):
    """An expression the evaluator does not reduce to a value; the message shows it."""


def unquote(text: str) -> str:
    """A literal HCL string as python-hcl2 returns it, without its quotes."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    raise Unresolved(f"not a literal string: {text}")


def strip_key(key: str) -> str:
    """Block labels come back quoted (`'"aws_lb"'`)."""
    return key[1:-1] if key.startswith('"') and key.endswith('"') else key


def _split_interpolations(text: str) -> list[tuple[str, str]]:
    """("text", ...) and ("expr", ...) parts of a quoted template's inside."""
    parts: list[tuple[str, str]] = []
    i = 0
    literal = ""
    while i < len(text):
        if text.startswith("$${", i):
            literal += "${"
            i += 3
            continue
        if text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            if literal:
                parts.append(("text", literal))
                literal = ""
            parts.append(("expr", text[i + 2 : j - 1]))
            i = j
            continue
        literal += text[i]
        i += 1
    if literal:
        parts.append(("text", literal))
    return parts


@dataclass
class Stack:
    """Every block of one stack directory, merged across its .tf files."""

    path: Path
    repo_root: Path
    resources: dict[str, dict[str, dict]] = field(default_factory=dict)
    data: dict[str, dict[str, dict]] = field(default_factory=dict)
    variables: dict[str, dict] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str, repo_root: Path | str) -> "Stack":
        stack = cls(path=Path(path), repo_root=Path(repo_root))
        files = sorted(stack.path.glob("*.tf"))
        if not files:
            raise FileNotFoundError(f"no .tf files in {stack.path}")
        for tf in files:
            parsed = _parse(tf.resolve(), tf.stat().st_mtime_ns, tf.stat().st_size)
            for block in parsed.get("locals", []):
                stack.locals.update({k: v for k, v in block.items() if not k.startswith("__")})
            for kind, target in (("resource", stack.resources), ("data", stack.data)):
                for entry in parsed.get(kind, []):
                    for type_key, named in entry.items():
                        for name_key, body in named.items():
                            target.setdefault(strip_key(type_key), {})[strip_key(name_key)] = body
            for kind, target in (("variable", stack.variables), ("output", stack.outputs)):
                for entry in parsed.get(kind, []):
                    for name_key, body in entry.items():
                        target[strip_key(name_key)] = body
        return stack

    # --- lookups ----------------------------------------------------------------------------

    def resource(self, resource_type: str, name: str) -> dict:
        try:
            return self.resources[resource_type][name]
        except KeyError:
            raise KeyError(f"no resource {resource_type}.{name} in {self.path}") from None

    def of_type(self, resource_type: str) -> dict[str, dict]:
        return self.resources.get(resource_type, {})

    def data_source(self, data_type: str, name: str) -> dict:
        try:
            return self.data[data_type][name]
        except KeyError:
            raise KeyError(f"no data source {data_type}.{name} in {self.path}") from None

    @staticmethod
    def blocks(body: dict, name: str) -> list[dict]:
        """Nested blocks `name { ... }` of a body (python-hcl2 gives them as a list)."""
        value = body.get(name, [])
        return value if isinstance(value, list) else [value]

    def comments(self, body: dict) -> list[str]:
        return [entry.get("value", "") for entry in body.get("__comments__", [])]

    # --- evaluation -------------------------------------------------------------------------

    def evaluate(self, value: Any) -> Any:
        """The Python value of an HCL value, or Unresolved."""
        if isinstance(value, bool) or isinstance(value, (int, float)) or value is None:
            return value
        if isinstance(value, list):
            return [self.evaluate(item) for item in value]
        if isinstance(value, dict):
            return {strip_key(k): self.evaluate(v) for k, v in value.items() if not k.startswith("__")}
        if not isinstance(value, str):
            raise Unresolved(repr(value))
        whole = _WHOLE_EXPRESSION.match(value)
        if whole and _balanced(whole.group("body")):
            return self.evaluate_expression(whole.group("body").strip())
        if value.startswith('"') and value.endswith('"'):
            parts = _split_interpolations(value[1:-1])
            if all(kind == "text" for kind, _ in parts):
                return unquote(value)
            out = ""
            for kind, text in parts:
                out += text if kind == "text" else str(self.evaluate_expression(text.strip()))
            return out
        if value in ("true", "false"):
            return value == "true"
        try:
            return json.loads(value)
        except (ValueError, TypeError):
            # Bare words python-hcl2 leaves unquoted (type constraints, ignore_changes entries).
            return value

    def evaluate_expression(self, expression: str) -> Any:
        expression = expression.strip()
        while expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
            expression = expression[1:-1].strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", expression):
            return json.loads(expression)
        if expression in ("true", "false"):
            return expression == "true"
        if expression.startswith('"') and expression.endswith('"'):
            return self.evaluate(expression)
        call = _CALL.match(expression)
        if call and _balanced(call.group("arg")):
            argument = self.evaluate_expression(call.group("arg"))
            if call.group("name") == "tostring":
                return _hcl_string(argument)
            return float(argument) if "." in str(argument) else int(argument)
        timings = _TIMINGS_FILE.match(expression)
        if timings:
            relative = timings.group("path")
            source = (self.path / relative).resolve()
            if not source.exists():
                # A copy of the stack outside the repository (the mutation tests) reads the file
                # the stack would read in its place under terraform/.
                source = (self.repo_root / "terraform" / self.path.name / relative).resolve()
            return json.loads(source.read_text(encoding="utf-8"))
        traversal = _TRAVERSAL.match(expression)
        if traversal:
            root, *rest = traversal.group("path").split(".")
            if traversal.group("root") == "var":
                if root not in self.variables:
                    raise Unresolved(f"var.{root} is not declared")
                if "default" not in self.variables[root]:
                    raise Unresolved(f"var.{root} has no default")
                current = self.evaluate(self.variables[root]["default"])
            else:
                if root not in self.locals:
                    raise Unresolved(f"local.{root} is not defined")
                current = self.evaluate(self.locals[root])
            for key in rest:
                if not isinstance(current, dict) or key not in current:
                    raise Unresolved(f"{expression}: no key {key}")
                current = current[key]
            return current
        raise Unresolved(expression)

    def try_evaluate(self, value: Any) -> tuple[Any, str | None]:
        """(value, None) or (None, why it does not evaluate)."""
        try:
            return self.evaluate(value), None
        except Unresolved as error:
            return None, str(error)


@lru_cache(maxsize=256)
def _parse(path: Path, mtime_ns: int, size: int) -> dict:
    """One file's python-hcl2 dictionaries; cached while the file is unchanged (parsing is slow).

    Callers only read the result, never change it.
    """
    del mtime_ns, size  # part of the cache key only
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)


def _balanced(text: str) -> bool:
    depth = 0
    in_string = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0 and not in_string


def _hcl_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def expression_text(value: Any) -> str | None:
    """The inside of a whole `${...}` expression, or None for a literal."""
    if isinstance(value, str):
        whole = _WHOLE_EXPRESSION.match(value)
        if whole and _balanced(whole.group("body")):
            return whole.group("body").strip()
    return None
