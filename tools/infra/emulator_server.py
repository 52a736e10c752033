"""moto's server, with two differences: one request at a time, and a change sent again not run twice.

moto's server answers each connection on its own thread, and its backends keep their state in plain
dicts and lists with no lock. Terraform sends up to ten calls at once, so a call can read a dict
while another call writes it: moto then answers 500 ("dictionary changed size during iteration"),
most often while it renders a new resource's tags and another call tags something else. The AWS SDK
retries a 500, and when the first attempt had already made the resource, the retry is refused as a
duplicate (`InvalidPermission.Duplicate` for a security group rule): an apply fails on an emulator
fault. AWS has no such fault, so this server takes it away: connections still get a thread each,
but the application that answers them runs under one lock, and renders its whole answer under it.

The same fault has a second source: an SDK sends a call again when its connection fails, and on
loopback under load a connection can fail after moto has made the resource and answered. Each SDK
attempt names its call (`amz-sdk-invocation-id`, the same for every attempt) and counts itself
(`amz-sdk-request: attempt=N`). When a call not sent as GET or HEAD comes again after moto
answered it with success, this server sends that answer again instead of running the call twice
(the query and JSON APIs send reads as POST too; answering one again is harmless), and writes a
line to its log (moto.log). It also writes one for every other call sent again (with what the
earlier attempt got, if it arrived), every 5xx answer, and every call that waited more than a
second for the lock.

`python -m tools.infra.emulator_server ARGS` takes moto_server's arguments; MotoServer
(tools/infra/emulator.py) starts it in moto_server's place.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from moto.moto_server import werkzeug_app
from moto.server import main

# A wait for the lock longer than this is written to the log.
LONG_WAIT_SECONDS = 1.0
# How many calls' answers are kept for an attempt that comes again: an SDK retries within a second or
# two (0.07 to 0.31 s in the runs of docs/infrastructure.md), a few dozen calls later at most.
REMEMBERED_CALLS = 500
# Methods that change nothing: sending one again is harmless, so its answer is not kept.
READ_METHODS = ("GET", "HEAD")


@dataclass
class _Answer:
    """What moto answered one attempt of a call, and when."""

    status: str
    headers: list[tuple[str, str]]
    body: list[bytes] | None  # kept only for a successful call that changed something
    at: float


_one_request_at_a_time = threading.Lock()
_answered: OrderedDict[str, _Answer] = OrderedDict()
_answer_request = werkzeug_app.DomainDispatcherApplication.__call__


def _action(environ: dict[str, Any], body: bytes) -> str:
    """The AWS action a request calls: the JSON protocols' target, the query protocol's Action, or the REST path."""
    if target := environ.get("HTTP_X_AMZ_TARGET"):
        return target
    action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action") if body else None
    if action:
        return action[0]
    return f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request's whole body: CONTENT_LENGTH bytes, or, for a chunked body, all werkzeug decodes."""
    stream = environ["wsgi.input"]
    if length := environ.get("CONTENT_LENGTH"):
        return stream.read(int(length))
    return stream.read() if environ.get("wsgi.input_terminated") else b""


def _attempt_number(header: str) -> int:
    """N of an `amz-sdk-request: attempt=N; max=M` header (boto3 may leave out `max`); 1 without one."""
    found = re.match(r"attempt=(\d+)", header)
    return int(found.group(1)) if found else 1


def _note(line: str) -> None:
    """One line to the server's log."""
    print(f"emulator: {line}", file=sys.stderr, flush=True)


def _run_in_moto(self: Any, environ: dict[str, Any], start_response: Any) -> _Answer:
    """moto's answer, passed on to START_RESPONSE and returned whole."""
    noted: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response_noted(status: str, headers: list[tuple[str, str]], *arguments: Any) -> Any:
        noted.append((status, headers))
        return start_response(status, headers, *arguments)

    answer = _answer_request(self, environ, start_response_noted)
    try:
        body = list(answer)
    finally:
        if hasattr(answer, "close"):
            answer.close()
    status, headers = noted[-1] if noted else ("no status", [])
    return _Answer(status, headers, body, time.monotonic())


def _answer_request_alone(self: Any, environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """moto's answer to one request, computed and rendered while no other request is handled; an
    attempt sent again after its call changed something and succeeded gets the first answer again."""
    body = _read_body(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
    attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "")
    sent_again = _attempt_number(attempt) > 1
    arrived = time.monotonic()
    with _one_request_at_a_time:
        started = time.monotonic()
        earlier = _answered.get(invocation) if invocation and sent_again else None
        if earlier is not None and earlier.body is not None:
            start_response(earlier.status, earlier.headers)
            _note(f"{_action(environ, body)} {attempt}: its call {invocation} was answered {earlier.status} "
                  f"{started - earlier.at:.3f} s before; that answer is sent again, "
                  "the call is not run twice")  # fmt: skip
            return earlier.body
        answer = _run_in_moto(self, environ, start_response)
        if invocation:
            changed = answer.status.startswith("2") and environ.get("REQUEST_METHOD") not in READ_METHODS
            kept = answer.body if changed else None
            _answered[invocation] = _Answer(answer.status, answer.headers, kept, answer.at)
            while len(_answered) > REMEMBERED_CALLS:
                _answered.popitem(last=False)
    waited = started - arrived
    if sent_again or answer.status.startswith("5") or waited > LONG_WAIT_SECONDS:
        before = f"the earlier attempt got {earlier.status}" if earlier else "no earlier attempt arrived"
        _note(f"{_action(environ, body)} {answer.status} ({attempt or 'no attempt header'}; call {invocation or '-'}; "
              f"{before if sent_again else 'first attempt'}; waited {waited:.3f} s, "
              f"answered in {answer.at - started:.3f} s)")  # fmt: skip
    return answer.body


werkzeug_app.DomainDispatcherApplication.__call__ = _answer_request_alone

if __name__ == "__main__":
    main(sys.argv[1:])
