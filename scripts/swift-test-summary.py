#!/usr/bin/env python3
"""Counts the Swift test cases that ran on each store, from swift-testing's verbose-free output.

Usage: scripts/swift-test-summary.py SWIFT_TEST_LOG

Every store test case prints "store case ran: STORE NAME" when it has run against that store (see
withStore in app/Tests); a case that could not reach PostgreSQL prints "SKIPPED POSTGRES TEST".
"""
import re
import sys


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
    totals = re.findall(r"Test run with (\d+) tests? in (\d+) suites? (passed|failed)", text)
    skipped = text.count("SKIPPED POSTGRES TEST")
    cases = {store: len(re.findall(rf"^store case ran: {store} ", text, re.M)) for store in ("sqlite", "postgres")}
    if totals:
        tests, suites, outcome = totals[-1]
        print(f"swift tests: {tests} tests in {suites} suites {outcome}")
    print(f"store test cases: sqlite {cases['sqlite']}, postgres {cases['postgres']}")
    if skipped:
        print("*" * 72)
        print(f"{skipped} POSTGRESQL TEST CASES WERE SKIPPED: no reachable server (POSTGRES_TEST_URL)")
        print("*" * 72)
    return 0


if __name__ == "__main__":
    sys.exit(main())
