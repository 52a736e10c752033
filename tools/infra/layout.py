"""The layout `terraform fmt` gives a file: indentation and the alignment of `=`.

Terraform itself is not installed here (CI on GitHub runs the real `terraform fmt -check`), so
this module re-implements the two rules of hclwrite's formatter that hand-written files break
most often, so a mistake shows up before a push:

- indentation: two spaces per open bracket level, where a line that opens several brackets
  adds one level and a line that closes them takes it back (hclwrite's `formatIndent`);
- alignment: in a run of consecutive lines that each assign a complete value (`name = value`
  with balanced brackets after the `=`), the `=` signs line up one space after the longest
  name; a blank line, a comment line, a block line or a multi-line value ends the run
  (hclwrite's `formatCells`).

It also rejects tabs, trailing spaces and trailing comments (whose alignment it does not model).
Heredoc bodies are left alone, as terraform fmt leaves them.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.infra.findings import Finding

_OPEN = {"{": 1, "[": 1, "(": 1}
_CLOSE = {"}": -1, "]": -1, ")": -1}
_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\s*$")


@dataclass
class _Line:
    text: str
    indent: int | None = None  # expected spaces, None inside heredocs and on blank lines
    lead: str | None = None  # text before `=` on an assignment line
    value: str | None = None  # text from `=` on an assignment line
    comment_tail: bool = False


def _scan(code: str) -> tuple[list[tuple[int, str]], bool]:
    """Top-level tokens of interest in one line: (column, char) for brackets and `=`.

    Characters inside quoted strings are skipped, but the `${`/`}` of an interpolation count as
    a bracket pair (hclwrite counts them so, and they balance on the line). Returns the tokens
    and whether the line ends in a comment after code.
    """
    tokens: list[tuple[int, str]] = []
    modes: list[str] = []  # "string", "interp" (`${` inside a string), "bracket" (opened in one)
    i = 0
    while i < len(code):
        char = code[i]
        mode = modes[-1] if modes else "code"
        if mode == "string":
            if char == "\\":
                i += 2
                continue
            if code.startswith(("$${", "%%{"), i):
                i += 3  # an escaped, literal "${"
                continue
            if code.startswith(("${", "%{"), i):
                modes.append("interp")
                tokens.append((i, "{"))
                i += 2
                continue
            if char == '"':
                modes.pop()
            i += 1
            continue
        if char == '"':
            modes.append("string")
        elif char == "#" or code.startswith("//", i):
            return tokens, bool(code[:i].strip())
        elif char in _OPEN:
            tokens.append((i, char))
            if modes:  # inside an interpolation: its closing bracket must not end it
                modes.append("bracket")
        elif char in _CLOSE:
            tokens.append((i, char))
            if modes:  # closes a bracket opened inside an interpolation, or the interpolation
                modes.pop()
        elif char == "=":
            before, after = code[i - 1] if i else "", code[i + 1] if i + 1 < len(code) else ""
            if after not in "=>" and before not in "=!<>":
                tokens.append((i, "="))
        i += 1
    return tokens, False


def expected_layout(text: str) -> list[_Line]:
    """Each line of a file with the indentation and `=` split terraform fmt would give it."""
    lines = [_Line(raw) for raw in text.split("\n")]
    indents: list[int] = []
    heredoc: str | None = None
    for line in lines:
        stripped = line.text.strip()
        if heredoc is not None:
            if stripped == heredoc:
                heredoc = None
            continue
        if not stripped:
            continue
        tokens, line.comment_tail = _scan(stripped)
        net = 0
        for _, char in tokens:
            net += _OPEN.get(char, 0) + _CLOSE.get(char, 0)
        marker = _HEREDOC.search(stripped)
        if marker and not stripped.startswith("#"):
            heredoc = marker.group(1)
        if net < 0:
            closed = -net
            while closed > 0 and indents:
                if closed >= indents[-1]:
                    closed -= indents.pop()
                else:
                    indents[-1] -= closed
                    closed = 0
        line.indent = 2 * len(indents)
        if net > 0:
            indents.append(net)
        equals = [column for column, char in tokens if char == "="]
        if equals and equals[0] > 0:
            column = equals[0]
            after = sum(_OPEN.get(c, 0) + _CLOSE.get(c, 0) for col, c in tokens if col > column)
            if after == 0 or marker:
                line.lead = stripped[:column].rstrip()
                line.value = stripped[column:]
    return lines


def formatted(text: str) -> str:
    """The text laid out by the two rules above (heredoc bodies untouched)."""
    lines = expected_layout(text)
    out: list[str] = []
    run: list[int] = []

    def close_run() -> None:
        if not run:
            return
        width = max(lines[index].indent + len(lines[index].lead) for index in run)
        for index in run:
            line = lines[index]
            spaces = width - (line.indent + len(line.lead)) + 1
            value = line.value[1:].lstrip()
            out[index] = " " * line.indent + line.lead + " " * spaces + "=" + (" " + value if value else "")
        run.clear()

    for index, line in enumerate(lines):
        if line.indent is None:
            close_run()
            out.append(line.text.rstrip() if line.text.strip() == "" else line.text)
            continue
        out.append(" " * line.indent + line.text.strip())
        if line.lead is not None and not line.comment_tail:
            run.append(index)
        else:
            close_run()
    close_run()
    return "\n".join(out)


def check_layout(path: Path) -> list[Finding]:
    """Lines whose layout differs from terraform fmt's, with the expected line."""
    text = path.read_text(encoding="utf-8")
    findings: list[Finding] = []
    if not text.endswith("\n") or text.endswith("\n\n"):
        findings.append(Finding("format", path, len(text.split("\n")), "the file must end in exactly one newline"))
    expected = formatted(text).split("\n")
    for number, (actual, wanted) in enumerate(zip(text.split("\n"), expected), start=1):
        if "\t" in actual:
            findings.append(Finding("format", path, number, "tab character; terraform fmt indents with spaces"))
        elif actual != actual.rstrip():
            findings.append(Finding("format", path, number, "trailing whitespace"))
        elif actual != wanted:
            findings.append(Finding("format", path, number, f"terraform fmt would write: {wanted.strip()!r} "
                                                            f"at indent {len(wanted) - len(wanted.lstrip())}"))
    for line_number, line in enumerate(expected_layout(text), start=1):
        if line.comment_tail:
            findings.append(Finding("format", path, line_number, "put the comment on its own line"))
    return findings


def main(argv: list[str]) -> int:
    """`python -m tools.infra.layout [--write] FILES...`: report (or fix) layout differences."""
    write = "--write" in argv
    paths = [Path(arg) for arg in argv if arg != "--write"]
    problems = 0
    for path in paths:
        if write:
            text = path.read_text(encoding="utf-8")
            fixed = formatted(text).rstrip("\n") + "\n"
            if fixed != text:
                path.write_text(fixed, encoding="utf-8")
                print(f"rewrote {path}")
        for finding in check_layout(path):
            problems += 1
            print(finding.render())
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
