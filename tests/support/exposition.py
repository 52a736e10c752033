"""Reading samples out of a Prometheus text exposition."""
from __future__ import annotations

import re

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9.eE+-]+|NaN|\+Inf|-Inf)$", re.MULTILINE)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(exposition: str, metric: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of `metric`: its labels and its value."""
    found = []
    for name, labels, value in SAMPLE.findall(exposition):
        if name == metric:
            found.append((dict(LABEL.findall(labels or "")), float(value)))
    return found


def total(exposition: str, metric: str, **labels: str) -> float:
    """The sum of `metric` over the samples whose labels include `labels`."""
    return sum(value for sample_labels, value in samples(exposition, metric)
               if all(sample_labels.get(key) == wanted for key, wanted in labels.items()))
