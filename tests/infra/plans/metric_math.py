"""Enough of CloudWatch metric math and alarm evaluation to run an alarm's planned expression on data.

The subset the stacks' alarms use: numbers, metric ids, + - * /, comparisons, IF(condition, a, b)
and FILL(series, value). A series is {minute: value}; an operation on two series keeps the minutes
both have (CloudWatch aligns series by timestamp), FILL gives a series a value at every minute of
the evaluated range, and IF yields a value wherever its condition has one. The alarm then judges
the last `evaluation_periods` minutes: a minute with no value is missing and counts as the alarm's
treat_missing_data says (CloudWatch User Guide, "Using metric math", "Configuring how CloudWatch
alarms treat missing data").
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

Series = dict[int, float]
Value = float | Series

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/(),<>]))")
_COMPARISONS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
                ">": operator.gt, "<": operator.lt}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        if not match:
            raise ValueError(f"cannot read {expression[position:]!r}")
        tokens.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return tokens


def _combine(left: Value, right: Value, function) -> Value:
    if isinstance(left, dict) and isinstance(right, dict):
        return {minute: _safe(function, left[minute], right[minute]) for minute in sorted(set(left) & set(right))}
    if isinstance(left, dict):
        return {minute: _safe(function, value, right) for minute, value in left.items()}
    if isinstance(right, dict):
        return {minute: _safe(function, left, value) for minute, value in right.items()}
    return _safe(function, left, right)


def _safe(function, left: float, right: float) -> float:
    if function is operator.truediv and right == 0:
        return float("nan")  # CloudWatch gives no usable value for a division by zero
    return float(function(left, right))


@dataclass
class _Parser:
    tokens: list[str]
    metrics: dict[str, Series]
    minutes: range
    position: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.position]
        if expected is not None and token != expected:
            raise ValueError(f"expected {expected!r}, found {token!r}")
        self.position += 1
        return token

    def expression(self) -> Value:
        left = self.sum()
        if self.peek() in _COMPARISONS:
            function = _COMPARISONS[self.take()]
            left = _combine(left, self.sum(), lambda a, b: 1.0 if function(a, b) else 0.0)
        return left

    def sum(self) -> Value:
        value = self.product()
        while self.peek() in ("+", "-"):
            function = _ARITHMETIC[self.take()]
            value = _combine(value, self.product(), function)
        return value

    def product(self) -> Value:
        value = self.atom()
        while self.peek() in ("*", "/"):
            function = _ARITHMETIC[self.take()]
            value = _combine(value, self.atom(), function)
        return value

    def atom(self) -> Value:
        token = self.take()
        if token == "(":
            value = self.expression()
            self.take(")")
            return value
        if re.fullmatch(r"\d+(?:\.\d+)?", token):
            return float(token)
        if token in ("IF", "FILL"):
            self.take("(")
            arguments = [self.expression()]
            while self.peek() == ",":
                self.take(",")
                arguments.append(self.expression())
            self.take(")")
            return self.call(token, arguments)
        if token in self.metrics:
            return dict(self.metrics[token])
        raise ValueError(f"unknown name {token!r}")

    def call(self, name: str, arguments: list[Value]) -> Value:
        if name == "FILL":
            series, fill = arguments
            assert isinstance(series, dict) and not isinstance(fill, dict)
            return {minute: series.get(minute, fill) for minute in self.minutes}
        condition, when_true, when_false = arguments
        assert isinstance(condition, dict)

        def pick(choice: Value, minute: int) -> float | None:
            return choice.get(minute) if isinstance(choice, dict) else choice

        result: Series = {}
        for minute, flag in condition.items():
            chosen = pick(when_true if flag else when_false, minute)
            if chosen is not None:
                result[minute] = chosen
        return result


def evaluate(expression: str, metrics: dict[str, Series], minutes: range) -> Series:
    """The expression's series over MINUTES, given each metric id's data."""
    parser = _Parser(_tokens(expression), metrics, minutes)
    value = parser.expression()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()!r}")
    return value if isinstance(value, dict) else {minute: value for minute in minutes}


def alarm_state(alarm: dict, metrics_by_name: dict[str, Series], minutes: range) -> str:
    """ALARM or OK for an aws_cloudwatch_metric_alarm's planned values, on per-minute data by metric name."""
    queries = alarm["metric_query"]
    ids = {query["id"]: query["metric"][0]["metric_name"] for query in queries if query.get("metric")}
    expression = next(query["expression"] for query in queries if query.get("return_data"))
    series = evaluate(expression, {query_id: metrics_by_name.get(name, {}) for query_id, name in ids.items()}, minutes)
    window = list(minutes)[-int(alarm["evaluation_periods"]):]
    comparisons = {"GreaterThanThreshold": operator.gt, "GreaterThanOrEqualToThreshold": operator.ge,
                   "LessThanThreshold": operator.lt, "LessThanOrEqualToThreshold": operator.le}
    compare = comparisons[alarm["comparison_operator"]]
    missing_breaches = alarm.get("treat_missing_data") == "breaching"
    breaching = 0
    for minute in window:
        value = series.get(minute)
        if value is None or value != value:  # missing, or no usable value
            breaching += 1 if missing_breaches else 0
        elif compare(value, float(alarm["threshold"])):
            breaching += 1
    return "ALARM" if breaching >= int(alarm.get("datapoints_to_alarm") or alarm["evaluation_periods"]) else "OK"
