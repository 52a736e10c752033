"""Run a command-line client (the AWS CLI, the GitHub CLI) and read its JSON answer.

The deploy scripts never import an SDK: they run the same `aws` and `gh` commands a person would,
named by `$AWS_CLI` and `$GH_CLI` so the tests can point them at a fake that replays recorded answers.
Only the standard library is used, so the scripts run on any runner with python3.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess

# One call to the AWS or GitHub API answers in seconds; a hung call must not eat the job's time limit.
CALL_TIMEOUT_SECONDS = 60


class CliError(Exception):
    """The command failed, could not run, or printed something that is not JSON."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


def command_of(variable: str, default: str) -> list[str]:
    """The command named by an environment variable (split like a shell would), or the default."""
    return shlex.split(os.environ.get(variable, default))


def run_json(client: list[str], arguments: list[str]) -> dict:
    """Run `client arguments...` and return its standard output parsed as JSON."""
    command = client + arguments
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=CALL_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CliError(f"could not run {command[0]}: {error}") from error
    if result.returncode != 0:
        operation = " ".join(arguments[:2])
        raise CliError(f"{operation} exited {result.returncode}: {result.stderr.strip()}", result.stderr)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise CliError(f"{' '.join(arguments[:2])} printed no JSON: {error}") from error


def aws(*arguments: str) -> dict:
    """One AWS CLI call with JSON output."""
    return run_json(command_of("AWS_CLI", "aws"), [*arguments, "--output", "json"])


def gh_api(path: str) -> dict:
    """One GitHub REST API call through `gh api` (it reads the token from $GH_TOKEN)."""
    return run_json(command_of("GH_CLI", "gh"), ["api", path])


def write_github_output(values: dict[str, str]) -> None:
    """Append name=value lines to $GITHUB_OUTPUT when it is set (values are single lines)."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as output:
        for name, value in values.items():
            output.write(f"{name}={str(value).replace(chr(10), ' ')}\n")
