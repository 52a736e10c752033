"""Helpers shared by the Python test suites: running the service binary, the test PostgreSQL."""
