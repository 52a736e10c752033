"""The deployment alarms, as planned, judge the minutes a deployment can produce.

The 5xx-ratio alarm's planned expression runs on per-minute load balancer data (metric_math.py). The
case that matters most is a deployment whose tasks all fail: no target is healthy, the load balancer
answers every request with its own 503, and RequestCount, which counts only requests given to a
target, has no data point at all.
"""

from __future__ import annotations

import pytest

from metric_math import alarm_state, evaluate

MINUTES = range(0, 5)


def every_minute(value: float) -> dict[int, float]:
    return {minute: value for minute in MINUTES}


SCENARIOS = {
    # name: (per-minute data by metric name, the state the alarm must reach)
    "no target healthy: only the load balancer's own 503s": (
        {"HTTPCode_ELB_5XX_Count": every_minute(300), "HTTPCode_ELB_503_Count": every_minute(300)}, "ALARM"),
    "a bad release: a fifth of requests fail in the tasks": (
        {"RequestCount": every_minute(1000), "HTTPCode_Target_5XX_Count": every_minute(200)}, "ALARM"),
    "healthy traffic with a few errors": (
        {"RequestCount": every_minute(1000), "HTTPCode_Target_5XX_Count": every_minute(2)}, "OK"),
    "a quiet service: no data at all": ({}, "OK"),
    "too few requests to judge": (
        {"RequestCount": every_minute(10), "HTTPCode_Target_5XX_Count": every_minute(5)}, "OK"),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_five_xx_ratio_alarm_on_each_kind_of_minute(plan, scenario):
    alarm = plan("ecs-applied").resource("aws_cloudwatch_metric_alarm.http_5xx_ratio").values
    data, expected = SCENARIOS[scenario]
    assert alarm_state(alarm, data, MINUTES) == expected, (
        f"{scenario}: expected {expected} from {next(q['expression'] for q in alarm['metric_query'] if q.get('return_data'))}")


def test_the_evaluator_itself():
    assert evaluate("IF(a >= 2, 100 * b / a, 0)", {"a": {0: 4, 1: 1}, "b": {0: 1, 1: 1}}, range(2)) == {0: 25.0, 1: 0.0}
    assert evaluate("FILL(a, 0) + 1", {"a": {1: 5}}, range(3)) == {0: 1.0, 1: 6.0, 2: 1.0}
    assert evaluate("a + b", {"a": {0: 1, 1: 1}, "b": {1: 2}}, range(2)) == {1: 3.0}
    assert evaluate("IF(a > 0, 1, 0)", {"a": {}}, range(2)) == {}
