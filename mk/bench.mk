# Benchmarks: throughput, latency, start-up time and memory of the service against the ceiling of the
# machine it runs on (nginx and pgbench, measured in the same run). bench/run.py has the method,
# docs/benchmarks.md the figures.
#
#   make bench         release build, then the full run (about 10 minutes): rewrites the results section
#                      of docs/benchmarks.md and docs/benchmarks.png, raw figures in out/bench/
#   make bench-smoke   the tests of the harness's judgement (tests/bench), then a few seconds per
#                      workload against the debug build: every figure is produced and no request
#                      fails (part of `make test`; speed targets are not checked there)
#
# Needs wrk, nginx and postgresql (Debian packages) and two CPUs: the service (and nginx) on one, the
# load generator on the other. PostgreSQL is a sandbox on port $(BENCH_POSTGRES_PORT), apart from the
# test suites' server. Run `make bench` on a quiet machine: the document records the load average.

BENCH_POSTGRES_PORT ?= 55434
BENCH_RELEASE_BIN := $(ROOT)/app/.build/release/orders-service
BENCH_DEBUG_BIN := $(ROOT)/app/.build/debug/orders-service
# Extra options for bench/run.py, e.g. BENCH_ARGS="--runs 5 --duration 15".
BENCH_ARGS ?=

.PHONY: bench bench-release-build bench-smoke

bench-release-build:
	@$(ROOT)/scripts/polite-swift-build.sh -c release --product orders-service

bench: bench-release-build venv ## Benchmark the release build; rewrite docs/benchmarks.md and .png
	@SANDBOX_POSTGRES_PORT=$(BENCH_POSTGRES_PORT) $(PY) $(ROOT)/bench/run.py --binary $(BENCH_RELEASE_BIN) $(BENCH_ARGS)

bench-smoke: build venv ## Benchmark judgement tests, then a short run on the debug build: every figure, 0 errors
	@echo "==> pytest tests/bench"
	@$(PY) -m pytest -q $(ROOT)/tests/bench
	@echo "==> bench/run.py --smoke (debug build)"
	@SANDBOX_POSTGRES_PORT=$(BENCH_POSTGRES_PORT) $(PY) $(ROOT)/bench/run.py --smoke --binary $(BENCH_DEBUG_BIN)
