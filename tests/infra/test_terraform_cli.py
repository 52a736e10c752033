"""How the checks run terraform: a run past its time limit ends with every process it started."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tools.infra.terraform_cli import run_terraform

# A stand-in for terraform that starts a long-lived child, as terraform starts its provider plugins,
# writes the child's pid and waits for it.
FAKE_TERRAFORM = """#!/bin/sh
sleep 300 &
echo $! > "$PLUGIN_PID_FILE"
wait
"""


def alive(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def fake_terraform(tmp_path, monkeypatch):
    """Puts a `terraform` running the given shell script first on PATH."""

    def install(script: str) -> None:
        binary = tmp_path / "bin" / "terraform"
        binary.parent.mkdir(exist_ok=True)
        binary.write_text(script)
        binary.chmod(0o755)
        monkeypatch.setenv("PATH", f"{binary.parent}{os.pathsep}{os.environ['PATH']}")

    return install


def test_a_run_past_its_time_limit_ends_terraforms_plugins_too(tmp_path, fake_terraform):
    fake_terraform(FAKE_TERRAFORM)
    pid_file = tmp_path / "plugin.pid"

    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_terraform(["plan"], tmp_path, extra_env={"PLUGIN_PID_FILE": str(pid_file)}, timeout=2)
    plugin = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while alive(plugin) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(plugin), f"the plugin stand-in (pid {plugin}) outlived its terraform"
    assert time.monotonic() - started < 10


def test_a_failed_run_raises_with_terraforms_output(tmp_path, fake_terraform):
    fake_terraform("#!/bin/sh\necho planned\necho 'Error: no' >&2\nexit 1\n")

    with pytest.raises(subprocess.CalledProcessError) as failed:
        run_terraform(["plan"], tmp_path)
    assert (failed.value.returncode, failed.value.output, failed.value.stderr) == (1, "planned\n", "Error: no\n")
    assert run_terraform(["plan"], tmp_path, check=False).returncode == 1
