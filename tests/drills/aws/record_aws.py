#!/usr/bin/env python3
"""Runs the real AWS CLI ($REAL_AWS_CLI) after appending the call's arguments to $AWS_CALL_LOG.

The drill scripts run `$AWS_CLI`; the tests set it to this file, so they can check which calls a
script made and in which order, while every call still goes to moto through the real CLI.

One repair, and only one: moto (5.2) accepts a service's deploymentConfiguration but does not keep
it, so describe-services answers without one. When $DEPLOYMENT_CONFIGURATION_FILE names a file, the
configuration the test created the service with is put back into describe-services answers that
lack it, so bad-deploy.sh's check of the circuit breaker runs against what the test set up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main() -> int:
    arguments = sys.argv[1:]
    with open(os.environ["AWS_CALL_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(arguments) + "\n")
    real = os.environ["REAL_AWS_CLI"]
    repair = os.environ.get("DEPLOYMENT_CONFIGURATION_FILE")
    if arguments[:2] != ["ecs", "describe-services"] or not repair or not os.path.exists(repair):
        os.execv(real, [real, *arguments])
    answer = subprocess.run([real, *arguments], capture_output=True, text=True)
    sys.stderr.write(answer.stderr)
    if answer.returncode != 0:
        sys.stdout.write(answer.stdout)
        return answer.returncode
    document = json.loads(answer.stdout)
    with open(repair, encoding="utf-8") as source:
        configuration = json.load(source)
    for service in document.get("services", []):
        service.setdefault("deploymentConfiguration", configuration)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
