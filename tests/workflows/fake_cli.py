#!/usr/bin/env python3
"""A stand-in for a command-line client (`aws`, `gh`, `docker`) that replays recorded answers, for the
deploy scripts' tests.

The scripts under scripts/deploy/ run the clients named by `$AWS_CLI`, `$GH_CLI` and `$DOCKER`. Tests
point those at this file with a plan and a state directory of its own for each client:

    python3 fake_cli.py --plan PLAN.json --state DIR  <the client's arguments...>

The plan says what each call answers, keyed by the call's first two words:

    {"ecs describe-services": [{"stdout_json": {...}}, {"stdout_json": {...}}],
     "ecr describe-images":   [{"exit": 254, "stderr": "An error occurred (ImageNotFoundException) ..."}]}

Each call gets that key's next answer; the last answer repeats once the list is used up, the way a
deployment that stops changing keeps answering the same. Every call's arguments are appended to
`DIR/calls.jsonl` so a test can check what was asked, and what a `--password-stdin` call read from
its standard input to `DIR/stdin.txt`. A call without planned answers exits 255 like a real client on a
bad call.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def next_answer(plan: dict, key: str, state_dir: Path) -> dict | None:
    answers = plan.get(key)
    if not answers:
        return None
    counter = state_dir / (key.replace(" ", "_").replace("/", "_") + ".count")
    used = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(used + 1))
    return answers[min(used, len(answers) - 1)]


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[0] != "--plan" or argv[2] != "--state":
        print("fake cli: usage: fake_cli.py --plan PLAN --state DIR ARGS...", file=sys.stderr)
        return 2
    plan = json.loads(Path(argv[1]).read_text())
    state_dir = Path(argv[3])
    arguments = argv[4:]
    with open(state_dir / "calls.jsonl", "a", encoding="utf-8") as calls:
        calls.write(json.dumps(arguments) + "\n")
    if "--password-stdin" in arguments:
        with open(state_dir / "stdin.txt", "a", encoding="utf-8") as received:
            received.write(sys.stdin.read())
    key = " ".join(arguments[:2])
    answer = next_answer(plan, key, state_dir)
    if answer is None:
        print(f"fake cli: no answer planned for {key!r}", file=sys.stderr)
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
