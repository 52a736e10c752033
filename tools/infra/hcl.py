"""Parse Terraform files into blocks and attributes that keep their file and line.

python-hcl2 turns a file into plain dictionaries, which lose line numbers and the difference
between `tags = { ... }` (an attribute holding an object) and `tags { ... }` (a block). The
checks need both, so this module walks python-hcl2's syntax tree instead and builds a small
model of its own: a `Block` has a type, labels, attributes and nested blocks; an `Attribute`
has a name, a line, its value as Python data and its expression tree for reference analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.utils import SerializationOptions

# Strings come back without their surrounding quotes, as Terraform sees them; expressions come
# back as "${...}" text.
_VALUE_OPTIONS = SerializationOptions(with_comments=False, strip_string_quotes=True, explicit_blocks=False)


class ParseError(Exception):
    """A file that python-hcl2 cannot parse, with the line the parser stopped at (0 if unknown)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


@dataclass
class Attribute:
    """`name = expression` inside a block body."""

    name: str
    file: Path
    line: int
    rule: AttributeRule = field(repr=False)

    @property
    def value(self) -> Any:
        """The expression as Python data: literals as themselves, anything computed as "${...}"."""
        return self.rule.expression.serialize(_VALUE_OPTIONS)

    @property
    def expression_tree(self):
        """The expression as a raw Lark tree (rule names from python-hcl2's grammar)."""
        return self.rule.expression.to_lark()


@dataclass
class Block:
    """`type "label" ... { body }`; top-level blocks are resources, variables, outputs, ..."""

    type: str
    labels: list[str]
    file: Path
    line: int
    end_line: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    parent: Block | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        """A readable name: `resource.aws_s3_bucket.state`, `variable.region`, `locals`."""
        return ".".join([self.type, *self.labels])

    def get(self, name: str, default: Any = None) -> Any:
        """The value of attribute `name`, or `default` when the block does not set it."""
        attribute = self.attributes.get(name)
        return attribute.value if attribute else default

    def children(self, block_type: str) -> list[Block]:
        """The nested blocks of one type, in source order."""
        return [block for block in self.blocks if block.type == block_type]

    def child(self, block_type: str) -> Block | None:
        """The first nested block of one type, or None."""
        found = self.children(block_type)
        return found[0] if found else None

    def walk(self) -> Iterator[Block]:
        """This block and every block nested in it, depth first."""
        yield self
        for block in self.blocks:
            yield from block.walk()


def _label_text(label) -> str:
    return str(label.serialize(_VALUE_OPTIONS))


def _build_body(body: BodyRule, file: Path, parent: Block | None) -> tuple[dict[str, Attribute], list[Block]]:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in body.children:
        if isinstance(child, AttributeRule):
            name = str(child.identifier.serialize(_VALUE_OPTIONS))
            attributes[name] = Attribute(name=name, file=file, line=child._meta.line, rule=child)
        elif isinstance(child, BlockRule):
            labels = [_label_text(label) for label in child.labels]
            block = Block(
                type=labels[0],
                labels=labels[1:],
                file=file,
                line=child._meta.line,
                end_line=child._meta.end_line,
                parent=parent,
            )
            block.attributes, block.blocks = _build_body(child.body, file, block)
            blocks.append(block)
    return attributes, blocks


@dataclass
class ParsedFile:
    """One parsed file: `.tf` files hold blocks, `.tfvars` files hold attributes."""

    path: Path
    attributes: dict[str, Attribute]
    blocks: list[Block]


def parse_text(text: str, file: Path) -> ParsedFile:
    """Parse one file's text. Raises ParseError naming the file and the line."""
    try:
        tree = hcl2.parses(text)
    except Exception as error:  # python-hcl2 raises lark errors of several kinds
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ParseError(first_line, getattr(error, "line", 0) or 0) from error
    attributes, blocks = _build_body(tree.body, file, None)
    return ParsedFile(path=file, attributes=attributes, blocks=blocks)


def parse_file(path: Path) -> ParsedFile:
    """Parse one `.tf` or `.tfvars` file."""
    return parse_text(path.read_text(encoding="utf-8"), path)
