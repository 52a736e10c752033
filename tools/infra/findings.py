"""One problem a check found, with the place a reader fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    """`file:line: [check] message`; `check` is syntax, schema, references or conventions."""

    check: str
    file: Path
    line: int
    message: str

    def render(self, relative_to: Path | None = None) -> str:
        path = self.file
        if relative_to is not None:
            try:
                path = self.file.resolve().relative_to(relative_to.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}: [{self.check}] {self.message}"
