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


def _workload_rows(results: dict) -> list[str]:
    rows = []
    for w in results["workloads"]:
        log = "on (JSON to /dev/null)" if w["access_log"] else "off"
        rows.append(f"| {w['name']} | {w['store']} | {log} | {w['rps']:,.0f} | {w['ratio_nginx']:.2f} | "
                    f"{w['p50_ms']:.2f} | {w['p99_ms']:.2f} | {w['errors']} |")
    c = results["ceiling"]
    rows.append(f"| nginx, fixed {c['body_bytes']}-byte body (the ceiling) | - | off | {c['rps']:,.0f} | 1.00 | "
                f"{c['p50_ms']:.2f} | {c['p99_ms']:.2f} | {c['errors']} |")
    labels = {"transaction": "pgbench: `BEGIN; INSERT ...; COMMIT`",
              "statement": "pgbench: the `INSERT` alone (autocommit, as the service sends it)"}
    for key, p in results.get("pgbench", {}).items():
        rows.append(f"| {labels[key]} | postgres | - | {p['rps']:,.0f} tx/s | - | {p['p50_ms']:.2f} | "
                    f"{p['p99_ms']:.2f} | {p['errors']} |")
    return rows


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
        "| Workload | Store | Access log | Throughput | Ratio to nginx | p50 ms | p99 ms | Errors |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
        *_workload_rows(results),
        "",
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


def write_chart(path: Path, results: dict) -> None:
    """Two panels: each HTTP workload as a ratio to nginx, and inserts as a ratio to pgbench."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import targets

    workloads = results["workloads"]
    labels = [f"{w['name']} · {w['store']}" + (" · access log" if w["access_log"] else "") for w in workloads]
    ratios = [w["ratio_nginx"] for w in workloads]
    colours = ["#c97b2a" if w["access_log"] else "#2a6fc9" for w in workloads]

    figure, (http_axis, insert_axis) = plt.subplots(
        2, 1, figsize=(9, 7.5), gridspec_kw={"height_ratios": [len(workloads), 2.2]})
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

    pgbench = results.get("pgbench", {})
    insert = next((w for w in workloads if w["id"] == "create" and w["store"] == "postgres"
                   and not w["access_log"]), None)
    if insert and pgbench:
        names = ["vs pgbench BEGIN; INSERT; COMMIT", "vs pgbench INSERT alone"]
        values = [insert["rps"] / pgbench[key]["rps"] for key in ("transaction", "statement") if key in pgbench]
        insert_axis.barh(range(len(values)), values, color="#2a6fc9")
        insert_axis.set_yticks(list(range(len(values))), names[:len(values)], fontsize=8)
        insert_axis.invert_yaxis()
        insert_axis.axvline(targets.INSERT_RATIO, color="green", linestyle="--", linewidth=1,
                            label=f"target ({targets.INSERT_RATIO} of the transaction script)")
        insert_axis.axvline(1.0, color="black", linewidth=1)
        for position, value in enumerate(values):
            insert_axis.text(value + 0.01, position, f"{value:.2f}", va="center", fontsize=8)
        insert_axis.set_xlim(0, max(1.1, max(values) + 0.15))
        insert_axis.set_xlabel("POST /orders on PostgreSQL, requests/s as a ratio to pgbench's transactions/s")
        insert_axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
