# One command up, one down (tools/platform; docs/environments.md).
#
#   make up ENV=staging                          from nothing to a deployed service: every stack, the
#                                                first image, the database roles, a first API key
#   make up ENV=production PROMOTE_FROM=staging  production beside staging, deploying staging's images
#   make plan ENV=staging                        each stack's plan; nothing is applied
#   make github ENV=staging                      the GitHub environment's variables and smoke-test
#                                                secret from its outputs (GitHub CLI)
#   make down ENV=staging                        the teardown; the final snapshot stays (DELETE_DATA=1:
#                                                it goes too)
#   make platform-rehearsal                      all of it for staging and production against the AWS
#                                                emulator, with an interrupted run; part of make test
#
# `up` builds the image with Docker Buildx; IMAGE_TO_PUSH=<local image> pushes one built already.

PLATFORM_REHEARSAL_DIR := $(ROOT)/out/platform-rehearsal
PLATFORM_REHEARSAL = $(PY) -m tests.platform.rehearsal --image $(IMAGE) --work-dir $(PLATFORM_REHEARSAL_DIR)/work

.PHONY: up plan github down platform-rehearsal platform-rehearsal-start platform-environment

platform-environment:
	@test -n "$(ENV)" || { echo "name the environment: make $(MAKECMDGOALS) ENV=staging (terraform/environments/)" >&2; exit 2; }

up: platform-environment ## Bring an environment up from nothing: make up ENV=staging (docs/environments.md)
	cd $(ROOT) && python3 -m tools.platform up $(ENV) $(if $(PROMOTE_FROM),--promote-from $(PROMOTE_FROM)) $(if $(IMAGE_TO_PUSH),--image $(IMAGE_TO_PUSH))

plan: platform-environment ## Each stack's plan for an environment, nothing applied: make plan ENV=staging
	cd $(ROOT) && python3 -m tools.platform up $(ENV) --plan

github: platform-environment ## Set the GitHub environment's variables and secret from its outputs: make github ENV=staging
	cd $(ROOT) && python3 -m tools.platform github $(ENV) $(if $(PROMOTE_FROM),--promote-from $(PROMOTE_FROM))

down: platform-environment ## Take an environment down, keeping its final snapshot: make down ENV=staging
	cd $(ROOT) && python3 -m tools.platform down $(ENV) $(if $(filter 1,$(DELETE_DATA)),--delete-data)

# `make test` starts the rehearsal in the background once the image exists; platform-rehearsal
# collects it at the end. Run alone, it runs in the foreground.
platform-rehearsal: venv postgres-sandbox ## The platform command for staging and production against the AWS emulator
	@$(ROOT)/scripts/background-check.sh finish $(PLATFORM_REHEARSAL_DIR) $$PPID $(PLATFORM_REHEARSAL)

platform-rehearsal-start: venv postgres-sandbox
	@$(ROOT)/scripts/background-check.sh start $(PLATFORM_REHEARSAL_DIR) $$PPID $(PLATFORM_REHEARSAL)
