# The Swift service: build, run, test, format.
APP := $(ROOT)/app
SERVICE_BIN := $(APP)/.build/debug/orders-service
SWIFT_SOURCES := Package.swift Sources Tests Plugins Tools

.PHONY: build build-start run swift-test swift-format swift-format-check postgres-sandbox postgres-sandbox-stop

DEBUG_BUILD_DIR := $(ROOT)/out/debug-build

build: ## Debug build of the service and its tests
	@$(ROOT)/scripts/background-check.sh finish $(DEBUG_BUILD_DIR) $$PPID swift build --package-path $(APP) --build-tests

# `make test` starts the debug build first, in the background and at a low CPU priority, so it is done by
# the time the image is and the Swift tests need no build of their own (the two CPUs stay busy
# throughout; docs/decisions.md has the figures). `build` collects it; started by another make, or not
# at all, `build` runs it in the foreground.
build-start:
	@$(ROOT)/scripts/background-check.sh start $(DEBUG_BUILD_DIR) $$PPID $(ROOT)/scripts/polite-swift-build.sh --build-tests

run: ## Serve on http://127.0.0.1:8080 with the embedded SQLite store (data/orders.sqlite)
	cd $(APP) && swift build --product orders-service
	@$(ROOT)/scripts/run-local.sh "$(SERVICE_BIN)"

# The PostgreSQL the tests use: POSTGRES_TEST_URL when it is set (CI's service container), else a
# throwaway server on loopback that this target starts (scripts/postgres-sandbox.sh).
postgres-sandbox:
	@$(ROOT)/scripts/ensure-test-postgres.sh

postgres-sandbox-stop: ## Stop and delete the throwaway PostgreSQL server
	@$(ROOT)/scripts/postgres-sandbox.sh stop

swift-test: build postgres-sandbox ## Swift tests on SQLite and PostgreSQL, then the SIGTERM drain test in its own process; counts and skipped tests
	@mkdir -p $(ROOT)/.tmp
	@set +e; export POSTGRES_TEST_URL="$${POSTGRES_TEST_URL:-$$($(ROOT)/scripts/postgres-sandbox.sh url)}"; \
	cd $(APP) && swift test --skip-build --skip DrainTests 2>&1 | tee $(ROOT)/.tmp/swift-tests.log | grep -vE '^(◇|↳)'; \
	status=$${PIPESTATUS[0]}; \
	echo "==> drain test (a real SIGTERM, so in a process of its own)"; \
	ORDERS_DRAIN_TEST=1 swift test --skip-build --filter DrainTests 2>&1 | tee $(ROOT)/.tmp/swift-drain-test.log \
		| grep -vE '^(◇|↳)'; \
	drain=$${PIPESTATUS[0]}; \
	$(ROOT)/scripts/swift-test-summary.py $(ROOT)/.tmp/swift-tests.log $(ROOT)/.tmp/swift-drain-test.log; \
	summary=$$?; \
	[ $$status -eq 0 ] && [ $$drain -eq 0 ] && [ $$summary -eq 0 ]

swift-format: ## Format the Swift sources in place
	cd $(APP) && swift format --in-place --recursive --parallel $(SWIFT_SOURCES)

swift-format-check: ## Fail when a Swift file is not formatted as .swift-format says
	cd $(APP) && swift format lint --strict --recursive --parallel $(SWIFT_SOURCES)
	@echo "swift-format: every Swift file is formatted"
