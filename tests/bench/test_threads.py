"""How the per-thread report reads Linux's counters: a live thread of this process, and the arithmetic
over two snapshots (threads of one name summed, threads that started mid-run counted from zero)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from benchlib.threads import ThreadTimes, report, snapshot  # noqa: E402


def test_a_snapshot_reads_every_thread_with_its_name_and_counters():
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        threads = snapshot(os.getpid())
    finally:
        stop.set()
        worker.join()
    assert {os.getpid(), worker.native_id} <= set(threads)
    main = threads[os.getpid()]
    assert main.name == Path("/proc/self/comm").read_text().strip()
    assert main.ran_ns > 0 and main.voluntary >= 0 and main.involuntary >= 0


def test_the_report_divides_each_names_growth_by_the_requests():
    before = {1: ThreadTimes("loop", 1_000_000, 0, 10, 0), 2: ThreadTimes("loop", 0, 0, 0, 0)}
    after = {
        1: ThreadTimes("loop", 3_000_000, 1_000_000, 30, 2),
        2: ThreadTimes("loop", 1_000_000, 1_000_000, 10, 0),
        3: ThreadTimes("worker", 4_000_000, 2_000_000, 0, 10),  # started during the run
        4: ThreadTimes("idle", 0, 0, 0, 0),
    }
    lines = report(before, after, requests=100).splitlines()
    assert lines[0].split()[:2] == ["thread", "count"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["worker"] == ["1", "40.0", "20.0", "0.00", "0.10"]
    assert rows["loop"] == ["2", "30.0", "20.0", "0.30", "0.02"]
    assert "idle" not in rows
    assert list(rows) == ["worker", "loop"], "busiest thread first"
