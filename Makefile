# The two commands of the README:
#   make run    the service on its embedded SQLite store, on http://127.0.0.1:8080
#   make test   everything this project can check on one machine
# Each concern keeps its targets in mk/<concern>.mk; this file only ties them together.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
CHECKOV_VENV := $(ROOT)/.venv-checkov

# The checks `make test` runs, in order: the infrastructure lifecycle starts first in the background
# (it mostly waits on its emulator; infra-apply-test collects it), and the debug build beside it at a
# low CPU priority (swift-test's `build` collects it), fast static checks next, then the container
# image, which the platform rehearsal (also in the background, collected last) and the drills run.
TEST_TARGETS := infra-apply-start build-start lint image-test platform-rehearsal-start swift-test contract-test service-test infra-check infra-apply-test workflow-check aws-drills-test drills bench-smoke platform-rehearsal

include $(sort $(wildcard $(ROOT)/mk/*.mk))

.PHONY: help test venv checkov-venv
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

test: $(TEST_TARGETS) ## Everything checkable on one machine
	@echo "make test: all checks passed ($(TEST_TARGETS))"

venv: $(VENV)/.installed ## Python tools for the checks (pinned, in .venv)
$(VENV)/.installed: tools/requirements.txt
	@echo "==> Python tools into .venv"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	@touch $@

checkov-venv: $(CHECKOV_VENV)/.installed ## checkov in its own environment (.venv-checkov)
$(CHECKOV_VENV)/.installed: tools/requirements-checkov.txt
	@echo "==> checkov into .venv-checkov"
	python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-checkov.txt
	@touch $@
