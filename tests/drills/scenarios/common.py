"""What the four drills share: the load they run, and the allowances every bound states."""

from __future__ import annotations

import json

from harness.haproxy import Balancer
from harness.load import Load, Stream
from harness.report import Variant
from harness.stage import Stage

# Reads of one order (auth and a database query each) and a trickle of new orders.
READ_RATE = 80
WRITE_RATE = 8
# Seconds of steady load before the first action and after the last one.
LEAD_SECONDS = 2.0
TAIL_SECONDS = 2.0
# Allowance on every measured time: the watcher polls the balancer every 0.1 s, and the two CPU
# cores are shared, so a timer may fire a few hundred milliseconds late.
SLACK_SECONDS = 0.5
# A drill's load must stay about this short.
MAX_LOAD_SECONDS = 32.0


def load_for(stage: Stage, balancer: Balancer, seconds: float, label: str) -> Load:
    seconds = min(seconds, MAX_LOAD_SECONDS)
    streams = [
        Stream("reads", "GET", f"/orders/{stage.order_id}", READ_RATE, seconds, workers=2, headers=stage.auth()),
        Stream(
            "writes", "POST", "/orders", WRITE_RATE, seconds, workers=1, headers=stage.auth(),
            body=json.dumps(Stage.order_body(f"drill-{label}")),
        ),  # fmt: skip
    ]
    return Load(balancer.url, streams, stage.out / label)


def startup_budget(stage: Stage) -> float:
    """Seconds an instance may take from `docker run` to its first answer: the start-up measured at
    the beginning of the run, doubled, plus one second for the engine."""
    return 2 * stage.startup_seconds + 1.0


def bound_load_covered(variant: Variant, load_end: float, last_action: float) -> None:
    """The load must outlast the drill's actions, or the drill proved nothing about the end."""
    variant.bound(
        "load still running after the last action",
        load_end - last_action,
        "> 0 s",
        load_end > last_action,
        unit=" s",
    )


def requests_to(balancer: Balancer, slot: int) -> list:
    return [r for r in balancer.requests() if r.server == f"srv{slot}"]
