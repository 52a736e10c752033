"""What the harness makes pgbench run and how it reads pgbench's log: latencies come from the ends of
each client's transactions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from benchlib import pgbench  # noqa: E402

def test_the_inserts_keep_the_extended_protocol():
    job = pgbench.insert_job("pgbench_insert_transaction.sql")
    assert job.options()[:2] == ["-M", "extended"] and job.scripts[0].is_file()


def test_a_query_mode_pgbench_does_not_know_is_refused():
    with pytest.raises(ValueError):
        pgbench.PgbenchJob(name="x", scripts=[Path("x.sql")], mode="pipelined")


def test_latencies_are_the_gaps_between_a_clients_transaction_ends():
    # client, transaction, latency as pgbench logs it (0 for short ones), script, seconds, microseconds
    log = [
        "0 1 900 3 100 000100",
        "1 1 950 4 100 000150",
        "0 2 0 1 100 000400",
        "1 2 0 2 100 000900",
        "0 3 failed 1 100 001000",
        "0 4 0 5 101 000000",
    ]
    assert pgbench.transaction_latencies_us(log) == [300, 750, 999000]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 1001))
    assert pgbench.percentile(values, 50) == 500
    assert pgbench.percentile(values, 99) == 990
    assert pgbench.percentile(values, 99.9) == 999
