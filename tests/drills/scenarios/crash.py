"""Drill 2: SIGKILL one instance's process under load; the balancer takes it out, it comes back.

The kill comes from the host (`kill -9` of the container's main process), so the restart policy
replaces the process as ECS replaces a task, after the replacement delay (harness/instances.py).
Run twice: without retries at the balancer, which is what an ALB does (it answers 502 or 503 for
a target that died), so failures are counted and bounded by the detection window; and with
HAProxy retrying idempotent GETs on another server, which brings GET failures to 0. A POST in flight
at the moment of the kill is never retried by the balancer (it might have been stored): at most one
can fail, since the write stream has one worker. Clients retry those with an Idempotency-Key.
"""

from __future__ import annotations

import time

from harness.report import DrillReport, Event, Variant, write_chart
from harness.stage import Stage, settle

from .common import (
    LEAD_SECONDS,
    READ_RATE,
    SLACK_SECONDS,
    TAIL_SECONDS,
    WRITE_RATE,
    bound_load_covered,
    load_for,
    requests_to,
    startup_budget,
)

VICTIM = 1
SURVIVOR = 2


def run(stage: Stage) -> DrillReport:
    report = DrillReport(2, "Crash: SIGKILL of one instance's process")
    report.variants.append(_crash(stage, retry_idempotent=False))
    report.variants.append(_crash(stage, retry_idempotent=True))
    write_chart(report, stage.out / "crash.png")
    return report


def _crash(stage: Stage, *, retry_idempotent: bool) -> Variant:
    t = stage.timings
    name = "GETs retried at the balancer" if retry_idempotent else "no balancer retries (as an ALB)"
    label = "crash-retry" if retry_idempotent else "crash-no-retry"
    variant = Variant(name)
    back_within = stage.replacement_delay + startup_budget(stage) + t.time_to_healthy + t.interval
    planned = LEAD_SECONDS + t.detection_window + back_within + TAIL_SECONDS

    with stage.balancer(label, slots=2, retry_idempotent=retry_idempotent) as balancer:
        instances = stage.start_in_service(balancer, [VICTIM, SURVIVOR])
        victim = instances[VICTIM]
        restarts_before = victim.restart_count()
        pid_before = victim.main_pid()
        load = load_for(stage, balancer, planned, label).start()
        settle(LEAD_SECONDS)
        killed_at = time.time()
        victim.kill_main_process()
        variant.events.append(Event(killed_at, f"SIGKILL srv{VICTIM}"))
        down_at = balancer.wait_status(VICTIM, "DOWN", timeout=t.detection_window + SLACK_SECONDS + 2)
        if down_at:
            variant.events.append(Event(down_at, f"srv{VICTIM} DOWN"))
        up_at = balancer.wait_change(VICTIM, "UP", after=down_at or killed_at, timeout=back_within + 5)
        if up_at:
            variant.events.append(Event(up_at, f"srv{VICTIM} UP again"))
        last_action = time.time()
        result = load.wait()
        variant.record_load(result)
        victim_requests = requests_to(balancer, VICTIM)
        restarts_after = victim.restart_count()
        pid_after = victim.main_pid()

    variant.detect = (down_at - killed_at) if down_at else None
    variant.detect_meaning = "SIGKILL until the balancer marks the instance DOWN"
    variant.recover = (up_at - killed_at) if up_at else None
    variant.recover_meaning = "SIGKILL until the replacement is back in service"
    variant.bound(
        "detection", variant.detect,
        f"<= interval x unhealthy threshold + timeout {t.detection_window:.2f} s + {SLACK_SECONDS} s",
        variant.detect is not None and variant.detect <= t.detection_window + SLACK_SECONDS, unit=" s",
    )  # fmt: skip
    variant.bound(
        "replaced and back in service", variant.recover,
        f"<= detection + replacement delay + start-up budget + healthy threshold x interval + one interval "
        f"{t.detection_window + back_within:.2f} s",
        variant.recover is not None and variant.recover <= t.detection_window + back_within + SLACK_SECONDS,
        unit=" s",
    )  # fmt: skip
    variant.bound(
        "the process was replaced (restart count +1, new pid)", restarts_after - restarts_before, "1",
        restarts_after - restarts_before == 1 and pid_after != pid_before,
    )  # fmt: skip
    rejoined = [r for r in victim_requests if up_at and r.at > up_at]
    variant.bound("requests served by the replacement after it rejoined", len(rejoined), "> 0", len(rejoined) > 0)

    window_end = killed_at + t.detection_window + SLACK_SECONDS
    outside = [r for r in result.failed if not killed_at - SLACK_SECONDS <= r.at <= window_end]
    variant.bound(
        "failures outside the detection window after the kill", len(outside) + result.unanswered, "0",
        not outside and result.unanswered == 0,
    )  # fmt: skip
    failed_reads = [r for r in result.failed if r.stream == "reads"]
    failed_writes = [r for r in result.failed if r.stream == "writes"]
    if retry_idempotent:
        variant.bound("failed GETs", len(failed_reads), "0", not failed_reads)
        variant.bound("failed POSTs (in flight at the kill, not retried)", len(failed_writes), "<= 1", len(failed_writes) <= 1)
    else:
        # Round robin over two servers: the victim's share of the traffic until it is marked down.
        limit = (READ_RATE + WRITE_RATE) / 2 * (t.detection_window + SLACK_SECONDS)
        variant.bound(
            "failed requests", variant.failed,
            f"<= half the request rate x (detection window + {SLACK_SECONDS} s) = {limit:.0f}",
            variant.failed <= limit,
        )  # fmt: skip
    bound_load_covered(variant, result.finished_at, last_action)
    variant.notes.append(
        f"responses by status: {dict(sorted(result.statuses().items()))}; no response: {result.unanswered}; "
        f"failed GETs {len(failed_reads)}, failed POSTs {len(failed_writes)}"
    )
    for instance in list(stage.instances):
        stage.retire(instance)
    return variant
