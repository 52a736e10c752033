"""A platform-command stand-in that runs one command through Runner, for the Ctrl-C tests.

`Driver` starts it in a session of its own, as a terminal starts the platform command; `ctrl_c()`
sends SIGINT to its whole process group, as Ctrl-C does. What Runner says and how run() ended go to
the driver's output file; Runner's log of the command is under `logs/`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The driver itself: Runner runs COMMAND (labelled "child"), left to finish on the first Ctrl-C or not.
DRIVER = """
import sys
from pathlib import Path
from tools.platform.process import Runner
log_dir, finish, *command = sys.argv[1:]
runner = Runner(Path(log_dir), say=lambda line: print("say:", line, flush=True))
try:
    runner.run(command, cwd=Path.cwd(), label="child", finish_on_interrupt=finish == "1")
    print("driver: returned", flush=True)
except KeyboardInterrupt:
    print("driver: KeyboardInterrupt", flush=True)
    sys.exit(130)
"""

WAIT_SECONDS = 30


class Driver:
    """The driver process, its output in WORK/driver.out."""

    def __init__(self, work: Path, command: list[str], finish: bool, environment: dict[str, str] | None = None,
                 cwd: Path | None = None):
        self.output = work / "driver.out"
        self.logs = work / "logs"
        # SIGINT at its default: under a background job it would be inherited as ignored.
        with self.output.open("w") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-c", DRIVER, str(self.logs), "1" if finish else "0", *command],
                cwd=cwd or work, env={**(environment or os.environ), "PYTHONPATH": str(ROOT)}, stdout=sink,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.started = time.monotonic()

    def wait_for(self, predicate, what: str, seconds: float = WAIT_SECONDS) -> None:
        """Wait until PREDICATE holds, at most SECONDS, while the driver runs."""
        deadline = time.monotonic() + seconds
        while not predicate():
            assert time.monotonic() < deadline, f"{what} within {seconds} s; driver said: {self.said()}"
            assert self.process.poll() is None, f"driver ended ({self.process.returncode}) before {what}: {self.said()}"
            time.sleep(0.05)

    def ctrl_c(self) -> None:
        """SIGINT to the driver's whole process group, as Ctrl-C in a terminal sends it."""
        os.killpg(self.process.pid, signal.SIGINT)

    def finish(self, seconds: float = WAIT_SECONDS) -> tuple[int, float]:
        """The driver's exit status and its seconds from start."""
        try:
            code = self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return code, time.monotonic() - self.started

    def stop(self) -> None:
        """Kill whatever of the driver's group still runs (a test that failed half-way)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def said(self) -> str:
        """What the driver printed so far."""
        return self.output.read_text() if self.output.exists() else ""

    def child_log(self) -> str:
        """The log Runner wrote of the command."""
        logs = sorted(self.logs.glob("*-child.log"))
        assert len(logs) == 1, f"child logs: {logs}"
        return logs[0].read_text()
