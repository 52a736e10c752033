"""The benchmark's judgement: a run that misses a target is reported as missing it, and the smoke test
fails on an error or a figure that was not produced."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from benchlib import targets  # noqa: E402


def workload(workload_id, name, method, store, rps, p99=2.0, access_log=False, errors=0):
    return {"id": workload_id, "name": name, "method": method, "store": store, "access_log": access_log,
            "rps": rps, "p50_ms": 1.0, "p99_ms": p99, "p999_ms": p99 * 1.5, "errors": errors,
            "ratio_nginx": rps / 20000}


def pgbench_run(name, rps, p99):
    return {"name": name, "store": "postgres", "rps": rps, "p50_ms": p99 / 3, "p99_ms": p99, "p999_ms": p99 * 1.5,
            "errors": 0}


@pytest.fixture
def passing_run() -> dict:
    """A run that meets every target, shaped as bench/run.py writes it."""
    return {
        "settings": {"connections": 32},
        "workloads": [
            workload("health", "GET /health", "GET", "sqlite", 11200),
            workload("order", "GET /orders/{id}", "GET", "sqlite", 6000),
            workload("list", "GET /orders (page of 20)", "GET", "sqlite", 3000),
            workload("create", "POST /orders", "POST", "sqlite", 2000),
            workload("order", "GET /orders/{id}", "GET", "postgres", 6000),
            workload("list", "GET /orders (page of 20)", "GET", "postgres", 2000),
            workload("create", "POST /orders", "POST", "postgres", 1500, p99=30.0),
        ],
        "ceiling": {"name": "nginx", "rps": 20000, "p50_ms": 1.0, "p99_ms": 2.0, "p999_ms": 3.0, "errors": 0},
        "pgbench": {
            "select": pgbench_run("pgbench r", 12000, p99=4),
            "transaction": pgbench_run("pgbench t", 2500, p99=30),
            "statement": pgbench_run("pgbench s", 3000, p99=25),
        },
        "startup": {"sqlite": {"median_ms": 40.0}, "postgres": {"median_ms": 60.0}},
        "peak_rss_mib": {"sqlite": 60.0, "sqlite (access log on)": 60.0, "postgres": 47.5},
    }


def unmet(run: dict) -> list[str]:
    return [t["target"] for t in targets.evaluate(run) if not t["met"]]


def test_a_run_within_every_target_meets_them_all(passing_run):
    assert unmet(passing_run) == []
    assert len(targets.evaluate(passing_run)) == 11


@pytest.mark.parametrize("change, missed", [
    (lambda r: r["workloads"][0].update(ratio_nginx=0.55), "GET /health >= 0.56 of nginx"),
    (lambda r: r["workloads"][1].update(ratio_nginx=0.29), "GET /orders/{id} on SQLite >= 0.30 of nginx"),
    (lambda r: r["pgbench"]["select"].update(rps=12001), "GET /orders/{id} on PostgreSQL >= 0.50 of pgbench"),
    (lambda r: r["workloads"][4].update(rps=5999), "GET /orders/{id} on PostgreSQL >= 0.50 of pgbench"),
    (lambda r: r["workloads"][5].update(p99_ms=5.01), "p99 <= 5 ms on every GET at 32 connections (access log off)"),
    (lambda r: r["workloads"][6].update(rps=1249), "POST /orders on PostgreSQL >= 0.50 of pgbench"),
    (lambda r: r["pgbench"]["statement"].update(errors=1), "0 errors everywhere"),
    (lambda r: r["startup"]["postgres"].update(median_ms=100.5), "start-up to first 200 on /health <= 100 ms (postgres)"),
    (lambda r: r["peak_rss_mib"].update(sqlite=64.5), "peak resident memory under load <= 64 MiB (sqlite)"),
    (lambda r: r["peak_rss_mib"].update(postgres=48.5), "peak resident memory under load <= 48 MiB (postgres)"),
])
def test_each_target_is_reported_missed_when_the_figure_is_past_it(passing_run, change, missed):
    run = copy.deepcopy(passing_run)
    change(run)
    assert len(unmet(run)) == 1 and unmet(run)[0].startswith(missed)


def test_the_sqlite_process_keeps_the_64_mib_bound(passing_run):
    run = copy.deepcopy(passing_run)
    run["peak_rss_mib"].update({"sqlite": 63.9, "sqlite (access log on)": 63.9})
    assert unmet(run) == []


def test_a_post_p99_is_not_held_to_the_get_bound(passing_run):
    run = copy.deepcopy(passing_run)
    run["workloads"][6]["p99_ms"] = 80.0
    assert unmet(run) == []


def test_the_smoke_check_accepts_a_complete_run(passing_run):
    assert targets.missing_figures(passing_run, expected_workloads=7) == []


@pytest.mark.parametrize("change, problem", [
    (lambda r: r["workloads"][2].update(errors=3), "3 errors"),
    (lambda r: r["workloads"][3].update(p99_ms=0), "p99_ms missing"),
    (lambda r: r["workloads"].pop(), "6 workloads measured, 7 expected"),
    (lambda r: r["ceiling"].pop("rps"), "rps missing"),
    (lambda r: r["pgbench"].pop("statement"), "pgbench statement: did not run"),
    (lambda r: r["pgbench"].pop("select"), "pgbench select: did not run"),
    (lambda r: r["workloads"][1].pop("p999_ms"), "GET /orders/{id} (sqlite): p999_ms missing"),
    (lambda r: r["ceiling"].update(p999_ms=0), "nginx (-): p999_ms missing"),
    (lambda r: r["pgbench"]["select"].pop("p999_ms"), "pgbench r (postgres): p999_ms missing"),
    (lambda r: r["startup"].pop("sqlite"), "start-up time on sqlite missing"),
    (lambda r: r["peak_rss_mib"].pop("postgres"), "memory of the postgres process missing"),
])
def test_the_smoke_check_fails_on_an_error_or_a_missing_figure(passing_run, change, problem):
    run = copy.deepcopy(passing_run)
    change(run)
    problems = targets.missing_figures(run, expected_workloads=7)
    assert any(problem in p for p in problems), problems


def test_traced_runs_are_kept_out_of_the_targets_and_must_have_exported():
    """A traced run is slower by design; the targets judge the untraced rows, and a traced process whose
    spans never reached the receiver is a missing figure."""
    results = {"workloads": [workload("order", "GET /orders/{id}", "GET", "sqlite", 100.0, p99=1.0),
                             {**workload("order", "GET /orders/{id}", "GET", "sqlite", 50.0, p99=90.0),
                              "tracing": "full"}],
               "tracing": {"full": {"spans_received": 0, "spans_dropped": {"queue_full": 0, "export_failed": 0}}}}
    assert [w["rps"] for w in targets.untraced(results)] == [100.0]
    assert targets._workload(results, "order", "sqlite")["rps"] == 100.0
    base = {"ceiling": {"rps": 1.0, "p50_ms": 1, "p99_ms": 1, "p999_ms": 1, "errors": 0}, "pgbench": {},
            "startup": {}, "peak_rss_mib": {}}
    problems = targets.missing_figures({**base, **results}, expected_workloads=2)
    assert "tracing full: no span reached the OTLP receiver" in problems
    results["tracing"]["full"]["spans_received"] = 3
    assert "tracing full: no span reached the OTLP receiver" not in targets.missing_figures({**base, **results}, 2)
