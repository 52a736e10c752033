"""The emulator's server: one request at a time, and a change sent again is not run twice."""

from __future__ import annotations

import io
import threading
import time

from moto.moto_server import werkzeug_app

from tools.infra import emulator_server
from tools.infra.emulator import MotoServer, emulator_server_command

REQUESTS = 4


class _SlowAnswer:
    """A WSGI answer whose rendering takes a while and which records that it was closed."""

    def __init__(self, record: dict[str, int]):
        self.record = record

    def __iter__(self):
        self.record["inside"] += 1
        self.record["most inside at once"] = max(self.record["most inside at once"], self.record["inside"])
        time.sleep(0.05)
        self.record["inside"] -= 1
        yield b"answer"

    def close(self) -> None:
        self.record["closed"] += 1


def _request(body: bytes = b"", **headers: str) -> dict[str, object]:
    """A WSGI environ for a POST of BODY with HEADERS (given as WSGI keys, HTTP_...)."""
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), **headers}  # fmt: skip


def _counting(monkeypatch, status: str) -> list[bytes]:
    """moto stood in for by an application that answers STATUS, echoes the body and records each run."""
    runs: list[bytes] = []

    def run(_app, environ, start_response):
        runs.append(environ["wsgi.input"].read())
        start_response(status, [])
        return [runs[-1]]

    monkeypatch.setattr(emulator_server, "_answer_request", run)
    return runs


answer = emulator_server._answer_request_alone


def _ignore(*_arguments):
    """A WSGI start_response that ignores what it is given."""


def test_requests_are_answered_one_at_a_time_and_each_answer_is_closed(monkeypatch):
    record = {"inside": 0, "most inside at once": 0, "closed": 0}
    monkeypatch.setattr(emulator_server, "_answer_request", lambda _app, _environ, _start: _SlowAnswer(record))
    answers: list[list[bytes]] = []
    threads = [threading.Thread(target=lambda: answers.append(answer(None, _request(), None))) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert answers == [[b"answer"]] * REQUESTS
    assert record["most inside at once"] == 1, "two requests were rendered at the same time"
    assert record["closed"] == REQUESTS


def test_a_change_sent_again_after_it_succeeded_gets_the_first_answer_and_is_not_run_twice(monkeypatch, capsys):
    body = b"Action=CreateRole&RoleName=orders-admin-task&Version=2010-05-08"
    runs = _counting(monkeypatch, "200 OK")
    call = {"HTTP_AMZ_SDK_INVOCATION_ID": "call-1"}
    first = answer(None, _request(body, HTTP_AMZ_SDK_REQUEST="attempt=1; max=25", **call), _ignore)
    again = answer(None, _request(body, HTTP_AMZ_SDK_REQUEST="attempt=2; max=25", **call), _ignore)
    assert first == again == [body]
    assert runs == [body], "the call ran twice"
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("emulator: CreateRole attempt=2; max=25: its call call-1 was answered 200 OK")


def test_a_read_or_a_failed_call_sent_again_runs_again_and_is_written_to_the_log(monkeypatch, capsys):
    refused = _counting(monkeypatch, "409 CONFLICT")
    create = b"Action=CreateRole&RoleName=orders-admin-task&Version=2010-05-08"
    for attempt in ("attempt=1; max=25", "attempt=2; max=25"):
        answer(None, _request(create, HTTP_AMZ_SDK_REQUEST=attempt, HTTP_AMZ_SDK_INVOCATION_ID="call-2"), _ignore)
    runs = _counting(monkeypatch, "200 OK")
    read = _request(REQUEST_METHOD="GET", PATH_INFO="/bucket/state", HTTP_AMZ_SDK_INVOCATION_ID="call-3")
    answer(None, {**read, "HTTP_AMZ_SDK_REQUEST": "attempt=1; max=5"}, _ignore)
    answer(None, {**read, "wsgi.input": io.BytesIO(), "HTTP_AMZ_SDK_REQUEST": "attempt=2; max=5"}, _ignore)
    answer(None, _request(HTTP_X_AMZ_TARGET="AmazonEC2ContainerServiceV20141113.ListTasks"), _ignore)
    answer(None, _request(b"Action=GetCallerIdentity", HTTP_AMZ_SDK_REQUEST="attempt=1"), _ignore)
    assert len(refused) == 2 and len(runs) == 4
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(
        "emulator: CreateRole 409 CONFLICT (attempt=2; max=25; call call-2; the earlier attempt got 409")
    assert lines[1].startswith(
        "emulator: GET /bucket/state 200 OK (attempt=2; max=5; call call-3; the earlier attempt got 200")


def test_a_chunked_body_reaches_moto_whole(monkeypatch):
    runs = _counting(monkeypatch, "200 OK")
    chunked = {"REQUEST_METHOD": "PUT", "PATH_INFO": "/bucket/key", "wsgi.input_terminated": True,
               "wsgi.input": io.BytesIO(b"state file")}  # fmt: skip
    assert answer(None, chunked, _ignore) == [b"state file"]
    assert runs == [b"state file"]


def test_the_server_application_is_the_one_request_at_a_time_one():
    assert werkzeug_app.DomainDispatcherApplication.__call__ is emulator_server._answer_request_alone


def test_every_emulator_run_starts_that_server(tmp_path):
    assert MotoServer(tmp_path).command == emulator_server_command()
    assert emulator_server_command()[-1] == "tools.infra.emulator_server"
