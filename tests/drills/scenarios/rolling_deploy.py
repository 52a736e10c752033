"""Drill 1: a rolling deploy under load, twice, with 0 failed requests both times.

1. As ECS deploys (minimum healthy 100%): start the new instance, register it, wait until the
   balancer finds it healthy; then put the old one in drain state (deregistration), wait the
   deregistration delay, send SIGTERM; next instance. ECS with maximum 200% starts both new tasks at
   once; one at a time is the stricter order, since the first new instance serves beside an old one.
2. As a task stopped directly goes (a person, a Spot interruption, a scale-in without a load
   balancer's help): SIGTERM with no deregistration. Only the service's drain delay keeps it from
   failing requests: /health turns 503 at once, the balancer's checks take the instance out, and it
   keeps serving until the drain delay is over.
"""

from __future__ import annotations

import time

from harness.report import DrillReport, Event, Variant, write_chart
from harness.stage import Stage, settle

from .common import (
    LEAD_SECONDS,
    SLACK_SECONDS,
    TAIL_SECONDS,
    bound_load_covered,
    load_for,
    requests_to,
    startup_budget,
)

# Old instance slot -> new instance slot.
REPLACEMENTS = [(1, 3), (2, 4)]


def run(stage: Stage) -> DrillReport:
    report = DrillReport(1, "Rolling deploy (0 failed requests)")
    report.variants.append(_deploy(stage, deregister_first=True))
    report.variants.append(_deploy(stage, deregister_first=False))
    write_chart(report, stage.out / "rolling-deploy.png")
    return report


def _deploy(stage: Stage, *, deregister_first: bool) -> Variant:
    t = stage.timings
    name = "deregister, wait, SIGTERM (ECS deploy)" if deregister_first else "SIGTERM only (task stopped directly)"
    variant = Variant(name)
    label = "rolling-deregister" if deregister_first else "rolling-sigterm"
    # Each step waits for the new instance to start and pass `rise` checks (plus up to one interval
    # for the check's phase), then for the deregistration delay or the balancer's detection.
    per_instance = startup_budget(stage) + t.time_to_healthy + t.interval
    per_instance += t.deregistration_delay if deregister_first else t.detection_window
    planned = LEAD_SECONDS + len(REPLACEMENTS) * per_instance + t.drain_delay + TAIL_SECONDS

    with stage.balancer(label, slots=4) as balancer:
        old = stage.start_in_service(balancer, [1, 2])
        load = load_for(stage, balancer, planned, label).start()
        settle(LEAD_SECONDS)
        started_at: dict[int, float] = {}
        up_at: dict[int, float | None] = {}
        out_at: dict[int, float] = {}  # when each old slot was drained or sent SIGTERM
        down_at: dict[int, float | None] = {}
        for old_slot, new_slot in REPLACEMENTS:
            started_at[new_slot] = time.time()
            stage.new_instance(balancer.server_ports[new_slot - 1])
            balancer.register(new_slot)
            variant.events.append(Event(started_at[new_slot], f"start srv{new_slot}"))
            up_at[new_slot] = balancer.wait_status(new_slot, "UP", timeout=t.grace_period + SLACK_SECONDS)
            if up_at[new_slot] is None:
                variant.notes.append(f"srv{new_slot} never passed its checks within the grace period")
                break
            variant.events.append(Event(up_at[new_slot], f"srv{new_slot} UP"))
            if deregister_first:
                out_at[old_slot] = time.time()
                balancer.drain(old_slot)
                variant.events.append(Event(out_at[old_slot], f"drain srv{old_slot}"))
                settle(t.deregistration_delay)
                old[old_slot].terminate(t.stop_timeout)
                variant.events.append(Event(time.time(), f"SIGTERM srv{old_slot}"))
            else:
                out_at[old_slot] = time.time()
                old[old_slot].terminate(t.stop_timeout)
                variant.events.append(Event(out_at[old_slot], f"SIGTERM srv{old_slot}"))
                down_at[old_slot] = balancer.wait_status(old_slot, "DOWN", timeout=t.drain_delay + SLACK_SECONDS)
                if down_at[old_slot] is not None:
                    variant.events.append(Event(down_at[old_slot], f"srv{old_slot} DOWN"))
        for old_slot, _ in REPLACEMENTS:
            if old[old_slot].wait_exited(t.stop_timeout + 5):
                variant.events.append(Event(old[old_slot].exited_at, f"srv{old_slot} exited"))  # type: ignore[arg-type]
            balancer.deregister(old_slot)
        last_action = time.time()
        result = load.wait()
        variant.record_load(result)
        routed_after = {
            slot: max((r.at for r in requests_to(balancer, slot)), default=0.0) - out_at[slot]
            for slot in out_at
        }

    variant.bound("failed requests", variant.failed, "0", variant.failed == 0)
    bound_load_covered(variant, result.finished_at, last_action)
    recovers = [up_at[s] - started_at[s] for s in started_at if up_at.get(s)]
    variant.recover = max(recovers) if len(recovers) == len(REPLACEMENTS) else None
    variant.recover_meaning = "start of a new instance until the balancer routes to it (slowest of 2)"
    variant.bound(
        "new instance in service",
        variant.recover,
        f"<= start-up budget {startup_budget(stage):.2f} s + healthy threshold x interval + one interval "
        f"{startup_budget(stage) + t.time_to_healthy + t.interval:.2f} s",
        variant.recover is not None and variant.recover <= startup_budget(stage) + t.time_to_healthy + t.interval,
        unit=" s",
    )
    if deregister_first:
        # Requests already accepted when the drain began finish there; no new one may arrive later.
        variant.detect = max(0.0, max(routed_after.values(), default=0.0)) if routed_after else None
        variant.detect_meaning = "drain command until the old instance's last request (slowest of 2)"
        variant.bound(
            "last request to a drained instance after the drain", variant.detect,
            f"<= {SLACK_SECONDS} s (requests already in flight)",
            variant.detect is not None and variant.detect <= SLACK_SECONDS, unit=" s",
        )  # fmt: skip
    else:
        detections = [down_at[s] - out_at[s] for s in out_at if down_at.get(s)]
        variant.detect = max(detections) if len(detections) == len(REPLACEMENTS) else None
        variant.detect_meaning = "SIGTERM until the balancer marks the instance DOWN (slowest of 2)"
        variant.bound(
            "balancer takes the instance out before its drain delay ends", variant.detect,
            f"< drain delay {t.drain_delay:.2f} s (detection window {t.detection_window:.2f} s)",
            variant.detect is not None and variant.detect < t.drain_delay, unit=" s",
        )  # fmt: skip
        stopped_accepting = {slot: old[slot].sigterm_at + t.drain_delay for slot in out_at}  # type: ignore[operator]
        late = [s for s in out_at if max((r.at for r in requests_to(balancer, s)), default=0) > stopped_accepting[s]]
        variant.bound(
            "requests routed to an instance after its drain delay", len(late), "0 instances", not late
        )
    for slot, _ in REPLACEMENTS:
        instance = old[slot]
        took = (instance.exited_at - instance.sigterm_at) if instance.exited_at and instance.sigterm_at else None
        variant.bound(
            f"srv{slot} exits 0 after SIGTERM within drain delay + shutdown bound",
            took,
            f"exit 0 and <= {t.drain_delay + t.shutdown_timeout + SLACK_SECONDS:.2f} s (stopTimeout {t.stop_timeout:.2f} s)",
            instance.exit_code == 0 and took is not None and took <= t.drain_delay + t.shutdown_timeout + SLACK_SECONDS,
            unit=f" s, exit {instance.exit_code}",
        )
        stage.retire(instance)
    variant.notes.append(f"responses by status: {dict(sorted(result.statuses().items()))}; no response: {result.unanswered}")
    for instance in list(stage.instances):
        stage.retire(instance)
    return variant
