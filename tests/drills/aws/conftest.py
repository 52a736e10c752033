"""The AWS drill scripts against moto's server mode, on 127.0.0.1 and a random port.

What moto can stand for here: the ECS and ELBv2 APIs the scripts call, with their arguments checked
and their state kept (tasks, services, task definitions, targets). What it cannot: moto runs no
tasks, replaces nothing and never rolls a deployment back. The tests say which is which; where a
test needs a replacement task, the test creates it itself and says so.

The scripts run the real AWS CLI (the one pinned in tools/requirements.txt) through a recorder that
writes each call's arguments to a file, so the tests can check which calls were made, in order.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "scripts" / "drills"
RECORDER = Path(__file__).resolve().parent / "record_aws.py"
REGION = "eu-west-1"
CLUSTER = "orders-drill-cluster"
SERVICE = "orders-service"
CONTAINER = "orders-service"
APP_PORT = 8080
METRICS_PORT = 9090
DESIRED = 2
# Where build_service leaves the service's deploymentConfiguration for record_aws.py to put back.
DEPLOYMENT_CONFIGURATION_FILE = "deployment-configuration.json"
# Port 9 on loopback (discard): nothing listens there, so a proxied request fails at once.
DEAD_PROXY = "http://127.0.0.1:9"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def aws_command() -> str:
    """The AWS CLI pinned in tools/requirements.txt, installed next to this interpreter.

    Only that one: the tests steer the CLI to moto with AWS_ENDPOINT_URL, which an older CLI on PATH
    (Debian's bookworm package is 2.9) would ignore and call AWS itself.
    """
    found = Path(sys.executable).parent / "aws"
    if found.is_file() and os.access(found, os.X_OK):
        return str(found)
    message = f"NO AWS CLI AT {found}: run `make venv` (tools/requirements.txt pins awscli)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so these tests may not be skipped")
    pytest.skip(f"AWS DRILL TESTS SKIPPED: {message}")


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory) -> str:
    """moto_server on 127.0.0.1; it reports the service's two tasks as running."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    environment = {**os.environ, "MOTO_ECS_SERVICE_RUNNING": str(DESIRED)}
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=sink, stderr=subprocess.STDOUT, env=environment,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start: {log.read_text()}") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def clean_moto(moto_url: str) -> str:
    """Empty state. Tasks stay in the state they are put in: by default moto moves a task one step
    toward STOPPED each time it is read, which no real task does."""
    post = lambda path, body=b"": urllib.request.urlopen(  # noqa: E731
        urllib.request.Request(moto_url + path, data=body, method="POST"), timeout=5
    ).read()
    post("/moto-api/reset")
    post(
        "/moto-api/state-manager/set-transition",
        json.dumps({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1_000_000}}).encode(),
    )
    return moto_url


@pytest.fixture
def environment(clean_moto: str, aws_command: str, tmp_path: Path) -> dict[str, str]:
    """Only what the CLI needs to reach moto: dummy keys, and no profile, config or credentials file
    of this machine (HOME stays, because some installs of the CLI, pyenv's shims, need it)."""
    home = tmp_path / "aws"
    home.mkdir()
    kept = {key: os.environ[key] for key in ("HOME", "PYENV_ROOT", "PYENV_VERSION", "LANG") if key in os.environ}
    return {
        **kept,
        "PATH": os.environ["PATH"],
        "AWS_ENDPOINT_URL": clean_moto,
        # A guard: a call that ignored the endpoint would go through this proxy, where nothing
        # listens, instead of leaving the machine. moto itself, on 127.0.0.1, is reached directly.
        **{name: DEAD_PROXY for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")},
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_PAGER": "",
        "AWS_CLI": f"{sys.executable} {RECORDER}",
        "REAL_AWS_CLI": aws_command,
        "AWS_CALL_LOG": str(tmp_path / "calls.jsonl"),
        "DEPLOYMENT_CONFIGURATION_FILE": str(tmp_path / DEPLOYMENT_CONFIGURATION_FILE),
    }


@pytest.fixture
def clients(clean_moto: str, tmp_path: Path) -> dict:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    made = {name: session.client(name, endpoint_url=clean_moto) for name in ("ecs", "ec2", "elbv2")}
    made["deployment_configuration_file"] = tmp_path / DEPLOYMENT_CONFIGURATION_FILE
    return made


def task_definition(family: str = "orders-service") -> dict:
    return {
        "family": family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "512",
        "memory": "1024",
        "executionRoleArn": "arn:aws:iam::123456789012:role/orders-execution",
        "taskRoleArn": "arn:aws:iam::123456789012:role/orders-task",
        "containerDefinitions": [
            {
                "name": CONTAINER,
                "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service:abc",
                "essential": True,
                "cpu": 448,
                "memory": 896,
                "portMappings": [{"containerPort": APP_PORT, "protocol": "tcp"}],
                "environment": [
                    {"name": "HTTP_PORT", "value": str(APP_PORT)},
                    {"name": "METRICS_PORT", "value": str(METRICS_PORT)},
                    {"name": "STORE", "value": "postgres"},
                ],
                "healthCheck": {"command": ["CMD", "/usr/local/bin/orders-service", "healthcheck"]},
                "stopTimeout": 45,
            },
            {"name": "collector", "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0", "essential": False,
             "cpu": 64, "memory": 128},
        ],
    }


def build_service(clients: dict, *, rollback: bool = True, desired: int = DESIRED) -> dict:
    """A cluster, a target group, a task definition, a service with a load balancer, and its tasks
    (created with run_task and registered as targets: moto starts none for a service)."""
    ec2, ecs, elbv2 = clients["ec2"], clients["ecs"], clients["elbv2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # As the network stack's VPC has it; moto also needs it to give a task's interface its DNS name.
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    target_group = elbv2.create_target_group(
        Name="orders-service", Protocol="HTTP", Port=APP_PORT, VpcId=vpc, TargetType="ip", HealthCheckPath="/health"
    )["TargetGroups"][0]["TargetGroupArn"]
    ecs.create_cluster(clusterName=CLUSTER)
    live = ecs.register_task_definition(**task_definition())["taskDefinition"]["taskDefinitionArn"]
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}}
    deployment_configuration = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": rollback},
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
    }
    clients["deployment_configuration_file"].write_text(json.dumps(deployment_configuration))
    ecs.create_service(
        cluster=CLUSTER, serviceName=SERVICE, taskDefinition=live, desiredCount=desired, launchType="FARGATE",
        networkConfiguration=network,
        loadBalancers=[{"targetGroupArn": target_group, "containerName": CONTAINER, "containerPort": APP_PORT}],
        deploymentConfiguration=deployment_configuration,
    )  # fmt: skip
    tasks = [start_task(clients, live, network, target_group) for _ in range(desired)]
    return {"live": live, "target_group": target_group, "network": network, "tasks": tasks}


def start_task(clients: dict, task_definition_arn: str, network: dict, target_group: str) -> str:
    """A task of the service, registered in the target group by its address, as ECS would."""
    task = clients["ecs"].run_task(
        cluster=CLUSTER, taskDefinition=task_definition_arn, launchType="FARGATE", networkConfiguration=network,
        startedBy="ecs-svc/drill-test",
    )["tasks"][0]  # fmt: skip
    address = next(
        d["value"] for a in task["attachments"] for d in a["details"] if d["name"] == "privateIPv4Address"
    )
    clients["elbv2"].register_targets(TargetGroupArn=target_group, Targets=[{"Id": address, "Port": APP_PORT}])
    return task["taskArn"]


def run_script(name: str, arguments: list[str], environment: dict, stdin: str | None = None, timeout: float = 120):
    return subprocess.run(
        [str(SCRIPTS / name), *arguments], env=environment, input=stdin if stdin is not None else "",
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def calls(environment: dict) -> list[list[str]]:
    """Each AWS CLI call the script made, as its arguments, in order."""
    log = Path(environment["AWS_CALL_LOG"])
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def operations(environment: dict) -> list[str]:
    """The calls as "service operation" pairs, in order."""
    return [" ".join(call[:2]) for call in calls(environment)]
