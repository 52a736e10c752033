#!/usr/bin/env python3
"""Refuse to deploy a commit that is older than the one an environment already runs.

"Re-run all jobs" on an old, successful run of the pipeline would deploy that run's commit again,
over whatever newer commit the environment has received since. This check runs in each environment's
job before anything changes, and lets the deploy go ahead only when one of these holds:

  1. the commit is the newest commit of the branch (main): what the pipeline exists to deploy;
  2. the environment already runs this very commit (deploying it again changes nothing);
  3. the commit the environment runs is an ancestor of this one (GitHub's compare says "ahead"):
     the deploy moves the environment forward.

Anything else is refused, including when the running commit cannot be told (an image without a
commit tag) or GitHub cannot be asked: going back to an older release is the rollback workflow's
job, where a person names the revision on purpose.

Exit codes: 0 allowed, 1 refused, 2 usage. Outputs (appended to $GITHUB_OUTPUT when set):
verdict=ALLOWED|REFUSED and reason=...

environment:
  GH_CLI     the GitHub CLI command (default: gh); tests point it at a fake
  GH_TOKEN   the token `gh` uses (the workflow passes the job's GITHUB_TOKEN, contents: read)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from clients import CliError, gh_api, write_github_output
from image_reference import COMMIT_SHA
from script_support import argument_parser

EXIT_ALLOWED = 0
EXIT_REFUSED = 1
ROLLBACK_HINT = "to put an older release in place on purpose, run the rollback workflow"


@dataclass(frozen=True)
class Decision:
    """Whether the deploy may go ahead, and why."""

    allowed: bool
    reason: str


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argument_parser("check-release-order.py", __doc__)
    parser.add_argument("--commit", required=True, help="the commit this run deploys (GITHUB_SHA)")
    parser.add_argument("--deployed-commit", default="", help="the commit the environment runs now; empty if unknown")
    parser.add_argument("--environment", required=True, help="the environment's name, for the messages")
    parser.add_argument("--repository", required=True, help="OWNER/REPO (GITHUB_REPOSITORY)")
    parser.add_argument("--branch", default="main", help="the branch the pipeline deploys (default main)")
    args = parser.parse_args(argv)
    for name in ("commit", "deployed_commit"):
        value = getattr(args, name)
        if value and not COMMIT_SHA.match(value):
            parser.error(f"--{name.replace('_', '-')} must be a full commit SHA, not {value!r}")
    if not args.commit:
        parser.error("--commit is required")
    return args


def decide(args: argparse.Namespace) -> Decision:
    """Apply the three rules, asking GitHub for the branch head and, if needed, the comparison."""
    short, where = args.commit[:12], args.environment
    try:
        newest = str(gh_api(f"repos/{args.repository}/commits/{args.branch}").get("sha", ""))
    except CliError as error:
        return Decision(False, f"could not read the newest commit of {args.branch} ({error}); refusing to guess")
    if newest == args.commit:
        return Decision(True, f"{short} is the newest commit of {args.branch}")
    if not args.deployed_commit:
        return Decision(False, f"{short} is not the newest commit of {args.branch} ({newest[:12]}) and the "
                               f"commit {where} runs cannot be told; {ROLLBACK_HINT}")
    if args.deployed_commit == args.commit:
        return Decision(True, f"{where} already runs {short}")
    deployed = args.deployed_commit[:12]
    try:
        comparison = gh_api(f"repos/{args.repository}/compare/{args.deployed_commit}...{args.commit}")
    except CliError as error:
        return Decision(False, f"could not compare {deployed} with {short} ({error}); refusing to guess")
    status = comparison.get("status")
    if status == "ahead":
        return Decision(True, f"{short} is {comparison.get('ahead_by')} commit(s) ahead of {deployed}, which {where} runs")
    if status == "behind":
        return Decision(False, f"{where} runs {deployed}, which is {comparison.get('behind_by')} commit(s) newer "
                               f"than {short}: this looks like a re-run of an old run; {ROLLBACK_HINT}")
    return Decision(False, f"{where} runs {deployed}, which is not in the history of {short} (compare says "
                           f"{status!r}), and {short} is not the newest commit of {args.branch}; {ROLLBACK_HINT}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    decision = decide(args)
    verdict = "ALLOWED" if decision.allowed else "REFUSED"
    print(f"check-release-order: {'PASS' if decision.allowed else 'FAIL'} {verdict}: {decision.reason}", flush=True)
    write_github_output({"verdict": verdict, "reason": decision.reason})
    return EXIT_ALLOWED if decision.allowed else EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
