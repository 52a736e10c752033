"""Where a process's threads spend a load run: on a CPU, or runnable and waiting for one.

Linux keeps both per thread: /proc/PID/task/TID/schedstat holds the nanoseconds the thread ran and the
nanoseconds it sat on a run queue, ready but not running; /proc/PID/task/TID/status counts its
voluntary switches (it blocked: on a lock, a condition, epoll) and involuntary ones (the scheduler took
the CPU away). Two snapshots around a run, divided by the requests served, say which threads carry a
request and how long a ready thread waits for its turn: the part of latency that is not the work itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ThreadTimes:
    """One thread's counters at one moment."""

    name: str
    ran_ns: int
    waited_ns: int
    voluntary: int
    involuntary: int


def snapshot(pid: int) -> dict[int, ThreadTimes]:
    """Every live thread of `pid` by thread id. A thread that ends mid-read is left out."""
    threads: dict[int, ThreadTimes] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, waited, _ = (int(value) for value in (task / "schedstat").read_text().split())
            status = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
            threads[int(task.name)] = ThreadTimes(
                name=(task / "comm").read_text().strip(), ran_ns=ran, waited_ns=waited,
                voluntary=int(status["voluntary_ctxt_switches"]),
                involuntary=int(status["nonvoluntary_ctxt_switches"]),
            )  # fmt: skip
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return threads


@dataclass
class _ThreadTotals:
    """What the threads of one name did between two snapshots, summed."""

    count: int = 0
    ran_us: float = 0.0
    waited_us: float = 0.0
    voluntary: int = 0
    involuntary: int = 0


def report(before: dict[int, ThreadTimes], after: dict[int, ThreadTimes], requests: int) -> str:
    """Per thread name (threads of one name summed): CPU, run-queue wait and switches per request."""
    totals: dict[str, _ThreadTotals] = {}
    for tid, end in after.items():
        start = before.get(tid, ThreadTimes(end.name, 0, 0, 0, 0))
        row = totals.setdefault(end.name, _ThreadTotals())
        row.count += 1
        row.ran_us += (end.ran_ns - start.ran_ns) / 1000
        row.waited_us += (end.waited_ns - start.waited_ns) / 1000
        row.voluntary += end.voluntary - start.voluntary
        row.involuntary += end.involuntary - start.involuntary
    lines = [f"{'thread':<18} {'count':>5} {'CPU us/req':>11} {'run-queue wait us/req':>22} "
             f"{'blocked/req':>12} {'preempted/req':>14}"]
    for name, row in sorted(totals.items(), key=lambda item: -item[1].ran_us):
        if row.ran_us == 0 and row.voluntary == 0:
            continue
        lines.append(f"{name:<18} {row.count:>5} {row.ran_us / requests:>11.1f} {row.waited_us / requests:>22.1f} "
                     f"{row.voluntary / requests:>12.2f} {row.involuntary / requests:>14.2f}")
    return "\n".join(lines)
