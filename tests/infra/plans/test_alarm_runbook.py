"""Every alarm of the service stack, as planned, is deliberate and documented.

Each alarm states what missing data means (treat_missing_data, with a comment in alarms.tf giving
the reason), notifies the alarm topic on ALARM and OK, links to a runbook section of
docs/operations.md that exists and names it, and appears on the dashboard's alarm widget.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RUNBOOK = REPO / "docs" / "operations.md"
ALARMS_FILE = REPO / "terraform" / "ecs" / "alarms.tf"
EXPECTED = {
    "http_5xx_ratio", "target_p99", "unhealthy_hosts", "running_tasks_below_desired", "service_cpu_high",
    "service_memory_high", "service_errors", "connections_refused", "database_cpu_high",
    "database_free_storage_low", "database_connections_high",
}


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


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
    return {anchor: " ".join(text.split()) for anchor, text in sections.items()}


def _missing_data_comments() -> dict[str, str]:
    """For each alarm resource in alarms.tf, the comment lines right above its treat_missing_data."""
    comments: dict[str, str] = {}
    for name, body in re.findall(r'resource "aws_cloudwatch_metric_alarm" "(\w+)" \{(.*?)\n\}', ALARMS_FILE.read_text(), re.S):
        lines = body.splitlines()
        index = next(i for i, line in enumerate(lines) if line.strip().startswith("treat_missing_data"))
        above = []
        for line in reversed(lines[:index]):
            if not line.strip().startswith("#"):
                break
            above.append(line.strip("# "))
        comments[name] = " ".join(reversed(above))
    return comments


@pytest.fixture(scope="module")
def alarms(plan):
    return {resource.name: resource.values for resource in plan("ecs-applied").of_type("aws_cloudwatch_metric_alarm")}


def test_the_stack_has_the_alarms_the_service_needs(alarms):
    assert EXPECTED <= set(alarms)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_alarm_states_missing_data_on_purpose(alarms, name):
    assert alarms[name]["treat_missing_data"] in ("breaching", "notBreaching", "ignore", "missing")
    reason = _missing_data_comments()[name]
    assert re.search(r"(?i)(data|silence|no requests|no tasks|gap|publish|report|request)", reason), f"{name}: say why missing data means what it does"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_alarm_notifies_the_topic_on_alarm_and_ok(plan, alarms, name):
    topic = plan("ecs-applied").resource("aws_sns_topic.alarms").values["arn"]
    assert alarms[name]["actions_enabled"] is True
    assert alarms[name]["alarm_actions"] == [topic] and alarms[name]["ok_actions"] == [topic]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_alarm_links_to_its_runbook_section(alarms, name):
    match = re.search(r"docs/operations\.md#([a-z0-9-]+)", alarms[name]["alarm_description"])
    assert match, f"{name}: the description must link its runbook section"
    sections = _runbook_sections()
    assert match.group(1) in sections, f"docs/operations.md has no section #{match.group(1)}"
    assert alarms[name]["alarm_name"] in sections[match.group(1)], f"section #{match.group(1)} does not name {alarms[name]['alarm_name']}"
    for part in ("Look", "Missing data"):
        assert part in sections[match.group(1)], f"section #{match.group(1)} has no '{part}'"


def test_dashboard_shows_every_alarm(plan, alarms):
    body = plan("ecs-applied").resource("aws_cloudwatch_dashboard.service").values["dashboard_body"]
    shown = {arn.rsplit(":", 1)[1] for arn in re.findall(r"arn:aws:cloudwatch:[^\"]+:alarm:[^\"]+", body)}
    assert shown == {values["alarm_name"] for values in alarms.values()}
