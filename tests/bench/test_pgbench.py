"""What the harness makes pgbench run and how it reads pgbench's log: the point read is the service's
statement with its two parameters, and latencies come from the ends of each client's transactions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from benchlib import pgbench  # noqa: E402

IDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(120)]


def test_the_point_read_is_one_prepared_script_per_id_with_the_id_and_customer_as_parameters(tmp_path):
    job = pgbench.point_read_job(IDS, "bench-customer", tmp_path)
    assert job.mode == "prepared"
    assert len(job.scripts) == 100
    assert job.variables["customer"] == "bench-customer"
    assert job.variables["order_id_7"] == IDS[7]
    sql = job.scripts[7].read_text()
    assert "FROM orders WHERE id = :order_id_7 AND customer_id = :customer;" in sql
    assert "items::text" in sql
    options = job.options()
    assert options[:2] == ["-M", "prepared"]
    assert options.count("-f") == 100 and f"{job.scripts[0]}@1" in options
    assert f"order_id_99={IDS[99]}" in options


def test_the_point_read_takes_only_ids_the_service_wrote(tmp_path):
    with pytest.raises(ValueError):
        pgbench.point_read_job(["1; DROP TABLE orders"], "bench-customer", tmp_path)


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
