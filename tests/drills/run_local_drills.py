#!/usr/bin/env python3
"""The local failure drills behind HAProxy (make drills). docs/drills.md explains each one.

Usage: run_local_drills.py [--mode container|binary] [--image NAME] [--only NAME ...]

Prints the scaled timings and checks their relations, prepares the database, runs the drills in
order and prints one table per drill with its bounds. Writes out/drills/results.json and the charts.
Exits 1 when any bound is broken.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import timings as timing_source  # noqa: E402
from harness.report import DrillReport, Variant, write_results  # noqa: E402
from harness.stage import Database, Stage  # noqa: E402
from scenarios import bad_deploy, crash, database_outage, rolling_deploy  # noqa: E402

DRILLS = {
    "rolling-deploy": rolling_deploy.run,
    "crash": crash.run,
    "bad-deploy": bad_deploy.run,
    "database-outage": database_outage.run,
}
TOOLS = ("haproxy", "hey")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["container", "binary"], default="container")
    parser.add_argument("--image", default=os.environ.get("IMAGE", "orders-service:local"))
    parser.add_argument("--only", nargs="*", choices=sorted(DRILLS), help="run only these drills")
    parser.add_argument("--out", type=Path, default=timing_source.ROOT / "out" / "drills")
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print(f"drills: missing {', '.join(missing)} (Debian: apt-get install {' '.join(missing)})", file=sys.stderr)
        return 1
    if arguments.mode == "container" and subprocess.run(
        ["docker", "image", "inspect", arguments.image], capture_output=True
    ).returncode != 0:
        print(f"drills: image {arguments.image} does not exist; build it with make image", file=sys.stderr)
        return 1
    timings = timing_source.load(timing_source.scale_from_environment())
    print(timings.table())

    out: Path = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    database = Database(int(os.environ.get("DRILL_POSTGRES_PORT", "55433")))
    stage = Stage(timings=timings, database=database, mode=arguments.mode, image=arguments.image, out=out)
    reports: list[DrillReport] = []
    started = time.time()
    try:
        print(f"\n==> preparing: PostgreSQL on 127.0.0.1:{database.environment['SANDBOX_POSTGRES_PORT']}, "
              f"an API key, the seed order; instances from {'image ' + arguments.image if arguments.mode == 'container' else 'the binary'}")  # fmt: skip
        stage.prepare()
        print(f"    first instance ready {stage.startup_seconds:.2f} s after it was started")
        relations = timings.relations(stage.startup_seconds)
        print("\nTiming relations on the drill's values:")
        for text, holds in relations:
            print(f"  [{'ok' if holds else 'BROKEN'}] {text}")
        if not all(holds for _, holds in relations):
            print("drills: the scaled timings break a relation; raise DRILL_TIME_SCALE", file=sys.stderr)
            return 1
        for name, drill in DRILLS.items():
            if arguments.only and name not in arguments.only:
                continue
            print(f"\n==> drill: {name}", flush=True)
            drill_started = time.time()
            try:
                report = drill(stage)
            except Exception as error:  # a drill that cannot finish is a failed drill, reported as one
                traceback.print_exc()
                report = DrillReport(len(reports) + 1, name)
                broken = Variant("did not finish")
                broken.bound("drill completed", None, "no error", False)
                broken.notes.append(f"{type(error).__name__}: {error}")
                report.variants.append(broken)
                stage.cleanup()
            reports.append(report)
            print(report.table())
            print(f"  ({time.time() - drill_started:.0f} s)", flush=True)
    finally:
        stage.cleanup()
        database.stop()
        write_results(
            reports,
            out / "results.json",
            {"scale": timings.scale, "mode": arguments.mode, "image": arguments.image,
             "startup_seconds": stage.startup_seconds, "seconds": round(time.time() - started, 1)},
        )  # fmt: skip

    failed = [r for r in reports if not r.ok]
    print(f"\nDrills: {len(reports) - len(failed)} of {len(reports)} passed in {time.time() - started:.0f} s; "
          f"results in {out / 'results.json'}")  # fmt: skip
    return 1 if failed or not reports else 0


if __name__ == "__main__":
    sys.exit(main())
