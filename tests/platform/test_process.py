"""Ctrl-C and the commands the platform command runs (tools/platform/process.py).

Each test starts a driver process in a session of its own, as a terminal starts the platform command,
has it run a child through Runner, and sends SIGINT to the driver's whole process group, as Ctrl-C
does. A command that changes infrastructure must survive the first Ctrl-C and finish (a create cut
short can leave a resource outside Terraform's state); a second Ctrl-C must reach it; any other
command must get the first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The child: marks that it runs, then sleeps; says whether it finished or was stopped by SIGINT.
CHILD = """
import signal, sys, time
from pathlib import Path
def stop(*_):
    print("child: SIGINT", flush=True)
    sys.exit(130)
signal.signal(signal.SIGINT, stop)
Path(sys.argv[1]).write_text("started")
time.sleep(float(sys.argv[2]))
print("child: finished", flush=True)
"""

# The driver: Runner runs the child; what Runner says and how run() ended go to standard output.
DRIVER = """
import sys
from pathlib import Path
from tools.platform.process import Runner
log_dir, marker, seconds, finish, child = sys.argv[1:6]  # CHILD: the path of the child's script
runner = Runner(Path(log_dir), say=lambda line: print("say:", line, flush=True))
try:
    runner.run([sys.executable, child, marker, seconds], label="child", finish_on_interrupt=finish == "1")
    print("driver: returned", flush=True)
except KeyboardInterrupt:
    print("driver: KeyboardInterrupt", flush=True)
    sys.exit(130)
"""

WAIT_SECONDS = 30


class Driver:
    """The driver process, its output in a file."""

    def __init__(self, work: Path, child_seconds: float, finish: bool):
        self.work = work
        self.marker = work / "child-started"
        self.output = work / "driver.out"
        self.logs = work / "logs"
        child = work / "child.py"
        child.write_text(CHILD)
        # SIGINT at its default: under a background job it would be inherited as ignored.
        with self.output.open("w") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-c", DRIVER, str(self.logs), str(self.marker), str(child_seconds),
                 "1" if finish else "0", str(child)],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=sink,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.started = time.monotonic()

    def wait_for(self, predicate, what: str) -> None:
        """Wait until PREDICATE holds, at most WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not predicate():
            assert time.monotonic() < deadline, f"{what} within {WAIT_SECONDS} s; driver said: {self.said()}"
            assert self.process.poll() is None, f"driver ended ({self.process.returncode}) before {what}: {self.said()}"
            time.sleep(0.05)

    def ctrl_c(self) -> None:
        """SIGINT to the driver's whole process group, as Ctrl-C in a terminal sends it."""
        os.killpg(self.process.pid, signal.SIGINT)

    def finish(self) -> tuple[int, float]:
        """The driver's exit status and its seconds from start."""
        try:
            code = self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return code, time.monotonic() - self.started

    def said(self) -> str:
        """What the driver printed so far."""
        return self.output.read_text() if self.output.exists() else ""

    def child_log(self) -> str:
        """The log Runner wrote of the child."""
        logs = sorted(self.logs.glob("*-child.log"))
        assert len(logs) == 1, f"child logs: {logs}"
        return logs[0].read_text()


@pytest.fixture
def driver(tmp_path: Path):
    started: list[Driver] = []

    def start(child_seconds: float, finish: bool) -> Driver:
        """A driver whose child runs."""
        started.append(Driver(tmp_path, child_seconds, finish))
        started[-1].wait_for(started[-1].marker.exists, "the child started")
        return started[-1]

    yield start
    for each in started:
        if each.process.poll() is None:
            os.killpg(each.process.pid, signal.SIGKILL)


def assert_child_stopped_by_sigint(run: Driver) -> None:
    """The driver ended with 130 soon after, and its child was stopped by SIGINT before it finished."""
    code, seconds = run.finish()
    log = run.child_log()
    assert code == 130 and "driver: KeyboardInterrupt" in run.said(), run.said()
    assert "child: SIGINT" in log and "child: finished" not in log, log
    assert "exit 130 after" in log and "; interrupted" in log, log
    assert seconds < WAIT_SECONDS, f"the driver took {seconds:.1f} s"


def test_a_changing_command_finishes_after_the_first_ctrl_c(driver) -> None:
    run = driver(child_seconds=2, finish=True)
    run.ctrl_c()
    code, seconds = run.finish()
    log = run.child_log()
    assert code == 130 and "driver: KeyboardInterrupt" in run.said(), run.said()
    assert "say: Ctrl-C: child is left to finish" in run.said(), run.said()
    assert "child: finished" in log and "child: SIGINT" not in log, log
    assert "exit 0 after" in log and "finished after Ctrl-C" in log, log
    assert seconds >= 2, f"the driver ended after {seconds:.1f} s, before its child's 2 s"


def test_a_second_ctrl_c_reaches_a_changing_command(driver) -> None:
    run = driver(child_seconds=120, finish=True)
    run.ctrl_c()
    run.wait_for(lambda: "say: Ctrl-C: child is left to finish" in run.said(), "the first Ctrl-C was answered")
    run.ctrl_c()
    assert_child_stopped_by_sigint(run)
    assert "say: Ctrl-C again: child is told to stop now" in run.said(), run.said()


def test_any_other_command_gets_the_first_ctrl_c(driver) -> None:
    run = driver(child_seconds=120, finish=False)
    run.ctrl_c()
    assert_child_stopped_by_sigint(run)
    assert "say:" not in run.said(), run.said()
