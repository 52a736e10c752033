"""What each drill reports: a table row per variant, the bounds it was held to, and the charts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .load import LoadResult


@dataclass
class Bound:
    """A stated limit and what was measured against it."""

    what: str
    measured: str
    limit: str
    ok: bool


@dataclass
class Event:
    at: float  # wall-clock seconds
    label: str


@dataclass
class Variant:
    """One run of a drill under load."""

    name: str
    sent: int = 0
    failed: int = 0
    detect: float | None = None
    recover: float | None = None
    detect_meaning: str = ""
    recover_meaning: str = ""
    bounds: list[Bound] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    load: LoadResult | None = None

    def bound(self, what: str, measured: float | int | None, limit: str, ok: bool, unit: str = "") -> None:
        shown = "not measured" if measured is None else (f"{measured:.2f}{unit}" if isinstance(measured, float) else f"{measured}{unit}")
        self.bounds.append(Bound(what, shown, limit, bool(ok) and measured is not None))

    def record_load(self, load: LoadResult) -> None:
        self.load = load
        self.sent = load.sent
        self.failed = load.failed_count

    @property
    def ok(self) -> bool:
        return all(b.ok for b in self.bounds)


@dataclass
class DrillReport:
    number: int
    title: str
    variants: list[Variant] = field(default_factory=list)
    chart: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.variants) and all(v.ok for v in self.variants)

    def table(self) -> str:
        def seconds(value: float | None) -> str:
            return "-" if value is None else f"{value:.2f} s"

        width = max(len(v.name) for v in self.variants)
        lines = [f"Drill {self.number}: {self.title}"]
        header = f"  {'variant':<{width}}  {'sent':>6}  {'failed':>6}  {'detect':>8}  {'recover':>8}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for v in self.variants:
            lines.append(
                f"  {v.name:<{width}}  {v.sent:>6}  {v.failed:>6}  {seconds(v.detect):>8}  {seconds(v.recover):>8}"
            )
        for v in self.variants:
            lines.append(f"  {v.name}:")
            if v.detect_meaning or v.recover_meaning:
                lines.append(f"    detect = {v.detect_meaning or '-'}; recover = {v.recover_meaning or '-'}")
            for note in v.notes:
                lines.append(f"    {note}")
            for b in v.bounds:
                lines.append(f"    [{'ok' if b.ok else 'BROKEN'}] {b.what}: {b.measured} (bound: {b.limit})")
        if self.chart:
            lines.append(f"  chart: {self.chart}")
        lines.append(f"  => {'PASSED' if self.ok else 'FAILED'}")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "ok": self.ok,
            "chart": str(self.chart) if self.chart else None,
            "variants": [
                {
                    "name": v.name,
                    "sent": v.sent,
                    "failed": v.failed,
                    "detect_seconds": v.detect,
                    "recover_seconds": v.recover,
                    "detect_meaning": v.detect_meaning,
                    "recover_meaning": v.recover_meaning,
                    "statuses": dict(v.load.statuses()) if v.load else {},
                    "bounds": [asdict(b) for b in v.bounds],
                    "notes": v.notes,
                }
                for v in self.variants
            ],
        }


def write_chart(report: DrillReport, path: Path) -> Path:
    """Successful and failed responses per second for each variant, with the drill's events marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = [v for v in report.variants if v.load]
    figure, axes = plt.subplots(len(variants), 1, figsize=(10, 3.4 * len(variants)), squeeze=False)
    for axis, variant in zip(axes[:, 0], variants):
        load = variant.load
        assert load is not None
        rows = load.per_second()
        seconds = [row[0] for row in rows]
        axis.bar(seconds, [row[1] for row in rows], width=0.9, align="edge", color="#4c9a2a", label="2xx per second")
        axis.bar(
            seconds, [row[2] for row in rows], width=0.9, align="edge", color="#c0392b",
            bottom=[row[1] for row in rows], label="failed per second",
        )  # fmt: skip
        if load.unanswered:
            axis.text(0.01, 0.04, f"{load.unanswered} requests got no response", transform=axis.transAxes, color="#c0392b")
        top = max((row[1] + row[2] for row in rows), default=1) * 1.35
        for index, event in enumerate(variant.events):
            x = event.at - load.started_at
            axis.axvline(x, color="#34495e", linestyle="--", linewidth=0.8)
            axis.text(x + 0.1, top * (0.93 - 0.09 * (index % 4)), event.label, fontsize=7, color="#34495e")
        axis.set_ylim(0, top)
        axis.set_xlim(0, max(seconds, default=0) + 1)
        axis.set_title(f"{variant.name}: {variant.sent} sent, {variant.failed} failed", fontsize=10)
        axis.set_xlabel("seconds since the load started")
        axis.set_ylabel("responses / s")
        axis.legend(loc="lower right", fontsize=8)
    figure.suptitle(f"Drill {report.number}: {report.title}", fontsize=12)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    report.chart = path
    return path


def write_results(reports: list[DrillReport], path: Path, header: dict) -> None:
    path.write_text(json.dumps({**header, "drills": [r.as_json() for r in reports]}, indent=2) + "\n")
