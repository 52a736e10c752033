# Checks of the real binary as a process: its HTTP contract (OpenAPI, schemathesis on each store) and
# its behaviour as a process (signals, start-up, database outage, TLS, keys across instances).

PYTEST := $(PY) -m pytest -p no:cacheprovider

.PHONY: contract-test service-test

contract-test: venv build postgres-sandbox ## OpenAPI document valid and served; schemathesis on SQLite and PostgreSQL
	$(PYTEST) -v -s tests/contract

service-test: venv build postgres-sandbox ## The binary as a process: drain under load, outage, TLS, keys, restarts, promtool
	$(PYTEST) -v -s tests/service
