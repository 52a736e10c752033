"""Every alarm of the service stack is deliberate and documented.

Each alarm states what missing data means (treat_missing_data, with a comment giving the reason),
notifies the alarm topic on ALARM and OK, links to a runbook section of docs/operations.md that
exists and names it, and appears on the dashboard's alarm widget.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack_model import Stack, expression_text  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
STACK_DIR = REPO / "terraform" / "ecs"
RUNBOOK = REPO / "docs" / "operations.md"
STACK = Stack.load(STACK_DIR, REPO)
ALARMS = STACK.of_type("aws_cloudwatch_metric_alarm")


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _runbook_sections() -> dict[str, str]:
    sections: dict[str, str] = {}
    current = None
    for line in RUNBOOK.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,4}\s+(.*)$", line)
        if heading:
            current = _slug(heading.group(1))
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    # Prose wraps anywhere: compare with single spaces.
    return {anchor: " ".join(text.split()) for anchor, text in sections.items()}


def test_the_stack_has_the_alarms_the_service_needs() -> None:
    assert {
        "http_5xx_ratio", "target_p99", "unhealthy_hosts", "running_tasks_below_desired", "service_cpu_high",
        "service_memory_high", "database_cpu_high", "database_free_storage_low", "database_connections_high",
    } <= set(ALARMS)


@pytest.mark.parametrize("name", sorted(ALARMS))
def test_alarm_states_missing_data_on_purpose(name: str) -> None:
    alarm = ALARMS[name]
    assert STACK.evaluate(alarm.get("treat_missing_data")) in ("breaching", "notBreaching", "ignore", "missing")
    comments = " ".join(STACK.comments(alarm))
    assert re.search(r"(?i)(data|silence|no requests|no tasks|gap|publish|report)", comments), f"{name}: say why missing data means what it does"


@pytest.mark.parametrize("name", sorted(ALARMS))
def test_alarm_notifies_the_topic_on_alarm_and_ok(name: str) -> None:
    alarm = ALARMS[name]
    assert alarm.get("actions_enabled") is True
    for key in ("alarm_actions", "ok_actions"):
        assert expression_text(alarm.get(key)) == "local.alarm_actions", f"{name}.{key}"
    assert STACK.locals["alarm_actions"] == ["${aws_sns_topic.alarms.arn}"]


@pytest.mark.parametrize("name", sorted(ALARMS))
def test_alarm_links_to_its_runbook_section(name: str) -> None:
    alarm = ALARMS[name]
    description = STACK.evaluate(alarm["alarm_description"]) if "${var." not in alarm["alarm_description"] else alarm["alarm_description"]
    match = re.search(r"docs/operations\.md#([a-z0-9-]+)", str(description))
    assert match, f"{name}: the description must link its runbook section"
    sections = _runbook_sections()
    assert match.group(1) in sections, f"docs/operations.md has no section #{match.group(1)}"
    alarm_name = STACK.evaluate(alarm["alarm_name"])
    assert alarm_name in sections[match.group(1)], f"section #{match.group(1)} does not name {alarm_name}"
    for part in ("Look", "Missing data"):
        assert part in sections[match.group(1)], f"section #{match.group(1)} has no '{part}'"


def test_dashboard_shows_every_alarm() -> None:
    dashboard = (STACK_DIR / "dashboard.tf").read_text(encoding="utf-8")
    shown = set(re.findall(r"aws_cloudwatch_metric_alarm\.([a-z0-9_]+)\.arn", dashboard))
    assert shown == set(ALARMS)
