"""Shared paths and helpers of the workflow and deploy-script tests (conftest.py holds the fixtures)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAKE_CLI = Path(__file__).resolve().parent / "fake_cli.py"
# The team's verified pins live beside the repository on the team's machines, not on GitHub's runners;
# tests/workflows/verified-action-pins.txt is the in-repository copy that the workflows are held to.
SHARED_PINS_REFERENCE = ROOT.parent / "shared" / "reference" / "github-actions-pins.md"
VERIFIED_PINS = Path(__file__).resolve().parent / "verified-action-pins.txt"


@dataclass
class FakeCli:
    """A planned fake of one command-line client: what it will answer and, afterwards, what it was asked."""

    state_dir: Path

    @property
    def plan_file(self) -> Path:
        return self.state_dir / "plan.json"

    def plan(self, answers: dict[str, list[dict]]) -> None:
        """Answers from the first one again: a new plan also forgets how many answers were used."""
        self.plan_file.write_text(json.dumps(answers))
        for counter in self.state_dir.glob("*.count"):
            counter.unlink()

    @property
    def command(self) -> str:
        """The command line that runs this fake (no spaces in the paths: scripts split it on them)."""
        command = f"{sys.executable} {FAKE_CLI} --plan {self.plan_file} --state {self.state_dir}"
        assert len(command.split()) == 6, f"a path with a space breaks the fake's command: {command}"
        return command

    def env(self, variable: str = "AWS_CLI") -> dict[str, str]:
        return {variable: self.command}

    def calls(self) -> list[list[str]]:
        log = self.state_dir / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def calls_to(self, key: str) -> list[list[str]]:
        """The calls whose first two words are `key` (e.g. "ecs update-service")."""
        return [call for call in self.calls() if " ".join(call[:2]) == key]

    def stdin(self) -> str:
        """What the calls with --password-stdin read from their standard input."""
        received = self.state_dir / "stdin.txt"
        return received.read_text() if received.exists() else ""


def recorded(*parts: str):
    """A recorded answer (or list of answers) under tests/workflows/fixtures/."""
    return json.loads(FIXTURES.joinpath(*parts).read_text())


def read_github_output(path: Path) -> dict[str, str]:
    """The name=value lines a script appended to its $GITHUB_OUTPUT file (empty when it wrote none)."""
    return dict(line.split("=", 1) for line in path.read_text().splitlines()) if path.exists() else {}


def admin_container_of_terraform() -> str:
    """The admin container's name in terraform/ecs/admin-task.tf (read, never changed, by these tests)."""
    text = (ROOT / "terraform" / "ecs" / "admin-task.tf").read_text()
    found = re.search(r'admin_container\s*=\s*\{\s*name\s*=\s*"([^"]+)"', text)
    assert found, "terraform/ecs/admin-task.tf no longer names the admin container as these tests expect"
    return found.group(1)


def option(call: list[str], name: str) -> str:
    """The value that follows `name` in a recorded call."""
    assert name in call, f"{name} missing from {call}"
    return call[call.index(name) + 1]


def run_script(command: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a script with a clean, explicit environment (PATH kept so bash, curl, python3 resolve)."""
    full_env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env}
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=timeout, check=False)
