# Terraform checks (docs/infrastructure.md, "Checks").
#
#   make infra-check        real Terraform over every stack (fmt -check, init with the committed lock
#                           file, validate, terraform test), then what Terraform cannot check
#                           (tools/infra: remote-state outputs across stacks, the apply order, the 6.25
#                           schema, conventions), its tests, and checkov, offline.
#   make infra-apply-test   every stack's life against the AWS emulator on loopback: apply in order,
#                           plan again (no changes), the documented teardown; then the plan-level
#                           tests (AWS's naming rules, the service ties, alarms, plan transitions) on
#                           the plans it kept.
#
# Terraform gets the AWS provider from the registry, or from the filesystem mirror where one exists
# (terraform/provider-mirror.tfrc). Under CI=true a missing terraform fails; elsewhere it says so.
# checkov runs offline: --skip-download (no platform metadata), no API key passed on, and no update
# check against PyPI.

INFRA_DIR := $(ROOT)/terraform
CHECKOV_FLAGS := --directory $(INFRA_DIR) --framework terraform --skip-download --compact --quiet
# Where infra-apply-test keeps the copy, the logs, the plans and report.json.
INFRA_LIFECYCLE_DIR := $(ROOT)/out/infra-lifecycle
INFRA_LIFECYCLE = $(PY) -m tools.infra.lifecycle_run --work-dir $(INFRA_LIFECYCLE_DIR)/work

.PHONY: infra-check infra-terraform infra-tests infra-lint infra-checkov infra-apply-test infra-apply-start

infra-check: infra-terraform infra-lint infra-tests infra-checkov ## Terraform: fmt, validate, terraform test; cross-stack checks; checkov (offline)

infra-terraform: venv
	@echo "==> real Terraform over terraform/ (fmt, init, validate, terraform test)"
	cd $(ROOT) && $(PY) -m tools.infra.terraform_checks

infra-tests: venv checkov-venv
	@echo "==> pytest tests/infra (checker, fixtures through real Terraform, checkov fixtures) and tests/platform (Ctrl-C)"
	cd $(ROOT) && $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/infra/plans tests/infra tests/platform

infra-lint: venv
	@echo "==> tools/infra check over terraform/ (what Terraform cannot check)"
	cd $(ROOT) && $(PY) -m tools.infra.check --root $(INFRA_DIR)

infra-checkov: checkov-venv
	@echo "==> checkov (offline) over terraform/"
	cd $(ROOT) && env -u BC_API_KEY -u PRISMA_API_URL CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
		$(CHECKOV_VENV)/bin/checkov $(CHECKOV_FLAGS)

infra-apply-test: venv ## Every stack applied, planned again and destroyed against the AWS emulator; plan-level tests
	@$(ROOT)/scripts/background-check.sh finish $(INFRA_LIFECYCLE_DIR) $$PPID $(INFRA_LIFECYCLE)
	@echo "==> pytest tests/infra/plans (the plans the lifecycle kept)"
	cd $(ROOT) && INFRA_PLANS_DIR=$(INFRA_LIFECYCLE_DIR)/work/run/plans $(PY) -m pytest -q -p no:cacheprovider tests/infra/plans

# `make test` starts the lifecycle first, in the background: it spends most of its quarter of an hour
# waiting on the emulator, and infra-apply-test then collects it. Started by another make, or not at
# all, infra-apply-test runs it in the foreground.
infra-apply-start: venv
	@$(ROOT)/scripts/background-check.sh start $(INFRA_LIFECYCLE_DIR) $$PPID $(INFRA_LIFECYCLE)
