"""The results section and chart `make bench` writes: every row with its three latencies, the new
pgbench point read among them. The smoke run writes no document, so this is where its rendering is tried."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from benchlib import report, targets  # noqa: E402


def figures(rps, p99=2.0):
    return {"rps": rps, "p50_ms": 1.0, "p99_ms": p99, "p999_ms": p99 * 2, "errors": 0, "runs": [{}] * 3}


def complete_run() -> dict:
    workloads = [
        {"id": w, "name": n, "method": m, "store": s, "access_log": False, "ratio_nginx": rps / 20000,
         **figures(rps)}
        for w, n, m, s, rps in [("health", "GET /health", "GET", "sqlite", 11000),
                                ("order", "GET /orders/{id}", "GET", "postgres", 5000),
                                ("create", "POST /orders", "POST", "postgres", 1500)]]
    run = {
        "date": "2026-01-01 00:00 UTC", "commit": "abc", "build": "release", "load_before": "0 0 0",
        "load_after": "0 0 0",
        "settings": {"connections": 32, "warmup_seconds": 3, "run_seconds": 10, "runs": 3,
                     "service_cpus": [0], "load_cpus": [1]},
        "machine": {"cpu": "cpu", "cpus": 2, "memory_gib": 1, "kernel": "k", "swift": "s", "nginx": "n",
                    "wrk": "w", "postgres": "p"},
        "workloads": workloads,
        "ceiling": {"name": "nginx", "store": "-", "body_bytes": 338, "first_rps": 1, "last_rps": 1,
                    **figures(20000)},
        "pgbench": {"select": {"name": "r", "store": "postgres", "mode": "prepared", "scripts": 100,
                               **figures(9000)},
                    "transaction": {"name": "t", "store": "postgres", **figures(2500)},
                    "statement": {"name": "s", "store": "postgres", **figures(3000)}},
        "startup": {"sqlite": {"median_ms": 30, "min_ms": 20, "max_ms": 40, "repetitions": 30}},
        "peak_rss_mib": {"sqlite": 40.0, "postgres": 47.0},
    }
    run["targets"] = targets.evaluate(run)
    return run


def test_every_row_shows_p50_p99_and_p999():
    section = report.results_section(complete_run(), "chart.png")
    assert "| p50 ms | p99 ms | p99.9 ms | Errors |" in section
    assert "| GET /orders/{id} | postgres | off | 5,000 | 0.25 | 1.00 | 2.00 | 4.00 | 0 |" in section
    assert ("| pgbench: the `SELECT` of `GET /orders/{id}`, prepared (100 orders) | postgres | - | 9,000 tx/s | - "
            "| 1.00 | 2.00 | 4.00 | 0 |") in section
    assert "| GET /orders/{id} on PostgreSQL >= 0.50 of pgbench (same SELECT, prepared) | 0.56 | yes |" in section


def test_the_chart_draws_the_point_read_and_the_insert_against_pgbench(tmp_path):
    run = complete_run()
    assert [label for label, _, _ in report.database_ratios(run)] == [
        "GET /orders/{id} vs pgbench SELECT (prepared)", "POST /orders vs pgbench BEGIN; INSERT; COMMIT",
        "POST /orders vs pgbench INSERT alone"]
    report.write_chart(tmp_path / "chart.png", run)
    assert (tmp_path / "chart.png").stat().st_size > 0


def test_traced_rows_sit_beside_the_untraced_one_and_stay_out_of_the_main_table():
    run = complete_run()
    base = {"id": "order", "name": "GET /orders/{id}", "method": "GET", "store": "sqlite", "access_log": False,
            "ratio_nginx": 0.2}
    run["workloads"] += [{**base, "tracing": "off", **figures(4000)},
                         {**base, "tracing": "default", **figures(3600, p99=3.0)},
                         {**base, "tracing": "full", **figures(2000, p99=9.0)}]
    run["tracing"] = {"default": {"spans_received": 900, "spans_dropped": {"queue_full": 0, "export_failed": 0}},
                      "full": {"spans_received": 50000, "spans_dropped": {"queue_full": 700, "export_failed": 12}}}
    section = report.results_section(run, "chart.png")
    main_table = section.split("### What tracing costs")[0]
    assert "2,000" not in main_table and "3,600" not in main_table
    assert "| GET /orders/{id} | off | 4,000 | 1.00 | 1.00 | 2.00 | 4.00 | 0 | - |" in section
    assert ("| GET /orders/{id} | default sampler (5 % of new traces) | 3,600 | 0.90 | 1.00 | 3.00 | 6.00 | 0 | "
            "900 received, 0 dropped |") in section
    assert "| GET /orders/{id} | 100 % | 2,000 | 0.50 | 1.00 | 9.00 | 18.00 | 0 | 50,000 received, 712 dropped |" in section
