"""Shared paths and helpers of the workflow and deploy-script tests (conftest.py holds the fixtures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAKE_AWS = Path(__file__).resolve().parent / "fake_aws.py"
# The team's verified pins live beside the repository on the team's machines, not on GitHub's runners;
# tests/workflows/verified-action-pins.txt is the in-repository copy that the workflows are held to.
SHARED_PINS_REFERENCE = ROOT.parent / "shared" / "reference" / "github-actions-pins.md"
VERIFIED_PINS = Path(__file__).resolve().parent / "verified-action-pins.txt"


@dataclass
class FakeAws:
    """A planned fake `aws` command: what it will answer and, afterwards, what it was asked."""

    state_dir: Path
    plan_file: Path

    def plan(self, answers: dict[str, list[dict]]) -> None:
        """Answers from the first one again: a new plan also forgets how many answers were used."""
        self.plan_file.write_text(json.dumps(answers))
        for counter in self.state_dir.glob("*.count"):
            counter.unlink()

    def env(self) -> dict[str, str]:
        return {
            "AWS_CLI": f"{sys.executable} {FAKE_AWS}",
            "FAKE_AWS_PLAN": str(self.plan_file),
            "FAKE_AWS_STATE_DIR": str(self.state_dir),
        }

    def calls(self) -> list[list[str]]:
        log = self.state_dir / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]


def run_script(command: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a script with a clean, explicit environment (PATH kept so bash, curl, python3 resolve)."""
    full_env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env}
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=timeout, check=False)
