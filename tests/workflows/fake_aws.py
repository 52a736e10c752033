#!/usr/bin/env python3
"""A stand-in for the `aws` command that replays recorded answers, for the deploy scripts' tests.

The scripts under scripts/deploy/ run the AWS CLI named by `$AWS_CLI`. Tests point that at this file
and describe what it answers in a plan (a JSON file named by `$FAKE_AWS_PLAN`):

    {"ecs describe-services": [{"stdout_json": {...}}, {"stdout_json": {...}}],
     "ecr describe-images":   [{"exit": 254, "stderr": "An error occurred (ImageNotFoundException) ..."}]}

Each call is keyed by its first two words (service and operation) and gets that key's next answer;
the last answer repeats once the list is used up, the way a deployment that stops changing keeps
answering the same. Every call's arguments are appended to `$FAKE_AWS_STATE_DIR/calls.jsonl` so a test
can check what was asked. An operation without answers exits 255 like the real CLI on a bad call.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def next_answer(plan: dict, key: str, state_dir: Path) -> dict | None:
    answers = plan.get(key)
    if not answers:
        return None
    counter = state_dir / (key.replace(" ", "_") + ".count")
    used = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(used + 1))
    return answers[min(used, len(answers) - 1)]


def main(argv: list[str]) -> int:
    plan = json.loads(Path(os.environ["FAKE_AWS_PLAN"]).read_text())
    state_dir = Path(os.environ["FAKE_AWS_STATE_DIR"])
    with open(state_dir / "calls.jsonl", "a", encoding="utf-8") as calls:
        calls.write(json.dumps(argv) + "\n")
    key = " ".join(argv[:2])
    answer = next_answer(plan, key, state_dir)
    if answer is None:
        print(f"fake aws: no answer planned for {key!r}", file=sys.stderr)
        return 255
    if "stdout_json" in answer:
        print(json.dumps(answer["stdout_json"], indent=2))
    elif "stdout" in answer:
        print(answer["stdout"])
    if "stderr" in answer:
        print(answer["stderr"], file=sys.stderr)
    return int(answer.get("exit", 0))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
