"""What tools/infra counts as a reference, and what it leaves alone."""

from __future__ import annotations

from pathlib import Path

from tools.infra.hcl import parse_text
from tools.infra.references import block_references


def references(text: str) -> list[str]:
    parsed = parse_text(text, Path("inline.tf"))
    return sorted(ref.text for block in parsed.blocks for ref in block_references(block))


def test_traversals_with_indexes_and_splats():
    text = 'output "x" {\n  value = [aws_subnet.a[0].id, aws_subnet.b[*].id, local.m["k"].v]\n}\n'
    assert references(text) == ["aws_subnet.a.[].id", "aws_subnet.b.[].id", "local.m.[].v"]


def test_for_expression_variables_are_not_references():
    text = 'locals {\n  ids = [for s in aws_subnet.a : s.id if s.tags != null]\n}\n'
    assert references(text) == ["aws_subnet.a"]


def test_dynamic_block_iterators_are_not_references():
    text = (
        'resource "aws_security_group" "g" {\n  dynamic "ingress" {\n    for_each = var.rules\n'
        '    content {\n      from_port = ingress.value.port\n    }\n  }\n}\n'
    )
    assert references(text) == ["var.rules"]


def test_interpolations_in_strings_and_heredocs():
    text = (
        'output "x" {\n  value = "${var.a}-${local.b}"\n}\n'
        'output "y" {\n  value = <<-EOT\n    ${aws_s3_bucket.c.id} $${not_a_reference}\n  EOT\n}\n'
    )
    assert references(text) == ["aws_s3_bucket.c.id", "local.b", "var.a"]


def test_ignore_changes_names_arguments_not_references():
    text = 'resource "aws_ecs_service" "s" {\n  lifecycle {\n    ignore_changes = [task_definition, desired_count]\n  }\n}\n'
    assert references(text) == []
