# The Swift service: build, run, test, format.
APP := $(ROOT)/app
SWIFT_BUILD_FLAGS ?=
SERVICE_BIN := $(APP)/.build/debug/orders-service

.PHONY: build run swift-test swift-format swift-format-check

build: ## Debug build of the service
	cd $(APP) && swift build $(SWIFT_BUILD_FLAGS)

run: build ## Serve on http://127.0.0.1:8080 with the embedded SQLite store (data/orders.sqlite)
	@$(ROOT)/scripts/run-local.sh "$(SERVICE_BIN)"

swift-format: ## Format the Swift sources in place
	cd $(APP) && swift format --in-place --recursive --parallel Package.swift Sources Tests Plugins Tools

swift-format-check: ## Fail when a Swift file is not formatted
	cd $(APP) && swift format lint --strict --recursive --parallel Package.swift Sources Tests Plugins Tools
