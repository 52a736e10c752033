"""What every Python deploy script does the same way: its --help from its docstring, its log lines."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def argument_parser(prog: str, doc: str) -> argparse.ArgumentParser:
    """A parser whose description is the docstring's first paragraph and whose epilog is the rest."""
    paragraphs = doc.strip().split("\n\n")
    return argparse.ArgumentParser(
        prog=prog,
        description=paragraphs[0],
        epilog="\n\n".join(paragraphs[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def logger(prog: str) -> Callable[[str], None]:
    """A function that prints one line, prefixed with the script's name, and flushes it at once."""

    def log(message: str) -> None:
        print(f"{prog}: {message}", flush=True)

    return log
