"""Running the tools the platform command drives (terraform, aws, docker), logged and interruptible.

Ctrl-C reaches the whole foreground process group: Terraform, given SIGINT, stops its operation,
writes its state and releases its lock. So on an interrupt this module waits for the child to finish
that (bounded) instead of killing it, which would leave the state locked.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# How long a child may take to stop after an interrupt before it is killed.
STOP_GRACE_SECONDS = 120


class CommandFailed(Exception):
    """A command exited with a status the caller did not accept; the message names its log."""


@dataclass
class Result:
    """What a command printed, and how it ended."""

    returncode: int
    stdout: str
    stderr: str


class Runner:
    """Runs commands with a base environment, each into a numbered log file under LOG_DIR."""

    def __init__(self, log_dir: Path, environment: dict[str, str] | None = None):
        self.log_dir = log_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.environment = {**os.environ, **(environment or {})}
        self._count = len(list(log_dir.glob("*.log")))

    def run(self, command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            input_text: str | None = None, accept: tuple[int, ...] = (0,), timeout: float = 3600,
            label: str | None = None, secret_output: bool = False) -> Result:
        """Run COMMAND; raise CommandFailed unless its exit status is in ACCEPT. With SECRET_OUTPUT, what
        it prints is returned but never written to the log (input is never logged)."""
        self._count += 1
        name = (label or Path(command[0]).name).replace("/", "-").replace(" ", "-")
        log_file = self.log_dir / f"{self._count:03d}-{name}.log"
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, env={**self.environment, **(env or {})},
                                   stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = process.communicate(input_text, timeout=timeout)
        except KeyboardInterrupt:
            # The child got the same SIGINT: let it finish stopping (Terraform releases its lock).
            try:
                stdout, stderr = process.communicate(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            self._write(log_file, command, cwd, process.returncode, started, stdout, stderr, "interrupted")
            raise
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            self._write(log_file, command, cwd, process.returncode, started, stdout, stderr, "timed out")
            raise CommandFailed(f"{' '.join(command[:3])} did not finish in {timeout:.0f} s (log: {log_file})") from None
        self._write(log_file, command, cwd, process.returncode, started,
                    "(output not logged: it holds a secret)" if secret_output else stdout, stderr)
        if process.returncode not in accept:
            raise CommandFailed(f"{' '.join(command[:3])} failed with exit {process.returncode} "
                                f"(log: {log_file}):\n{_last_lines(stderr or stdout)}")
        return Result(process.returncode, stdout, stderr)

    @staticmethod
    def _write(log_file: Path, command: list[str], cwd: Path | None, status: int | None, started: float,
               stdout: str, stderr: str, how: str = "") -> None:
        seconds = time.monotonic() - started
        header = f"$ {' '.join(command)}\n(in {cwd or '.'}; exit {status} after {seconds:.1f} s{'; ' + how if how else ''})\n"
        log_file.write_text(header + (stdout or "") + "\n" + (stderr or ""))


def _last_lines(text: str, count: int = 15) -> str:
    """The end of an error output, where Terraform and the AWS CLI put what went wrong."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return "\n".join("  " + line for line in lines[-count:]) or "  (no output)"
