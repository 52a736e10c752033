"""docs/benchmarks.md's results section and docs/benchmarks.png, from one run's results.

Only the part of the document between the two markers is rewritten; the method, the profiles and the
reasoning around it are prose kept by hand.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path

from . import targets

BEGIN = "<!-- BEGIN RESULTS: written by `make bench` (bench/benchlib/report.py); do not edit by hand -->"
END = "<!-- END RESULTS -->"


def _first_line(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "not installed"
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def machine_facts(postgres_version: str) -> dict:
    """What the figures were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return {
        "cpu": model.group(1) if model else platform.processor(),
        "cpus": os.cpu_count(),
        "memory_gib": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "kernel": platform.release(),
        "swift": _first_line(["swift", "--version"]),
        "nginx": _first_line(["nginx", "-v"]),
        "wrk": _first_line(["wrk", "-v"]),
        "postgres": postgres_version,
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


TRACING_LABELS = {"off": "off", "default": "default sampler (5 % of new traces)", "full": "100 %"}


def _workload_rows(results: dict) -> list[str]:
    rows = []
    for w in targets.untraced(results):
        log = "on (JSON to /dev/null)" if w["access_log"] else "off"
        rows.append(f"| {w['name']} | {w['store']} | {log} | {w['rps']:,.0f} | {w['ratio_nginx']:.2f} | "
                    f"{_latencies(w)} | {w['errors']} |")
    c = results["ceiling"]
    rows.append(f"| nginx, fixed {c['body_bytes']}-byte body (the ceiling) | - | off | {c['rps']:,.0f} | 1.00 | "
                f"{_latencies(c)} | {c['errors']} |")
    labels = {"select": "pgbench: the `SELECT` of `GET /orders/{{id}}`, prepared ({scripts} orders)",
              "transaction": "pgbench: `BEGIN; INSERT ...; COMMIT`",
              "statement": "pgbench: the `INSERT` alone (autocommit, as the service sends it)"}
    for key, p in results.get("pgbench", {}).items():
        label = labels[key].format(scripts=p.get("scripts", "?"))
        rows.append(f"| {label} | postgres | - | {p['rps']:,.0f} tx/s | - | {_latencies(p)} | {p['errors']} |")
    return rows


def _tracing_rows(results: dict) -> list[str]:
    """Each traced workload beside the same workload untraced (SQLite, access log off) in the same run."""
    rows = []
    traced = [w for w in results["workloads"] if w.get("tracing", "off") != "off"]
    for workload_id in dict.fromkeys(w["id"] for w in traced):
        off = next((w for w in targets.untraced(results)
                    if w["id"] == workload_id and w["store"] == "sqlite" and not w["access_log"]), None)
        for w in ([off] if off else []) + [w for w in traced if w["id"] == workload_id]:
            mode = w.get("tracing", "off")
            exported = results.get("tracing", {}).get(mode)
            spans = (f"{exported['spans_received']:,} received, "
                     f"{sum(exported['spans_dropped'].values()):,} dropped" if exported else "-")
            ratio = f"{w['rps'] / off['rps']:.2f}" if off else "-"
            rows.append(f"| {w['name']} | {TRACING_LABELS[mode]} | {w['rps']:,.0f} | {ratio} | {_latencies(w)} | "
                        f"{w['errors']} | {spans} |")
    return rows


def _latencies(figures: dict) -> str:
    """The p50, p99 and p99.9 cells of a row; a run written before p99.9 was measured shows a dash."""
    p999 = figures.get("p999_ms")
    return (f"{figures['p50_ms']:.2f} | {figures['p99_ms']:.2f} | "
            + (f"{p999:.2f}" if isinstance(p999, (int, float)) else "-"))


def results_section(results: dict, chart_name: str) -> str:
    s = results["settings"]
    m = results["machine"]
    lines = [
        BEGIN,
        "",
        f"Measured {results['date']} at commit `{results['commit']}` with the {results['build']} build; "
        f"load average (1, 5, 15 min) {results['load_before']} before the run and "
        f"{results['load_after']} after it.",
        "",
        f"wrk: 1 thread, {s['connections']} connections, {s['warmup_seconds']} s warm-up, then "
        f"{s['runs']} timed runs of {s['run_seconds']} s per workload; the table shows the medians. "
        f"The nginx ceiling is the median of {len(results['ceiling']['runs'])} runs, half at the start of "
        f"the run and half at the end ({results['ceiling']['first_rps']:,.0f} and "
        f"{results['ceiling']['last_rps']:,.0f} req/s).",
        "",
        "| Workload | Store | Access log | Throughput | Ratio to nginx | p50 ms | p99 ms | p99.9 ms | Errors |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *_workload_rows(results),
        "",
        *([
            "### What tracing costs",
            "",
            "The same workloads on SQLite (access log off) with tracing off, at the default sampler and with "
            "every trace sampled, exporting OTLP/HTTP to a receiver on loopback that decodes every batch. The "
            "spans columns count the whole process (each workload's warm-up and runs); a span dropped is one "
            "the exporter's bounded queue refused rather than hold a request.",
            "",
            "| Workload | Tracing | Throughput | Ratio to off | p50 ms | p99 ms | p99.9 ms | Errors | Spans |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            *_tracing_rows(results),
            "",
        ] if results.get("tracing") else []),
        "### Targets",
        "",
        "| Target | Measured | Met |",
        "| --- | --- | --- |",
        *[f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |" for t in results["targets"]],
        "",
        "### Process",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        *[f"| Start-up, exec to first 200 on `/health` ({store}, {st['repetitions']} starts) | median "
          f"{st['median_ms']:.1f} ms (min {st['min_ms']:.1f}, max {st['max_ms']:.1f}) |"
          for store, st in results["startup"].items()],
        *[f"| Peak resident memory (VmHWM) after every workload of the {process} process | {mib:.1f} MiB |"
          for process, mib in results["peak_rss_mib"].items()],
        "",
        "### Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cpus']} CPUs; {m['memory_gib']} GiB memory; Linux {m['kernel']}",
        f"- Pinning: the service and nginx on CPU {s['service_cpus']}, wrk and pgbench on CPU "
        f"{s['load_cpus']}; PostgreSQL not pinned",
        f"- {m['swift']}",
        f"- {m['nginx']}; {m['wrk']}; {m['postgres']}",
        "",
        f"![Throughput as a ratio to nginx in the same run]({chart_name})",
        "",
        END,
    ]
    return "\n".join(lines)


def write_document(path: Path, results: dict, chart_name: str) -> None:
    """Replaces the results section of `path` (which must hold both markers)."""
    text = path.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise RuntimeError(f"{path} lacks the results markers; restore them from git")
    path.write_text(text[:start] + results_section(results, chart_name) + text[end + len(END):])


def database_ratios(results: dict) -> list[tuple[str, float, float | None]]:
    """The PostgreSQL store's workloads against pgbench: (label, ratio, target or None)."""
    pgbench = results.get("pgbench", {})

    def postgres(workload_id: str) -> dict | None:
        return next((w for w in results["workloads"] if w["id"] == workload_id and w["store"] == "postgres"
                     and not w["access_log"]), None)

    read, insert = postgres("order"), postgres("create")
    bars = []
    if read and "select" in pgbench:
        bars.append(("GET /orders/{id} vs pgbench SELECT (prepared)", read["rps"] / pgbench["select"]["rps"],
                     targets.POSTGRES_READ_RATIO))
    if insert and "transaction" in pgbench:
        bars.append(("POST /orders vs pgbench BEGIN; INSERT; COMMIT", insert["rps"] / pgbench["transaction"]["rps"],
                     targets.INSERT_RATIO))
    if insert and "statement" in pgbench:
        bars.append(("POST /orders vs pgbench INSERT alone", insert["rps"] / pgbench["statement"]["rps"], None))
    return bars


def write_chart(path: Path, results: dict) -> None:
    """Two panels: each HTTP workload as a ratio to nginx, and the PostgreSQL store's point read and insert
    as ratios to pgbench running the same statements."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = targets.untraced(results)
    labels = [f"{w['name']} · {w['store']}" + (" · access log" if w["access_log"] else "") for w in workloads]
    ratios = [w["ratio_nginx"] for w in workloads]
    colours = ["#c97b2a" if w["access_log"] else "#2a6fc9" for w in workloads]

    figure, (http_axis, database_axis) = plt.subplots(
        2, 1, figsize=(9, 7.5), gridspec_kw={"height_ratios": [len(workloads), 3.2]})
    positions = range(len(workloads))
    http_axis.barh(positions, ratios, color=colours)
    http_axis.set_yticks(list(positions), labels, fontsize=8)
    http_axis.invert_yaxis()
    http_axis.axvline(1.0, color="black", linewidth=1)
    http_axis.axvline(targets.HEALTH_RATIO, color="green", linestyle="--", linewidth=1,
                      label=f"target for /health ({targets.HEALTH_RATIO})")
    http_axis.axvline(targets.ORDER_READ_RATIO, color="purple", linestyle=":", linewidth=1,
                      label=f"target for /orders/{{id}} on SQLite ({targets.ORDER_READ_RATIO})")
    for position, ratio in zip(positions, ratios):
        http_axis.text(ratio + 0.01, position, f"{ratio:.2f}", va="center", fontsize=8)
    http_axis.set_xlim(0, 1.1)
    http_axis.set_xlabel(f"requests/s as a ratio to nginx ({results['ceiling']['rps']:,.0f} req/s in this run)")
    http_axis.legend(fontsize=8, loc="lower right")
    http_axis.set_title(f"orders-service, one pinned CPU, wrk 32 connections ({results['date']})", fontsize=10)

    bars = database_ratios(results)
    if bars:
        names, values, bounds = zip(*bars)
        database_axis.barh(range(len(values)), values, color="#2a6fc9")
        database_axis.set_yticks(list(range(len(values))), names, fontsize=8)
        database_axis.invert_yaxis()
        for position, (value, bound) in enumerate(zip(values, bounds)):
            database_axis.text(value + 0.01, position, f"{value:.2f}", va="center", fontsize=8)
            if bound is not None:
                database_axis.plot([bound, bound], [position - 0.4, position + 0.4], color="green", linestyle="--",
                                 linewidth=1, label="target" if position == 0 else None)
        database_axis.axvline(1.0, color="black", linewidth=1)
        database_axis.set_xlim(0, max(1.1, max(values) + 0.15))
        database_axis.set_xlabel("PostgreSQL store, requests/s as a ratio to pgbench's transactions/s")
        database_axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
