"""Running the tools the platform command drives (terraform, aws, docker), logged and interruptible.

Ctrl-C reaches the whole foreground process group. A read, a wait or a build stops with it; this
module waits for the child to end (bounded) instead of killing it.

A command that changes infrastructure (terraform apply or destroy) runs in a process group of its
own, so the first Ctrl-C does not reach it: Terraform's own stop cancels the calls in flight, and a
create cut short after AWS made the resource leaves that resource outside the state, where the next
run fails on it as already existing. So the first Ctrl-C lets such a command finish and the platform
command stops after it; a second Ctrl-C passes SIGINT on (Terraform then stops at once, writes its
state and releases its lock, at that risk).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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

    def __init__(self, log_dir: Path, environment: dict[str, str] | None = None,
                 say: Callable[[str], None] = print):
        self.log_dir = log_dir
        self.say = say
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.environment = {**os.environ, **(environment or {})}
        self._count = len(list(log_dir.glob("*.log")))

    def run(self, command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            input_text: str | None = None, accept: tuple[int, ...] = (0,), timeout: float = 3600,
            label: str | None = None, secret_output: bool = False, finish_on_interrupt: bool = False) -> Result:
        """Run COMMAND; raise CommandFailed unless its exit status is in ACCEPT. With SECRET_OUTPUT, what
        it prints is returned but never written to the log (input is never logged). With
        FINISH_ON_INTERRUPT, the first Ctrl-C lets COMMAND finish (the module's docstring says why);
        KeyboardInterrupt is raised once it has ended, either way."""
        self._count += 1
        name = (label or Path(command[0]).name).replace("/", "-").replace(" ", "-")
        log_file = self.log_dir / f"{self._count:03d}-{name}.log"
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, env={**self.environment, **(env or {})},
                                   stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   process_group=0 if finish_on_interrupt else None)
        try:
            stdout, stderr = process.communicate(input_text, timeout=timeout)
        except KeyboardInterrupt:
            remaining = timeout - (time.monotonic() - started)
            stdout, stderr, how = self._end_after_interrupt(process, name, finish_on_interrupt, remaining)
            self._write(log_file, command, cwd, process.returncode, started, stdout, stderr, how)
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

    def _end_after_interrupt(self, process: subprocess.Popen, name: str, finish: bool,
                             remaining: float) -> tuple[str, str, str]:
        """What the child printed once it has ended after a Ctrl-C, and how it ended."""
        if finish:
            self.say(f"Ctrl-C: {name} is left to finish, so nothing it creates ends up outside Terraform's "
                     "state; the command stops after it. Ctrl-C again stops it now, at that risk.")
            try:
                stdout, stderr = process.communicate(timeout=max(remaining, 1))
                return stdout, stderr, "finished after Ctrl-C"
            except KeyboardInterrupt:
                self.say(f"Ctrl-C again: {name} is told to stop now; a resource it was creating may be left "
                         "outside the state, and the next run would report it as already existing.")
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not finish in its time: it is told to stop now.")
            process.send_signal(signal.SIGINT)
        # A child in the foreground group got the same SIGINT: let it finish stopping (bounded).
        try:
            stdout, stderr = process.communicate(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        return stdout, stderr, "interrupted"

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
