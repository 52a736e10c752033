"""The service's speed targets, checked against one run's figures.

Throughput targets are ratios to a ceiling measured in the same run (nginx, or pgbench running the
service's own statement), because absolute figures on a shared machine move from run to run while
ratios hold much better.
"""

from __future__ import annotations

HEALTH_RATIO = 0.56
ORDER_READ_RATIO = 0.30
POSTGRES_READ_RATIO = 0.5
GET_P99_MS = 5.0
INSERT_RATIO = 0.5
STARTUP_MS = 100.0
# Peak resident memory per store: the PostgreSQL process's pool costs memory of its own (see
# docs/benchmarks.md), and its bound is the tighter one.
PEAK_RSS_MIB = {"sqlite": 64.0, "postgres": 48.0}
# What pgbench must have run (bench/run.py's keys): the point read and the two inserts.
PGBENCH_WORKLOADS = ("select", "transaction", "statement")
LATENCY_FIGURES = ("p50_ms", "p99_ms", "p999_ms")


def untraced(results: dict) -> list[dict]:
    """The workloads run with tracing off: the ones the targets are about (the traced runs are compared
    with these in their own section of the report)."""
    return [w for w in results["workloads"] if w.get("tracing", "off") == "off"]


def _workload(results: dict, workload_id: str, store: str, access_log: bool = False) -> dict | None:
    return next((w for w in untraced(results)
                 if w["id"] == workload_id and w["store"] == store and w["access_log"] == access_log), None)


def evaluate(results: dict) -> list[dict]:
    """Each target with what was measured and whether it is met."""
    targets = []

    def add(name: str, measured: str, met: bool) -> None:
        targets.append({"target": name, "measured": measured, "met": bool(met)})

    def add_pgbench_ratio(workload_id: str, reference: str, bound: float, name: str, same: str) -> None:
        """A PostgreSQL workload's rate against pgbench running the same statement in this run."""
        service = _workload(results, workload_id, "postgres")
        pgbench = results.get("pgbench", {}).get(reference)
        if service and pgbench:
            ratio = service["rps"] / pgbench["rps"]
            add(f"{name} on PostgreSQL >= {bound:.2f} of pgbench ({same})", f"{ratio:.2f}", ratio >= bound)

    health = _workload(results, "health", "sqlite")
    if health:
        add(f"GET /health >= {HEALTH_RATIO:.2f} of nginx", f"{health['ratio_nginx']:.2f}",
            health["ratio_nginx"] >= HEALTH_RATIO)
    order = _workload(results, "order", "sqlite")
    if order:
        add(f"GET /orders/{{id}} on SQLite >= {ORDER_READ_RATIO:.2f} of nginx", f"{order['ratio_nginx']:.2f}",
            order["ratio_nginx"] >= ORDER_READ_RATIO)
    add_pgbench_ratio("order", "select", POSTGRES_READ_RATIO, "GET /orders/{id}", "same SELECT, prepared")
    gets = [w for w in untraced(results) if w["method"] == "GET"]
    for access_log in (False, True):
        subset = [w for w in gets if w["access_log"] == access_log]
        if subset:
            worst = max(subset, key=lambda w: w["p99_ms"])
            label = "access log on" if access_log else "access log off"
            add(f"p99 <= {GET_P99_MS:g} ms on every GET at {results['settings']['connections']} connections "
                f"({label})",
                f"worst {worst['p99_ms']:.2f} ms ({worst['name']}, {worst['store']})",
                worst["p99_ms"] <= GET_P99_MS)
    add_pgbench_ratio("create", "transaction", INSERT_RATIO, "POST /orders", "same INSERT, one transaction")
    errors = sum(w["errors"] for w in results["workloads"]) + results["ceiling"]["errors"] + sum(
        p["errors"] for p in results.get("pgbench", {}).values())
    add("0 errors everywhere", f"{errors} errors", errors == 0)
    for store, figures in results["startup"].items():
        add(f"start-up to first 200 on /health <= {STARTUP_MS:g} ms ({store})",
            f"median {figures['median_ms']:.1f} ms", figures["median_ms"] <= STARTUP_MS)
    for process, mib in results["peak_rss_mib"].items():
        bound = PEAK_RSS_MIB[process.split()[0]]
        add(f"peak resident memory under load <= {bound:g} MiB ({process})", f"{mib:.1f} MiB", mib <= bound)
    return targets


def missing_figures(results: dict, expected_workloads: int) -> list[str]:
    """What a complete run must have produced; the smoke test fails on anything listed here."""
    problems = []
    if len(results["workloads"]) != expected_workloads:
        problems.append(f"{len(results['workloads'])} workloads measured, {expected_workloads} expected")
    for workload in results["workloads"] + [results["ceiling"], *results.get("pgbench", {}).values()]:
        name = f"{workload.get('name', '?')} ({workload.get('store', '-')})"
        for figure in ("rps", *LATENCY_FIGURES):
            value = workload.get(figure)
            if not isinstance(value, (int, float)) or value <= 0:
                problems.append(f"{name}: {figure} missing or not positive ({value!r})")
        if workload.get("errors") != 0:
            problems.append(f"{name}: {workload.get('errors')} errors")
        if "ratio_nginx" in workload and not workload["ratio_nginx"] > 0:
            problems.append(f"{name}: no ratio to nginx")
    for key in PGBENCH_WORKLOADS:
        if key not in results.get("pgbench", {}):
            problems.append(f"pgbench {key}: did not run")
    for store in ("sqlite", "postgres"):
        startup = results["startup"].get(store, {})
        if not startup.get("median_ms", 0) > 0:
            problems.append(f"start-up time on {store} missing")
    for process in ("sqlite", "postgres"):
        if not results["peak_rss_mib"].get(process, 0) > 0:
            problems.append(f"peak resident memory of the {process} process missing")
    traced_modes = {w["tracing"] for w in results["workloads"] if w.get("tracing", "off") != "off"}
    for mode in sorted(traced_modes):
        exported = results.get("tracing", {}).get(mode, {})
        if not exported.get("spans_received", 0) > 0:
            problems.append(f"tracing {mode}: no span reached the OTLP receiver")
    return problems
