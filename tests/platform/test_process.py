"""Ctrl-C and the commands the platform command runs (tools/platform/process.py).

Each test has a driver (interrupt_driver.py, started as a terminal starts the platform command) run
a child that sleeps through Runner, and sends SIGINT to the driver's whole process group, as Ctrl-C
does. A command that changes infrastructure must survive the first Ctrl-C and finish (a create cut
short can leave a resource outside Terraform's state); a second Ctrl-C must reach it; any other
command must get the first. test_interrupted_apply.py does the same with real Terraform.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.platform.interrupt_driver import WAIT_SECONDS, Driver

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


@pytest.fixture
def driver(tmp_path: Path):
    """start(CHILD_SECONDS, FINISH): a driver whose sleeping child runs; whatever still runs is killed afterwards."""
    started: list[Driver] = []

    def start(child_seconds: float, finish: bool) -> Driver:
        """A driver whose child runs."""
        child = tmp_path / "child.py"
        child.write_text(CHILD)
        marker = tmp_path / "child-started"
        started.append(Driver(tmp_path, [sys.executable, str(child), str(marker), str(child_seconds)], finish))
        started[-1].wait_for(marker.exists, "the child started")
        return started[-1]

    yield start
    for each in started:
        each.stop()


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
