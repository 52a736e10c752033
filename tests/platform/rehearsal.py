"""The platform command's rehearsal: `python -m tests.platform.rehearsal --image IMAGE`.

From an empty (emulated) account to two deployed environments side by side and back, with the
command a user runs (tools/platform, started as a process through tests/platform/launch.py):

0. `up staging --plan` on the empty account: the backend stack's plan, the later stacks named as
   not plannable yet, and no bucket created;
1. `up staging`, interrupted (SIGINT to its process group, as Ctrl-C sends) once the database stack's
   apply has created its first resource; it must let that apply finish (Terraform stopped mid-create
   can leave a resource outside its state) and then stop with its "run the same command again" line;
2. `up staging` again: it must skip what exists and finish; once staging's ecs stack exists,
   `up production --promote-from staging` runs beside it, in the same account;
3. what both must have left: distinct names, a deploy role per GitHub environment, the first image's
   digest in each service's task definition, each first API key in Secrets Manager, the database
   roles in each environment's database;
4. `down production`, and `down staging` beside it once production's service is gone (staging made
   the account's GitHub OIDC provider, which production uses); afterwards neither environment's cluster,
   database or VPC exists, and each final snapshot does.

Real here: Terraform and the AWS provider against moto's server on loopback (AWS itself is emulated),
a registry (Debian's docker-registry) in ECR's place, Docker running the admin container, PostgreSQL
in RDS's place. The emulator is moto as tools/infra/emulator_server.py serves it (one request at a
time; a change sent again not run twice), plus one fix (tests/platform/unique_rds_ids.py: a resource
id per database instance, as AWS gives). Not emulated, and named in the output: ECS running tasks, the RDS master secret's
login, TLS to the database, CloudFront (each environment is given a domain in a Route 53 zone instead,
as an owner of one does), and the resources of tests/infra/emulator-gaps.json.
Writes report.json and exits 1 on the first thing that does not hold.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TypeVar

import boto3

from tools.infra.emulator import MotoServer, client_environment, copy_for_emulator, free_port
from tools.infra.terraform_cli import ROOT, terraform_environment
from tools.platform.stand_ins import database_from_url

ENVIRONMENTS = ("staging", "production")
ZONE_NAME = "example.org"
# A resource of staging's database stack: once it exists, the first run's apply is creating, and is
# interrupted.
DATABASE_UNDER_WAY = "cloud-app-platform-staging-orders"  # its DB subnet group
RUN_TIMEOUT_SECONDS = 1800
T = TypeVar("T")


class RehearsalFailed(Exception):
    """Something the rehearsal requires did not hold."""


def check(condition: bool, message: str) -> None:
    """Raise RehearsalFailed with MESSAGE unless CONDITION holds."""
    if not condition:
        raise RehearsalFailed(message)


class Registry:
    """Debian's docker-registry on loopback, storing under the work directory."""

    def __init__(self, work: Path):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        config = work / "registry.yml"
        config.write_text(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {work / 'registry'}\n"
                          f"http:\n  addr: {self.address}\n")
        self.process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=open(work / "registry.log", "wb"),
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while subprocess.run(["curl", "-fs", f"http://{self.address}/v2/"], capture_output=True).returncode != 0:
            check(time.monotonic() < deadline and self.process.poll() is None, "docker-registry did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the registry."""
        self.process.terminate()
        self.process.wait(timeout=10)


class Run:
    """One platform command as a process in its own group, its lines echoed with a prefix."""

    def __init__(self, name: str, arguments: list[str], environment: dict[str, str], log: Path):
        self.name = name
        self.lines: list[str] = []
        self.log = log
        # As from a terminal: SIGINT at its default, which a background job (make test starts the
        # rehearsal as one) would otherwise pass on as ignored, and Python would then never see Ctrl-C.
        self.process = subprocess.Popen([sys.executable, "-m", "tests.platform.launch", *arguments], cwd=ROOT,
                                        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True,
                                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with open(self.log, "a") as sink:
            for line in self.process.stdout:
                line = line.rstrip("\n")
                self.lines.append(line)
                sink.write(line + "\n")
                print(f"  [{self.name}] {line}", flush=True)

    def wait_until(self, found: Callable[[], T | None], what: str, timeout: float = RUN_TIMEOUT_SECONDS,
                   every: float = 0.5) -> T:
        """What FOUND returns once it is not None, asked every EVERY seconds while the command runs, up to
        TIMEOUT seconds; WHAT names it in the failure."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (value := found()) is not None:
                return value
            check(self.process.poll() is None or self.reader.is_alive(),
                  f"{self.name} ended (exit {self.process.returncode}) before {what}")
            time.sleep(every)
        raise RehearsalFailed(f"{self.name}: waited {timeout:.0f} s for {what}")

    def wait_for_line(self, pattern: str, timeout: float = RUN_TIMEOUT_SECONDS) -> str:
        """The first line the command printed that matches PATTERN, waiting up to TIMEOUT seconds."""
        return self.wait_until(lambda: next((line for line in list(self.lines) if re.search(pattern, line)), None),
                               f"printing /{pattern}/", timeout)

    def interrupt(self) -> None:
        """SIGINT to the command's whole process group, as Ctrl-C in a terminal sends it."""
        os.killpg(self.process.pid, signal.SIGINT)

    def finish(self, timeout: float = RUN_TIMEOUT_SECONDS) -> int:
        """Wait for the command to end; its exit status."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise RehearsalFailed(f"{self.name} did not finish within {timeout:.0f} s") from None
        self.reader.join(timeout=10)
        return code

    def step_times(self) -> list[str]:
        """The lines of the command's closing table: each step, its seconds and what it did."""
        return [line.strip() for line in self.lines if re.match(r"\s+\d+\. ", line)]


def service_role(environment: str) -> str:
    """The service's group role in ENVIRONMENT's rehearsal database."""
    return f"rehearsal_{environment}"


def prepare_root(work: Path, url: str, zone_id: str) -> Path:
    """The stacks with the emulator's override files, the committed environments, and a domain each."""
    root = copy_for_emulator(work, url, ROOT)
    shutil.copytree(ROOT / "terraform" / "environments", root / "environments", dirs_exist_ok=True)
    for environment in ENVIRONMENTS:
        # PostgreSQL roles belong to the whole server, which the rehearsal shares with the service
        # tests (they use orders_service): each environment's roles get a name of their own.
        with open(root / "environments" / environment / "database.tfvars", "a") as values:
            values.write(f'\n# The rehearsal: roles of their own on the shared local PostgreSQL\n'
                         f'service_username = "{service_role(environment)}"\n')
        with open(root / "environments" / environment / "ecs.tfvars", "a") as values:
            values.write(f'\n# The rehearsal: the owner\'s domain, in place of CloudFront (not emulated)\n'
                         f'entry_point     = "load_balancer"\ndomain_name     = "{environment}.api.{ZONE_NAME}"\n'
                         f'route53_zone_id = "{zone_id}"\n')
    return root


def verify_up(aws: dict[str, object], postgres_url: str) -> dict[str, object]:
    """What two environments side by side must have left in the (emulated) account."""
    ecs, iam, secrets = aws["ecs"], aws["iam"], aws["secretsmanager"]
    found: dict[str, object] = {}
    clusters = set(ecs.list_clusters()["clusterArns"])
    for environment in ENVIRONMENTS:
        name = f"orders-{environment}"
        check(any(arn.endswith(f"/{name}") for arn in clusters), f"no cluster {name}: {clusters}")
        service = ecs.describe_services(cluster=name, services=[name])["services"][0]
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        image = definition["containerDefinitions"][0]["image"]
        check("@sha256:" in image, f"{name} runs {image}, not a pushed digest")
        role = iam.get_role(RoleName=f"{name}-github-deploy")["Role"]
        subjects = json.dumps(role["AssumeRolePolicyDocument"])
        check(f"environment:{environment}" in subjects and
              (environment == "staging") == ("environment:production" not in subjects),
              f"{name}'s deploy role trusts {subjects}")
        secret = f"cloud-app-platform-{environment}/api-keys/smoke-test"
        check(bool(secrets.describe_secret(SecretId=secret)["ARN"]), f"no {secret}")
        found[environment] = {"cluster": name, "image": image.rsplit("/", 1)[-1], "key secret": secret}
    images = {found[environment]["image"].split("@")[1] for environment in ENVIRONMENTS}
    check(len(images) == 1, f"production does not run staging's digest: {images}")
    database = database_from_url(postgres_url)
    for environment in ENVIRONMENTS:
        # The password goes by environment, never on a command line that an error would print.
        answer = subprocess.run(["psql", "-h", database.host, "-p", str(database.port), "-U", database.user,
                                 "-d", f"orders_{environment}", "-tAc",
                                 "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace "
                                 f"WHERE pg_get_userbyid(nspowner) = '{service_role(environment)}'"],
                                env={**os.environ, "PGPASSWORD": database.password}, capture_output=True, text=True)
        check(answer.returncode == 0, f"psql on orders_{environment}: {answer.stderr.strip()}")
        schemas = answer.stdout.strip()
        check(service_role(environment) in schemas.split(","),
              f"orders_{environment} has no schema {service_role(environment)} owned by the service's role: {schemas!r}")
        found[environment]["service schema"] = schemas
    return found


def verify_github(aws: dict[str, object], record: Path, work: Path, root: Path) -> dict[str, object]:
    """Each environment's variables hold its outputs; its secret got the key through standard input, and
    the key is in no console line and no log of the platform command."""
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    found: dict[str, object] = {}
    for environment in ENVIRONMENTS:
        variables = {call["arguments"][2]: call["arguments"][-1] for call in calls
                     if call["arguments"][:2] == ["variable", "set"] and ["--env", environment] == call["arguments"][3:5]}
        check(variables.get("ECS_CLUSTER") == f"orders-{environment}" and
              variables.get("SERVICE_URL") == f"https://{environment}.api.{ZONE_NAME}",
              f"{environment}'s variables: {variables}")
        secret = [call for call in calls if call["arguments"][:3] == ["secret", "set", "SMOKE_TEST_API_KEY"]
                  and call["arguments"][3:5] == ["--env", environment]]
        key = aws["secretsmanager"].get_secret_value(
            SecretId=f"cloud-app-platform-{environment}/api-keys/smoke-test")["SecretString"]
        check(len(secret) == 1 and secret[0]["stdin"] == key and key not in " ".join(secret[0]["arguments"]),
              f"{environment}'s SMOKE_TEST_API_KEY was not set from its key through standard input")
        logs = [path for path in (ROOT / "out" / "platform").rglob("*") if path.is_file()] + [work / "console.log"]
        check(not any(key in path.read_text(errors="replace") for path in logs),
              f"{environment}'s key appears in a log")
        found[environment] = sorted(variables)
    check("PROMOTE_FROM_ECR_REPOSITORY_URL" in found["production"], "production got no PROMOTE_FROM_ECR_REPOSITORY_URL")
    return found


def verify_down(aws: dict[str, object]) -> dict[str, object]:
    """What the two teardowns must have left: no cluster, instance or VPC, and each final snapshot."""
    ecs, rds, ec2 = aws["ecs"], aws["rds"], aws["ec2"]
    active = [cluster["clusterName"] for cluster in ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
              if cluster["status"] == "ACTIVE"] if ecs.list_clusters()["clusterArns"] else []
    check(not active, f"clusters left: {active}")
    instances = [instance["DBInstanceIdentifier"] for instance in rds.describe_db_instances()["DBInstances"]]
    check(not instances, f"database instances left: {instances}")
    vpcs = [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"] if not vpc.get("IsDefault")]
    check(not vpcs, f"VPCs left: {vpcs}")
    snapshots = sorted(snapshot["DBSnapshotIdentifier"] for snapshot in rds.describe_db_snapshots()["DBSnapshots"])
    for environment in ENVIRONMENTS:
        check(any(name.startswith(f"cloud-app-platform-{environment}-orders-final-") for name in snapshots),
              f"no final snapshot of {environment}: {snapshots}")
    return {"final snapshots kept": snapshots}


def main() -> int:
    """Run the rehearsal; 0 when everything held, 1 on the first thing that did not."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, help="the service image the first deploy pushes")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "out" / "platform-rehearsal")
    parser.add_argument("--postgres-url", help="the superuser URL of the PostgreSQL in RDS's place "
                        "(default: the test sandbox's, scripts/postgres-sandbox.sh)")
    arguments = parser.parse_args()
    if not arguments.postgres_url:
        arguments.postgres_url = subprocess.run([str(ROOT / "scripts" / "postgres-sandbox.sh"), "admin-url"],
                                                capture_output=True, text=True, check=True).stdout.strip()
    work: Path = arguments.work_dir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    report: dict[str, object] = {"emulated": "AWS APIs (moto)", "real": "Terraform, AWS provider, docker-registry, Docker, PostgreSQL"}
    started = time.monotonic()
    registry = Registry(work)
    try:
        emulator = [sys.executable, "-m", "tests.platform.unique_rds_ids"]
        with MotoServer(work / "emulator", {"MOTO_ACM_VALIDATION_WAIT": "1"}, emulator) as server:
            client = client_environment(server)
            aws = {name: boto3.client(name, region_name="eu-west-1", endpoint_url=server.url, verify=str(server.certificate),
                                      aws_access_key_id="test", aws_secret_access_key="test")
                   for name in ("ecs", "iam", "secretsmanager", "rds", "ec2", "route53", "s3")}
            zone = aws["route53"].create_hosted_zone(Name=ZONE_NAME, CallerReference=f"rehearsal-{time.time()}")
            zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
            root = prepare_root(work, server.url, zone_id)
            environment = {**terraform_environment(client), "PLATFORM_REGISTRY": registry.address,
                           "PLATFORM_POSTGRES": arguments.postgres_url, "TF_PLUGIN_CACHE_DIR": str(work / "plugins")}
            (work / "plugins").mkdir()
            log = work / "console.log"

            def launch(name: str, *command: str) -> Run:
                return Run(name, ["--terraform-root", str(root), *command], environment, log)

            print("==> up staging --plan on the empty account: plans, and nothing applied", flush=True)
            planned = launch("staging", "up", "staging", "--plan")
            check(planned.finish() == 0, "up staging --plan did not finish")
            planned.wait_for_line(r"^nothing was applied\.$")
            backend_plan = planned.wait_for_line(r"^\[1/4\] plan backend: Plan: \d+ to add")
            buckets = aws["s3"].list_buckets()["Buckets"]
            check(not buckets, f"--plan created buckets: {buckets}")
            report["plan only"] = {"backend": backend_plan, "buckets afterwards": len(buckets),
                                   "later stacks": [line for line in planned.lines if "not planned:" in line and line.startswith("[")]}

            print("==> up staging, interrupted while the database stack is applied", flush=True)
            first = launch("staging", "up", "staging", "--image", arguments.image)
            first.wait_for_line(r"^\[3/8\] database \.\.\.$")
            first.wait_until(lambda: any(group["DBSubnetGroupName"] == DATABASE_UNDER_WAY for group in
                                         aws["rds"].describe_db_subnet_groups()["DBSubnetGroups"]) or None,
                             f"DB subnet group {DATABASE_UNDER_WAY}", every=0.2)
            first.interrupt()
            code = first.finish()
            check(code == 130, f"the interrupted run exited {code}, not 130")
            # Terraform did not get that Ctrl-C: its apply finished, so nothing was left outside the state.
            finished = first.wait_for_line(r"^Ctrl-C: database-apply is left to finish")
            interrupted = first.wait_for_line(r"^interrupted at step 3 of 8")
            report["interrupted"] = {"exit": code, "said": [finished, interrupted]}

            print("==> up staging again, and up production beside it once staging's ecs stack exists", flush=True)
            staging = launch("staging", "up", "staging", "--image", arguments.image)
            staging.wait_for_line(r"^\[4/8\] ecs, first apply \(no tasks yet\): ")
            production = launch("production", "up", "production", "--image", arguments.image, "--promote-from", "staging")
            for run in (staging, production):
                code = run.finish()
                check(code == 0, f"up {run.name} exited {code}")
            rerun = [line for line in staging.lines if re.match(r"^\[\d/8\] .*: ", line)]
            check(any("present (bucket" in line for line in rerun), "the rerun did not find the state bucket in place")
            report["up"] = {"staging rerun": staging.step_times(), "production": production.step_times(),
                            "urls": [line.strip() for run in (staging, production) for line in run.lines if "service URL" in line],
                            "stand-ins": sorted({part for run in (staging, production) for line in run.lines
                                                 for part in re.findall(r"stand-in for [^:;)]*", line)})}
            report["left by up"] = verify_up(aws, arguments.postgres_url)

            print("==> github staging and github production, the GitHub CLI recorded", flush=True)
            record = work / "gh-calls.jsonl"
            gh_environment = {**environment, "GH_CLI": f"{sys.executable} {ROOT / 'tests' / 'platform' / 'record_gh.py'} {record}"}
            for name, extra in (("staging", []), ("production", ["--promote-from", "staging"])):
                run = Run(f"{name} github", ["--terraform-root", str(root), "github", name, *extra], gh_environment, log)
                code = run.finish()
                check(code == 0, f"github {name} exited {code}")
            report["github"] = verify_github(aws, record, work, root)

            # Staging created the account's GitHub OIDC provider, which production uses: its down starts
            # once production's service is gone (docs/environments.md); the rest runs side by side.
            print("==> down production, and down staging beside it once production's ecs stack is gone", flush=True)
            downs = [launch("production", "down", "production")]
            downs[0].wait_for_line(r"^\[1/4\] ecs: ")
            downs.append(launch("staging", "down", "staging"))
            for run in downs:
                code = run.finish()
                check(code == 0, f"down {run.name} exited {code}")
            report["down"] = {run.name: run.step_times() for run in downs}
            report["left by down"] = verify_down(aws)
    except (RehearsalFailed, OSError, subprocess.SubprocessError, KeyError) as failed:
        report["failed"] = f"{type(failed).__name__}: {failed}"
        print(f"platform rehearsal FAILED: {failed}", flush=True)
        return 1
    finally:
        registry.stop()
        report["seconds"] = round(time.monotonic() - started)
        (work / "report.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"platform rehearsal: passed in {report['seconds']} s\n{json.dumps(report, indent=2, default=str)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
