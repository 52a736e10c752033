"""Every admin-task command the documents tell an operator to run, against the admin container as the
ecs stack registers it: run-task overrides the command, never the entry point, so with the entry point
`/bin/sh -c` an override must be one shell command line, and it must name a command the binary has."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BINARY = "/usr/local/bin/orders-service"
# What an override may run besides the service's binary: the operator's session holds the task open.
OTHER_PROGRAMS = {"sleep"}
# Commands that only group others (`orders-service admin ...`, `orders-service keys ...`).
COMMAND_GROUPS = {"admin", "keys"}


def _command_names() -> set[str]:
    """Every subcommand the binary declares (`commandName:` in its sources)."""
    names: set[str] = set()
    for source in (REPO / "app" / "Sources" / "OrdersServiceMain").glob("*.swift"):
        names |= set(re.findall(r'commandName:\s*"([a-z-]+)"', source.read_text()))
    return names


def documented_overrides() -> list[tuple[str, str, list]]:
    """(document, container, command) for each containerOverrides in docs/ and the README."""
    found = []
    for document in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = document.read_text().replace('\\"', '"')
        for match in re.finditer(r'"containerOverrides":\[\{"name":"([^"]+)","command":(\[.*?\])\}\]', text):
            command = match.group(2).replace("$", "")
            found.append((document.name, match.group(1), json.loads(command)))
    return found


def problems_of(container: dict, command: list, names: set[str]) -> list[str]:
    """Why the container would not run `command` as an override (empty: it would)."""
    if container.get("entryPoint") != ["/bin/sh", "-c"]:
        return [f"the admin container's entry point is {container.get('entryPoint')}, not the shell these checks expect"]
    if len(command) != 1:
        return [f"{command}: /bin/sh -c runs only the first element ({command[0]!r}); give one command line"]
    words = shlex.split(command[0])
    if words[:1] != ["exec"]:
        return [f"{command[0]!r} does not start with exec: the shell, not the command, would receive SIGTERM"]
    program, arguments = words[1], words[2:]
    if program in OTHER_PROGRAMS:
        return []
    if program != BINARY:
        return [f"{command[0]!r} runs {program}, which the image does not have"]
    path = [word for word in arguments if not word.startswith("-")]
    if not path or path[0] not in names:
        return [f"{command[0]!r} names no command of the binary"]
    if path[0] in COMMAND_GROUPS and (len(path) < 2 or path[1] not in names):
        return [f"{command[0]!r} names no command of the binary's {path[0]} group"]
    return []


def test_every_documented_admin_command_runs_in_the_admin_container(plan):
    container = json.loads(plan("ecs-applied").resource("aws_ecs_task_definition.admin").values["container_definitions"])[0]
    names = _command_names()
    overrides = documented_overrides()
    assert len(overrides) >= 4, f"expected the runbooks' overrides, found {overrides}"
    problems = problems_of(container, container["command"], names)
    for document, name, command in overrides:
        print(f"{document}: {command}")
        if name != container["name"]:
            problems.append(f"{document}: an override for container {name}, which the admin task does not have")
        problems += [f"{document}: {problem}" for problem in problems_of(container, command, names)]
    assert problems == []


def test_the_check_catches_an_argument_list_and_an_unknown_command(plan):
    container = json.loads(plan("ecs-applied").resource("aws_ecs_task_definition.admin").values["container_definitions"])[0]
    names = _command_names()
    assert "first element" in problems_of(container, ["admin", "rotate-service-password"], names)[0]
    assert "no command" in problems_of(container, [f"exec {BINARY} rotate-password"], names)[0]
    assert "start with exec" in problems_of(container, [f"{BINARY} keys list"], names)[0]
    assert problems_of(container, [f"exec {BINARY} keys list"], names) == []
