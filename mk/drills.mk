# Failure drills (docs/drills.md).
#
#   make drills            four drills under load behind HAProxy on loopback: rolling deploy, crash,
#                          bad deployment, database outage; instances from the image (built first)
#                          when a container engine runs. Tables in the terminal; charts and
#                          results.json under out/drills/.
#   make aws-drills-test   the AWS drill scripts (scripts/drills/) against moto's server mode on
#                          127.0.0.1, and shellcheck over them.

DRILL_SCRIPTS := $(wildcard $(ROOT)/scripts/drills/*.sh)

.PHONY: drills aws-drills-test

drills: venv ## Failure drills behind HAProxy: rolling deploy, crash, bad deployment, database outage
	@PY=$(PY) MAKE="$(MAKE)" IMAGE=$(IMAGE) $(ROOT)/tests/drills/run.sh

aws-drills-test: venv ## AWS drill scripts: shellcheck, and their tests against moto (127.0.0.1)
	@echo "==> shellcheck scripts/drills"
	cd $(ROOT) && $(VENV)/bin/shellcheck -x $(DRILL_SCRIPTS) tests/drills/run.sh
	@echo "shellcheck: no findings"
	@echo "==> pytest tests/drills/aws (moto server)"
	cd $(ROOT)/tests/drills/aws && $(PY) -m pytest -q -p no:cacheprovider -rs .
