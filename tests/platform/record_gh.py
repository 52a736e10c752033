"""A stand-in for the GitHub CLI in the rehearsal: `python record_gh.py FILE ARGS...` appends one JSON
line per call to FILE (its arguments and what it read on standard input) and answers like gh does
for `auth status`, `variable set` and `secret set`. No GitHub is reachable from the rehearsal."""

import json
import sys

record, arguments = sys.argv[1], sys.argv[2:]
stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
with open(record, "a") as sink:
    sink.write(json.dumps({"arguments": arguments, "stdin": stdin}) + "\n")
if arguments[:2] == ["auth", "status"]:
    print("github.com: logged in (stand-in)")
