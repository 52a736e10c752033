"""Every stack's whole life against the AWS emulator: `python -m tools.infra.lifecycle_run`.

The documented sequence (docs/infrastructure.md, "Apply and destroy"), with real Terraform, on a copy
of terraform/ pointed at moto's server on loopback:

1. backend: apply with local state; its `backend_hcl` output becomes terraform/backend.hcl;
2. network, database (PostgreSQL 16, so the upgrade to 17 can be planned), then ecs: init with
   ../backend.hcl, apply, plan again (no changes), and each output a later stack reads must exist;
3. ecs is applied the way a new environment is: first with service_bootstrap, then a deploy as the
   workflow makes it (a new task definition revision with a pushed image's digest), then applied
   again without: the task definitions Terraform registers must now name the deployed image. Those
   applies use the default entry point, CloudFront (whose VPC origin, response headers policy and
   distribution moto lacks: left out and named); then the stack gets a domain, as an owner who buys
   one does, and is applied with it: certificate validated through a Route 53 zone, alias records,
   HTTPS listener with HSTS, port 80 redirecting. The teardown starts from that setup;
4. plans kept for the plan-level tests (tests/infra/plans): each stack as applied (ecs with its
   domain), with the longest names its variables allow, each other HTTPS setup (CloudFront, and the
   plain-HTTP demo), the plain-HTTP setup the stack must refuse (its error kept), and the changes the
   docs describe (CloudFront to a domain, a region opened after August 2022, a PostgreSQL major
   upgrade);
5. the documented teardown, stack by stack in reverse order, with the commands of
   docs/infrastructure.md ("Teardown"), then what it promises to keep is checked: the final snapshot,
   and the key it is encrypted with, still enabled.

Prints a line per step, writes report.json in the work directory, and exits 1 on the first failure.
What the emulator cannot do is named (tests/infra/emulator-gaps.json); nothing is skipped silently.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools.infra.emulator import MotoServer, client_environment
from tools.infra.lifecycle import EmulatorGaps, Lifecycle, LifecycleError
from tools.infra.stack import load_stacks
from tools.infra.terraform_cli import ROOT, STACKS, TerraformMissing, provider_source, terraform_version

DOCS = ROOT / "docs" / "infrastructure.md"
REGION = "eu-west-1"
# A region opened after August 2022, where load balancers deliver access logs as a service principal.
NEWER_REGION = "ap-southeast-4"
# The longest values the stacks' variable validations accept.
LONGEST_PROJECT = "abcdefghijklmnopqrstuvwxyz-12345"
LONGEST_SERVICE_NAME = "orders-service-abc-1"
GITHUB = {"github_owner": "example-org", "github_repository": "cloud-app-platform"}
DEPLOYED_DIGEST = "sha256:" + "5e" * 32
# The public zone an owner of a domain has; the API gets a name in it.
ZONE_NAME = "example.org"
DOMAIN_NAME = "api.example.org"
# Who may assume the operator role (moto's account).
OPERATOR = "arn:aws:iam::123456789012:role/oncall"
# The other HTTPS setups, planned on the stack applied with its domain.
CLOUDFRONT = {"entry_point": "cloudfront", "domain_name": None, "route53_zone_id": None}
PLAIN_HTTP = {"entry_point": "load_balancer", "domain_name": None, "route53_zone_id": None}
# moto issues a requested certificate this many seconds after the request (ACM waits for DNS).
ACM_VALIDATION_SECONDS = "1"


def documented_teardown(docs: Path = DOCS) -> dict[str, list[list[str]]]:
    """The teardown commands of docs/infrastructure.md, by stack: the ```sh block after `<!-- teardown: STACK -->`."""
    text = docs.read_text()
    steps: dict[str, list[list[str]]] = {}
    for stack, block in re.findall(r"<!-- teardown: (\w+) -->\s*```sh\n(.*?)```", text, flags=re.DOTALL):
        commands = [line.split("#")[0].split() for line in block.splitlines()]
        steps[stack] = [command[1:] for command in commands if command and command[0] == "terraform"]
    return steps


def remote_state_reads() -> dict[str, set[str]]:
    """Outputs each stack's outputs are read for by the later stacks: {producer: {output names}}."""
    reads: dict[str, set[str]] = {}
    for stack in load_stacks(ROOT / "terraform").values():
        text = "\n".join(path.read_text() for path in sorted(stack.path.glob("*.tf")))
        for remote, output in re.findall(r"data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)", text):
            producer = stack.remote_states[remote].producer
            reads.setdefault(producer, set()).add(output)
    return reads


class LifecycleRun:
    """The sequence of the module docstring, step by step, with a line of output per step."""

    def __init__(self, work_dir: Path, server: MotoServer):
        self.work_dir = work_dir
        self.lifecycle = Lifecycle(work_dir / "run", server, EmulatorGaps.load(), log=self.say)
        self.environment = client_environment(server)
        self.outputs: dict[str, dict[str, object]] = {}
        self.checks: list[str] = []
        self.started = time.monotonic()

    def say(self, line: str) -> None:
        print(line, flush=True)

    def check(self, condition: bool, passed: str, failed: str) -> None:
        """A check of the run: printed and kept in the report either way; a failure ends the run."""
        if not condition:
            raise LifecycleError(failed)
        self.checks.append(passed)
        self.say(f"  ok: {passed}")

    def aws(self, service: str):
        """A boto3 client for the emulator (for what the deploy workflow and the checks call)."""
        import boto3

        for name, value in self.environment.items():
            os.environ[name] = value
        return boto3.client(service, region_name=REGION, endpoint_url=self.environment["AWS_ENDPOINT_URL"])

    # --- The sequence --------------------------------------------------------------------------------

    def run(self) -> None:
        lifecycle = self.lifecycle
        self.say("==> apply, in order: backend, network, database, ecs")
        lifecycle.apply("backend")
        self.outputs["backend"] = lifecycle.outputs("backend")
        (lifecycle.terraform_root / "backend.hcl").write_text(str(self.outputs["backend"]["backend_hcl"]))
        state = {"state_bucket": self.outputs["backend"]["state_bucket"], "state_region": self.outputs["backend"]["state_region"]}
        lifecycle.variables = {
            "database": {**state, "engine_major_version": "16"},
            "ecs": {**state, **GITHUB, "aws_region": REGION, "operator_principal_arns": [OPERATOR]},
        }
        for stack in ("network", "database"):
            lifecycle.apply(stack)
            self.outputs[stack] = lifecycle.outputs(stack)
        self.say("==> ecs as a new environment: CloudFront, the default entry point")
        lifecycle.apply("ecs", {"service_bootstrap": True})
        self.deploy_like_the_workflow()
        lifecycle.apply("ecs")
        self.check_images_follow_the_deployment()
        self.say(f"==> ecs with a domain of its own: {DOMAIN_NAME} in a Route 53 zone")
        domain = {"entry_point": "load_balancer", "domain_name": DOMAIN_NAME, "route53_zone_id": self.hosted_zone()}
        lifecycle.save_plan("ecs", "cloudfront-to-domain", domain)
        self.lift_the_old_balancers_deletion_protection()
        lifecycle.variables["ecs"].update(domain)
        lifecycle.apply("ecs")
        self.outputs["ecs"] = lifecycle.outputs("ecs")
        self.check_images_follow_the_deployment()
        self.check_the_domain_serves_https()
        self.check_outputs_are_what_later_stacks_read()
        stale = lifecycle.unused_drift_entries()
        self.check(not stale, "every attributes_not_returned entry of emulator-gaps.json was needed",
                   f"emulator-gaps.json lists attributes no plan needed (remove them): {', '.join(stale)}")

        self.say("==> plans kept for the plan-level tests")
        self.keep_plans()

        self.say("==> the documented teardown (docs/infrastructure.md), ecs, database, network, backend")
        self.teardown()

    def deploy_like_the_workflow(self) -> None:
        """What the deploy workflow does to ECS: a revision of the live family with a pushed image, then the service on it."""
        ecr, ecs = self.aws("ecr"), self.aws("ecs")
        repository = "orders-service"
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                               "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                          "digest": DEPLOYED_DIGEST}, "layers": []})
        pushed = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="release-1")
        digest = pushed["image"]["imageId"]["imageDigest"]
        url = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]["repositoryUri"]
        self.deployed_image = f"{url}@{digest}"
        live = ecs.describe_task_definition(taskDefinition="orders-service")["taskDefinition"]
        containers = [dict(container, image=self.deployed_image) if container["name"] == "orders-service" else container
                      for container in live["containerDefinitions"]]
        keep = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "volumes", "requiresCompatibilities",
                "cpu", "memory", "runtimePlatform")
        revision = ecs.register_task_definition(containerDefinitions=containers,
                                                **{key: live[key] for key in keep if key in live})
        arn = revision["taskDefinition"]["taskDefinitionArn"]
        ecs.update_service(cluster="orders-service", service="orders-service", taskDefinition=arn)
        self.say(f"  deploy as the workflow does: pushed {digest[:19]}..., registered {arn.rsplit('/', 1)[1]}, service updated")

    def check_images_follow_the_deployment(self) -> None:
        ecs = self.aws("ecs")
        for family, container in (("orders-service", "orders-service"), ("orders-service-admin", "orders-admin")):
            definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
            image = next(item["image"] for item in definition["containerDefinitions"] if item["name"] == container)
            self.check(image == self.deployed_image,
                       f"{family}:{definition['revision']} (registered by Terraform's apply) runs the deployed image",
                       f"{family}:{definition['revision']} runs {image}, not the deployed {self.deployed_image}")

    def hosted_zone(self) -> str:
        """The owner's public zone (made here as an owner has it before the stack); its id."""
        zone = self.aws("route53").create_hosted_zone(Name=ZONE_NAME, CallerReference=f"lifecycle-{time.time()}")
        zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
        self.say(f"  the owner's zone {ZONE_NAME}: {zone_id}")
        return zone_id

    def lift_the_old_balancers_deletion_protection(self) -> None:
        """The documented step before switching setups (docs/infrastructure.md, "HTTPS"): the switch
        replaces the balancer, which deletion protection would stop on AWS (moto does not enforce it)."""
        elbv2 = self.aws("elbv2")
        arn = elbv2.describe_load_balancers(Names=["orders-service"])["LoadBalancers"][0]["LoadBalancerArn"]
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}])
        attributes = {item["Key"]: item["Value"] for item in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        self.check(attributes.get("deletion_protection.enabled") == "false",
                   "the old load balancer's deletion protection is off, as the switch's documented first step",
                   f"deletion protection of {arn} is still {attributes.get('deletion_protection.enabled')}")

    def check_the_domain_serves_https(self) -> None:
        """What the apply left in ACM, Route 53 and ELB for the domain, read back from the emulator."""
        url = self.outputs["ecs"].get("service_url")
        self.check(url == f"https://{DOMAIN_NAME}", f"service_url is {url}",
                   f"service_url is {url!r}, not https://{DOMAIN_NAME}")
        acm, elbv2 = self.aws("acm"), self.aws("elbv2")
        certificates = acm.list_certificates()["CertificateSummaryList"]
        issued = [item for item in certificates if item["DomainName"] == DOMAIN_NAME and item.get("Status") == "ISSUED"]
        self.check(len(issued) == 1, f"the certificate for {DOMAIN_NAME} is issued",
                   f"no issued certificate for {DOMAIN_NAME}: {certificates}")
        balancer = elbv2.describe_load_balancers(Names=["orders-service"])["LoadBalancers"][0]
        listeners = {item["Port"]: item for item in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]}
        https = listeners.get(443, {})
        redirect = (listeners.get(80, {}).get("DefaultActions") or [{}])[0]
        attributes = {item["Key"]: item["Value"] for item in elbv2.describe_listener_attributes(
            ListenerArn=https.get("ListenerArn", ""))["Attributes"]} if https else {}
        # A balancer created without a scheme is internet-facing (the API's default; moto then returns none).
        scheme = balancer.get("Scheme") or "internet-facing"
        self.check(
            scheme == "internet-facing" and https.get("SslPolicy", "").startswith("ELBSecurityPolicy-TLS13-")
            and [item["CertificateArn"] for item in https.get("Certificates", [])] == [issued[0]["CertificateArn"]]
            and redirect.get("Type") == "redirect" and redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"
            and attributes.get("routing.http.response.strict_transport_security.header_value", "").startswith("max-age="),
            f"{scheme} balancer; listeners: 443 {https.get('SslPolicy')} with that certificate and HSTS "
            f"({attributes.get('routing.http.response.strict_transport_security.header_value')}); 80 {redirect.get('Type')} "
            f"{redirect.get('RedirectConfig', {}).get('StatusCode')}",
            f"the load balancer's listeners are not the domain setup: {listeners}, attributes {attributes}")

    def check_outputs_are_what_later_stacks_read(self) -> None:
        for producer, names in sorted(remote_state_reads().items()):
            missing = sorted(name for name in names if self.outputs.get(producer, {}).get(name) in (None, "", []))
            self.check(not missing, f"{producer}: the {len(names)} outputs later stacks read are set",
                       f"{producer}: outputs read by later stacks are missing or empty: {', '.join(missing)}")

    def keep_plans(self) -> None:
        """The plans the plan-level tests read, two at a time (each plan is mostly waiting on the emulator)."""
        started = time.monotonic()
        plans = [
            # ecs as applied (with its domain), with the resources the emulator cannot apply (the others
            # keep the plan they were planned again with right after their apply).
            ("ecs", "applied", {}),
            ("ecs", "cloudfront", CLOUDFRONT),
            ("ecs", "plain-http-demo", {**PLAIN_HTTP, "allow_plain_http_demo": True}),
            ("network", "longest-names", {"project": LONGEST_PROJECT}),
            ("database", "longest-names", {"project": LONGEST_PROJECT}),
            ("ecs", "longest-names", {"project": LONGEST_PROJECT, "service_name": LONGEST_SERVICE_NAME, "image": DEPLOYED_DIGEST}),
            ("ecs", "newer-region", {"aws_region": NEWER_REGION, "image": DEPLOYED_DIGEST}),
            ("database", "major-upgrade", {"engine_major_version": "17", "retained_parameter_group_versions": ["16"]}),
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(self.lifecycle.save_plan, *plan) for plan in plans]
            futures.append(pool.submit(self.lifecycle.refused_plan, "ecs", "plain-http-refused", PLAIN_HTTP))
            for future in futures:
                future.result()
        kept = sorted(path.name for path in self.lifecycle.plans_dir.glob("*.*"))
        self.say(f"  kept {len(kept)} plans in {time.monotonic() - started:.0f} s: {', '.join(kept)}")

    def teardown(self) -> None:
        lifecycle = self.lifecycle
        steps = documented_teardown()
        self.check(list(steps) == list(reversed(STACKS)), f"docs/infrastructure.md has teardown steps for {', '.join(steps)}",
                   f"docs/infrastructure.md's teardown steps are for {list(steps)}, not {list(reversed(STACKS))} in that order")
        database = self.outputs["database"]
        for stack, commands in steps.items():
            started = time.monotonic()
            before = len(lifecycle.state_resources(stack))
            targets = lifecycle.targets(stack)
            for command in commands:
                if stack == "backend" and command[0] == "destroy":
                    self.empty_state_bucket_one_version_at_a_time()
                lifecycle.run_documented(stack, command + (targets if command[0] == "apply" else []))
            left = lifecycle.state_resources(stack)
            self.check(not left, f"{stack}: {' / '.join('terraform ' + ' '.join(c) for c in commands)}: "
                       f"{before} resources gone in {time.monotonic() - started:.0f} s",
                       f"{stack}: the documented teardown left {', '.join(left)}")
            lifecycle.report(stack).destroyed = before
        rds, kms = self.aws("rds"), self.aws("kms")
        snapshots = rds.describe_db_snapshots(DBInstanceIdentifier=database["instance_identifier"])["DBSnapshots"]
        finals = [snapshot for snapshot in snapshots if snapshot["DBSnapshotIdentifier"] == database["final_snapshot_identifier"]]
        self.check(len(finals) == 1, f"final snapshot {database['final_snapshot_identifier']} kept",
                   f"no final snapshot {database['final_snapshot_identifier']} after the teardown (found {[s['DBSnapshotIdentifier'] for s in snapshots]})")
        key = kms.describe_key(KeyId=finals[0]["KmsKeyId"])["KeyMetadata"]
        self.check(key["KeyState"] == "Enabled", f"its key {key['KeyId']} is kept, Enabled: the snapshot stays restorable",
                   f"the final snapshot's key is {key['KeyState']}: the snapshot becomes unrestorable")

    def empty_state_bucket_one_version_at_a_time(self) -> None:
        """A stand-in for one step of `terraform destroy` the emulator gets wrong.

        With allow_destroy the provider empties the state bucket with DeleteObjects; moto's
        DeleteObjects fails on the lock objects' delete markers once versioning is suspended
        (AttributeError in moto, HTTP 500). Deleting each version by id is the same end state.
        """
        s3 = self.aws("s3")
        bucket = str(self.outputs["backend"]["state_bucket"])
        listed = s3.list_object_versions(Bucket=bucket)
        versions = listed.get("Versions", []) + listed.get("DeleteMarkers", [])
        for version in versions:
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
        self.checks.append(f"stand-in: {len(versions)} object versions of {bucket} deleted one by one")
        self.say(f"  stand-in (emulator): {len(versions)} object versions of the state bucket deleted one by one, "
                 "as moto's DeleteObjects fails on delete markers")

    def write_report(self, status: str, error: str = "") -> Path:
        report = {
            "status": status, "error": error, "seconds": round(time.monotonic() - self.started),
            "stacks": {name: vars(report) for name, report in self.lifecycle.reports.items()},
            "checks": self.checks, "plans_dir": str(self.lifecycle.plans_dir),
        }
        path = self.work_dir / "report.json"
        path.write_text(json.dumps(report, indent=2))
        return path

    def summary(self) -> None:
        self.say("==> per stack")
        for name, report in self.lifecycle.reports.items():
            gaps = "; ".join([f"{address} ({reason})" for address, reason in report.not_emulated.items()]
                             + [f"{address} ({why})" for address, why in report.left_out.items()])
            total = report.resources_applied + len(report.not_emulated) + len(report.left_out)
            self.say(f"  {name}: {report.resources_applied} of {total} resources applied"
                     + (f"; not emulated: {gaps}" if gaps else "; every resource emulated")
                     + f"; re-plan: {report.replan}; destroyed {report.destroyed}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.infra.lifecycle_run", description=__doc__.split("\n")[0])
    parser.add_argument("--work-dir", type=Path, help="where the copy, plans, logs and report.json go (default: temporary)")
    args = parser.parse_args(argv)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="infra-lifecycle-"))
    if work_dir.exists():
        import shutil

        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    try:
        print(f"{terraform_version()}; AWS provider from {provider_source().description}", flush=True)
    except TerraformMissing as missing:
        print(f"infra-apply-test: {missing}", file=sys.stderr)
        return 1
    print("Emulated: the AWS APIs moto implements, on https://127.0.0.1 (tests/infra/emulator-gaps.json names what "
          "it does not); not emulated: IAM evaluation, service behaviour (no task runs, no load balancer serves)", flush=True)
    with MotoServer(work_dir / "emulator", {"MOTO_ACM_VALIDATION_WAIT": ACM_VALIDATION_SECONDS}) as server:
        run = LifecycleRun(work_dir, server)
        try:
            run.run()
        except LifecycleError as error:
            run.summary()
            print(f"infra-apply-test FAILED: {error}", file=sys.stderr)
            print(f"report: {run.write_report('failed', str(error))}")
            return 1
        run.summary()
        print(f"report: {run.write_report('passed')}")
        print(f"infra-apply-test: passed in {round(time.monotonic() - run.started)} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
