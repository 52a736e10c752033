# Terraform checks that run without Terraform (docs/infrastructure.md, "Checks").
#
#   make infra-check   the checker's own tests (pytest tests/infra), the checker over every stack
#                      under terraform/ (syntax, provider schema, references, conventions, layout),
#                      and checkov over terraform/ with 0 failed checks.
#
# checkov runs offline: --skip-download (no platform metadata), no API key passed on, and no
# update check against PyPI. The real `terraform fmt -check` and `validate` run in CI on GitHub.

INFRA_DIR := $(ROOT)/terraform
CHECKOV_FLAGS := --directory $(INFRA_DIR) --framework terraform --skip-download --compact --quiet

.PHONY: infra-check infra-tests infra-lint infra-checkov

infra-check: infra-tests infra-lint infra-checkov ## Terraform: checker tests, schema and reference checks, checkov (offline)

infra-tests: venv checkov-venv
	@echo "==> pytest tests/infra"
	cd $(ROOT) && $(PY) -m pytest -q tests/infra

infra-lint: venv
	@echo "==> tools/infra check over terraform/"
	cd $(ROOT) && $(PY) -m tools.infra.check --root $(INFRA_DIR)

infra-checkov: checkov-venv
	@echo "==> checkov (offline) over terraform/"
	cd $(ROOT) && env -u BC_API_KEY -u PRISMA_API_URL CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
		$(CHECKOV_VENV)/bin/checkov $(CHECKOV_FLAGS)
