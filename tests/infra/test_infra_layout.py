"""The terraform fmt rules tools/infra/layout.py models: indentation and `=` alignment."""

from __future__ import annotations

from tools.infra.layout import formatted


def test_aligns_equals_in_a_run_of_single_line_assignments():
    text = 'resource "x" "y" {\n  a = 1\n  long_name = 2\n}\n'
    assert formatted(text) == 'resource "x" "y" {\n  a         = 1\n  long_name = 2\n}\n'


def test_a_blank_line_or_a_multi_line_value_ends_the_run():
    text = 'x {\n  a = 1\n\n  long_name = 2\n  tags = {\n    k = "v"\n  }\n  b = 3\n}\n'
    assert formatted(text) == text


def test_indents_two_spaces_per_open_bracket_line():
    text = 'x {\ny {\nz = [\n"a",\n]\n}\n}\n'
    assert formatted(text) == 'x {\n  y {\n    z = [\n      "a",\n    ]\n  }\n}\n'


def test_equals_signs_inside_strings_and_comparisons_are_not_assignments():
    text = 'x {\n  a = "k=v"\n  bb = var.x == 1 ? "a" : "b"\n}\n'
    assert formatted(text) == 'x {\n  a  = "k=v"\n  bb = var.x == 1 ? "a" : "b"\n}\n'


def test_heredoc_bodies_are_left_alone():
    text = 'x {\n  a = <<-EOT\n      keep   = this\n    EOT\n  b = 1\n}\n'
    assert formatted(text) == text


def test_interpolations_with_braces_do_not_change_the_indent():
    text = 'x {\n  a = "${join(",", [for k in var.x : "${k}"])}"\n  b = 1\n}\n'
    assert formatted(text) == 'x {\n  a = "${join(",", [for k in var.x : "${k}"])}"\n  b = 1\n}\n'
