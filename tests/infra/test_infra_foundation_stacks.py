"""The foundation stacks (backend, network, database) keep the promises docs/infrastructure.md makes.

Each test reads the stack's HCL through tools.infra and points at the one setting a promise rests
on, so removing that setting fails a test that names it.
"""

from __future__ import annotations

import re
from pathlib import Path

from tools.infra import load_stack
from tools.infra.check import run_checks
from tools.infra.references import stack_references

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
BACKEND = load_stack(TERRAFORM / "backend")
NETWORK = load_stack(TERRAFORM / "network")
DATABASE = load_stack(TERRAFORM / "database")


def test_every_foundation_stack_passes_the_checker():
    result = run_checks(TERRAFORM)
    mine = [f.render() for f in result.findings if f.file.parts[-2] in ("backend", "network", "database")]
    assert mine == []
    assert {"backend", "network", "database"} <= set(result.stacks)
    assert result.order.index("network") < result.order.index("database")


# --- backend ---------------------------------------------------------------------------------------

def test_state_bucket_is_versioned_encrypted_and_private():
    assert BACKEND.resource("aws_s3_bucket_versioning", "state").child("versioning_configuration").get("status") == "Enabled"
    sse = BACKEND.resource("aws_s3_bucket_server_side_encryption_configuration", "state").child("rule")
    default = sse.child("apply_server_side_encryption_by_default")
    assert default.get("sse_algorithm") == "aws:kms"
    assert default.get("kms_master_key_id") == "${aws_kms_key.state.arn}"
    block = BACKEND.resource("aws_s3_bucket_public_access_block", "state")
    for setting in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert block.get(setting) is True, setting
    assert BACKEND.resource("aws_kms_key", "state").get("enable_key_rotation") is True


def test_state_bucket_denies_requests_without_tls():
    text = BACKEND.resource("aws_s3_bucket_policy", "state").attributes["policy"].value
    assert '"aws:SecureTransport" = "false"' in text and 'Effect = "Deny"' in text


def test_old_state_versions_expire_and_no_lock_table_exists():
    rule = BACKEND.resource("aws_s3_bucket_lifecycle_configuration", "state").child("rule")
    assert rule.child("noncurrent_version_expiration").get("noncurrent_days") == "${var.noncurrent_version_retention_days}"
    assert not [key for key in BACKEND.resources if key[0] == "aws_dynamodb_table"]


def test_backend_keeps_local_state_and_other_stacks_lock_in_s3():
    assert not [b for t in BACKEND.of_type("terraform") for b in t.children("backend")]
    for stack in (NETWORK, DATABASE):
        backend = stack.of_type("terraform")[0].child("backend")
        assert backend.labels == ["s3"]
        assert backend.get("use_lockfile") is True
        assert backend.get("key") == f"{stack.name}/terraform.tfstate"
        assert backend.get("encrypt") is True


def test_allow_destroy_sets_force_destroy_on_the_bucket():
    assert BACKEND.resource("aws_s3_bucket", "state").get("force_destroy") == "${var.allow_destroy}"
    assert BACKEND.variables["allow_destroy"].get("default") is False


# --- network ---------------------------------------------------------------------------------------

def test_default_security_group_is_emptied():
    default = NETWORK.resource("aws_default_security_group", "default")
    assert default.children("ingress") == [] and default.children("egress") == []


def test_flow_logs_go_to_an_encrypted_log_group_with_retention():
    flow = NETWORK.resource("aws_flow_log", "vpc")
    assert flow.get("log_destination") == "${aws_cloudwatch_log_group.flow_logs.arn}"
    group = NETWORK.resource("aws_cloudwatch_log_group", "flow_logs")
    assert group.get("retention_in_days") == "${var.flow_log_retention_days}"
    assert group.get("kms_key_id") == "${aws_kms_key.logs.arn}"


def test_private_task_subnets_and_their_endpoints_are_off_by_default():
    assert NETWORK.variables["tasks_in_private_subnets"].get("default") is False
    endpoints = NETWORK.locals["interface_endpoints"].value
    for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager"):
        assert f'"{service}"' in endpoints
    assert NETWORK.resource("aws_vpc_endpoint", "s3").get("vpc_endpoint_type") == "Gateway"


def test_database_subnets_have_no_route_out():
    assert not [key for key in NETWORK.resources if key[0] == "aws_route" and "database" in key[1]]
    assert NETWORK.resource("aws_route", "public_internet").get("route_table_id") == "${aws_route_table.public.id}"


def test_network_owns_the_tasks_security_group_empty():
    tasks = NETWORK.resource("aws_security_group", "tasks")
    assert tasks.children("ingress") == [] and tasks.children("egress") == []
    rules = [key for key in NETWORK.resources if key[0].startswith("aws_vpc_security_group_")]
    for key in rules:
        assert NETWORK.resources[key].get("security_group_id") != "${aws_security_group.tasks.id}", key


# --- database --------------------------------------------------------------------------------------

def test_master_password_is_managed_by_rds_never_by_terraform():
    db = DATABASE.resource("aws_db_instance", "orders")
    assert db.get("manage_master_user_password") is True
    assert "password" not in db.attributes and "password_wo" not in db.attributes
    assert db.get("storage_encrypted") is True and db.get("publicly_accessible") is False


def test_service_password_never_lands_in_state():
    version = DATABASE.resource("aws_secretsmanager_secret_version", "service_user")
    assert "secret_string" not in version.attributes
    assert "ephemeral.random_password.service.result" in version.get("secret_string_wo")
    assert version.get("secret_string_wo_version") == "${var.service_password_version}"
    refs = [ref.text for ref in stack_references(DATABASE) if ref.parts[0] == "ephemeral"]
    assert refs == ["ephemeral.random_password.service.result"]  # used nowhere else
    for output in DATABASE.outputs.values():
        assert "ephemeral" not in str(output.get("value")) and "random_password" not in str(output.get("value"))


def test_parameter_group_forces_tls_and_sets_max_connections():
    parameters = {
        p.get("name"): p.get("value") for p in DATABASE.resource("aws_db_parameter_group", "postgres").children("parameter")
    }
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["max_connections"] == "${tostring(var.max_connections)}"
    assert DATABASE.outputs["max_connections"].get("value") == "${var.max_connections}"


def test_database_admits_postgres_only_from_the_tasks():
    rules = {key: block for key, block in DATABASE.resources.items() if key[0] == "aws_vpc_security_group_ingress_rule"}
    assert list(rules) == [("aws_vpc_security_group_ingress_rule", "database_from_tasks")]
    rule = rules[("aws_vpc_security_group_ingress_rule", "database_from_tasks")]
    assert (rule.get("from_port"), rule.get("to_port"), rule.get("ip_protocol")) == (5432, 5432, "tcp")
    assert rule.get("referenced_security_group_id") == "${local.tasks_security_group_id}"
    assert "cidr_ipv4" not in rule.attributes
    assert DATABASE.resource("aws_security_group", "database").children("egress") == []


def test_backups_deletion_protection_and_final_snapshot_default_on():
    db = DATABASE.resource("aws_db_instance", "orders")
    assert db.get("backup_retention_period") == "${var.backup_retention_days}"
    assert DATABASE.variables["backup_retention_days"].get("default") == 7
    assert db.get("deletion_protection") == "${var.allow_destroy ? false : true}"
    assert db.get("skip_final_snapshot") == "${var.allow_destroy}"
    assert DATABASE.variables["allow_destroy"].get("default") is False


def test_database_outputs_what_the_ecs_stack_reads():
    for name in ("address", "port", "database_name", "master_user_secret_arn", "service_user_secret_arn",
                 "service_user_name", "secrets_kms_key_arns", "max_connections", "security_group_id"):
        assert name in DATABASE.outputs, name


def test_instance_defaults_are_a_small_graviton_postgres_17():
    assert DATABASE.variables["instance_class"].get("default").startswith("db.t4g.")
    assert DATABASE.variables["engine_major_version"].get("default") == "17"
    assert DATABASE.resource("aws_db_parameter_group", "postgres").get("family") == "postgres${var.engine_major_version}"


def test_example_tfvars_hold_no_account_ids_or_arns():
    for stack in (BACKEND, NETWORK, DATABASE):
        for example in stack.tfvars_examples:
            text = example.path.read_text()
            assert "arn:" not in text, example.path
            assert not re.search(r"(?<![0-9])[0-9]{12}(?![0-9])", text), f"{example.path}: an account id?"
