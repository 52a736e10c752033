#!/usr/bin/env python3
"""Sums up swift-testing runs from their console output: tests, test cases, suites, and every test that
was skipped, with its reason. Under CI=true a skipped test fails the summary (exit status 1): a test
that did not run proves nothing, and in CI everything it needs is there.

Usage: scripts/swift-test-summary.py SWIFT_TEST_LOG [SWIFT_TEST_LOG ...]

Each log is the output of one `swift test` (make swift-test writes one for the main run and one for the
drain test). A test shows as skipped when a condition of its own (`.enabled(if:)`, such as
`.requiresPostgreSQL`) is false; the store-level cases are counted per store from the arguments of
StoreCaseTests' "on SQLite" and "on PostgreSQL".
"""
import os
import re
import sys

RUN = re.compile(r"Test run with (\d+) tests? in (\d+) suites? (passed|failed)")
SKIPPED = re.compile(r'^➜ Test "(.+?)" skipped(?:: "(.*)")?', re.M)
# A finished test: `✔ Test "name" passed after`, `✘ Test "name" with 7 test cases failed after`.
FINISHED = re.compile(r'^[✔✘] Test "(?:.+?)" (?:with (\d+) test cases? )?(?:passed|failed) after', re.M)
STORE_CASE = re.compile(r'^◇ Test case passing .* to "on (SQLite|PostgreSQL)" started', re.M)


def summarize(texts: list[str]) -> tuple[list[str], int]:
    """The summary lines and the number of skipped tests."""
    tests = suites = cases = 0
    outcomes = []
    skipped: list[tuple[str, str]] = []
    stores = {"SQLite": 0, "PostgreSQL": 0}
    for text in texts:
        runs = RUN.findall(text)
        if not runs:
            outcomes.append("no result (the run did not finish)")
            continue
        run_tests, run_suites, outcome = runs[-1]
        tests += int(run_tests)
        suites += int(run_suites)
        outcomes.append(outcome)
        cases += sum(int(count or 1) for count in FINISHED.findall(text))
        skipped += SKIPPED.findall(text)
        for store in STORE_CASE.findall(text):
            stores[store] += 1
    outcome = "passed" if outcomes and all(o == "passed" for o in outcomes) else "FAILED"
    lines = [
        f"swift tests: {tests} tests ({cases} test cases run) in {suites} suites, {outcome}; "
        f"skipped: {len(skipped)}",
        f"store-level cases: {stores['SQLite']} on SQLite, {stores['PostgreSQL']} on PostgreSQL",
    ]
    if skipped:
        lines.append("*" * 72)
        lines.append(f"{len(skipped)} SWIFT TESTS WERE SKIPPED:")
        lines += [f"  {name}: {reason or 'no reason given'}" for name, reason in skipped]
        lines.append("*" * 72)
    return lines, len(skipped)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    texts = [open(path, encoding="utf-8", errors="replace").read() for path in sys.argv[1:]]
    lines, skipped = summarize(texts)
    print("\n".join(lines))
    if skipped and os.environ.get("CI") == "true":
        print(f"ERROR: CI=true, and {skipped} Swift tests were skipped instead of run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
