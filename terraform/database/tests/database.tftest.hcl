# What the database stack promises, asserted on the values Terraform plans (`terraform test`, run by
# `make infra-check`).
#
# The service's password is an ephemeral resource, which Terraform 1.11's mock providers refuse, so
# this file runs the real AWS provider against the AWS emulator that `make infra-check` starts on
# loopback and names in the environment (AWS_ENDPOINT_URL, AWS_CA_BUNDLE, and a dead proxy for any
# other address; tools/infra/emulator.py). Every run is a plan: the provider reads the caller's
# identity and asks for a random password, and creates nothing. What the network stack would hand
# over is given with override_data, the instance's creation time with override_resource.

variables {
  state_bucket = "example-org-cloud-app-platform-state"
  state_region = "eu-west-1"
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
}

override_data {
  target = data.terraform_remote_state.network
  values = {
    outputs = {
      vpc_id                  = "vpc-0123456789abcdef0"
      database_subnet_ids     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
      tasks_security_group_id = "sg-0123456789abcdef0"
      logs_kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    }
  }
}

override_resource {
  target          = terraform_data.instance_generation
  override_during = plan
  values = {
    output = "2026-12-03T18:00:00Z"
  }
}

run "instance_is_private_encrypted_and_protected" {
  command = plan

  assert {
    condition     = aws_db_instance.orders.publicly_accessible == false && aws_db_instance.orders.storage_encrypted
    error_message = "The database must not be publicly accessible and its storage must be encrypted."
  }

  assert {
    condition     = aws_db_instance.orders.db_subnet_group_name == "cloud-app-platform-orders" && aws_db_subnet_group.orders.subnet_ids == toset(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"])
    error_message = "The database must live in the network stack's isolated database subnets."
  }

  assert {
    condition     = aws_db_instance.orders.deletion_protection && aws_db_instance.orders.skip_final_snapshot == false && aws_db_instance.orders.delete_automated_backups == false
    error_message = "By default the instance is protected from deletion and leaves a final snapshot and its backups."
  }

  assert {
    condition     = aws_db_instance.orders.final_snapshot_identifier == "cloud-app-platform-orders-final-20261203180000"
    error_message = "The final snapshot's name must carry the instance's creation time (<identifier>-final-YYYYMMDDhhmmss)."
  }

  assert {
    condition     = aws_db_instance.orders.manage_master_user_password && aws_db_instance.orders.username == "orders_admin"
    error_message = "RDS must generate and keep the master password; Terraform never sees it."
  }

  assert {
    condition     = aws_db_instance.orders.backup_retention_period == 7 && aws_db_instance.orders.copy_tags_to_snapshot
    error_message = "Backups are kept 7 days by default."
  }

  assert {
    condition     = aws_db_instance.orders.apply_immediately == false && aws_db_instance.orders.auto_minor_version_upgrade
    error_message = "Changes wait for the maintenance window unless applied by hand."
  }
}

run "tls_is_forced_and_logging_has_no_parameters" {
  command = plan

  assert {
    condition = alltrue([
      for name, value in {
        "rds.force_ssl"            = "1"
        "ssl_min_protocol_version" = "TLSv1.2"
        "password_encryption"      = "scram-sha-256"
        "max_connections"          = "80"
        } : anytrue([
          for parameter in aws_db_parameter_group.postgres["17"].parameter : parameter.name == name && parameter.value == value
      ])
    ])
    error_message = "The parameter group must force TLS (1.2 or later), SCRAM passwords and max_connections 80."
  }

  assert {
    condition     = aws_db_parameter_group.postgres["17"].family == "postgres17" && keys(aws_db_parameter_group.postgres) == ["17"]
    error_message = "One parameter group, of the engine's major version, unless an upgrade retains the old one."
  }
}

run "only_the_tasks_reach_postgresql" {
  command = plan

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.database_from_tasks.from_port == 5432 &&
      aws_vpc_security_group_ingress_rule.database_from_tasks.to_port == 5432 &&
      aws_vpc_security_group_ingress_rule.database_from_tasks.referenced_security_group_id == "sg-0123456789abcdef0" &&
      aws_vpc_security_group_ingress_rule.database_from_tasks.cidr_ipv4 == null
    )
    error_message = "PostgreSQL must admit the tasks' security group on 5432 and no address range."
  }
}

run "service_secret_is_written_once_and_never_stored" {
  command = plan

  assert {
    condition     = aws_secretsmanager_secret_version.service_user.secret_string_wo_version == 1 && aws_secretsmanager_secret_version.service_user.secret_string_wo == null
    error_message = "The first password goes through the write-only argument (never in plan or state), once; rotations write later versions."
  }

  assert {
    condition     = output.service_group_role == "orders_service" && output.service_login_roles == ["orders_service_a", "orders_service_b"] && output.service_user_name == "orders_service_a"
    error_message = "The group role owns the schema; two login roles take turns, and the secret first names the first one."
  }

  assert {
    condition     = startswith(aws_secretsmanager_secret.service_user.name_prefix, "cloud-app-platform/database/orders_service-") && aws_secretsmanager_secret.service_user.recovery_window_in_days == 30
    error_message = "The service secret has a generated suffix (a stack created again gets its own) and a 30-day recovery window."
  }
}

run "deletion_protection_can_be_turned_off_without_losing_the_snapshot" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = aws_db_instance.orders.deletion_protection == false && aws_db_instance.orders.skip_final_snapshot == false
    error_message = "The teardown's first step turns deletion protection off and keeps the final snapshot."
  }
}

run "throwaway_stack_keeps_nothing" {
  command = plan

  variables {
    allow_destroy = true
  }

  assert {
    condition = (
      aws_db_instance.orders.deletion_protection == false && aws_db_instance.orders.skip_final_snapshot &&
      aws_db_instance.orders.delete_automated_backups && aws_secretsmanager_secret.service_user.recovery_window_in_days == 0
    )
    error_message = "allow_destroy must leave nothing behind: no protection, no snapshot, no backups, no recovery window."
  }
}

run "major_upgrade_keeps_the_old_parameter_group" {
  command = plan

  variables {
    engine_major_version              = "17"
    retained_parameter_group_versions = ["16"]
  }

  assert {
    condition     = toset(keys(aws_db_parameter_group.postgres)) == toset(["16", "17"]) && try(aws_db_parameter_group.postgres["16"].family, null) == "postgres16"
    error_message = "During a major upgrade the group of the version being left must stay."
  }
}

# --- Every variable validation refuses a bad value ------------------------------------------------

run "engine_version_must_be_supported" {
  command = plan
  variables { engine_major_version = "13" }
  expect_failures = [var.engine_major_version]
}

run "retained_versions_must_be_supported" {
  command = plan
  variables { retained_parameter_group_versions = ["9.6"] }
  expect_failures = [var.retained_parameter_group_versions]
}

run "instance_class_must_look_like_one" {
  command = plan
  variables { instance_class = "t4g.micro" }
  expect_failures = [var.instance_class]
}

run "storage_must_be_at_least_20" {
  command = plan
  variables { allocated_storage_gb = 10 }
  expect_failures = [var.allocated_storage_gb]
}

run "storage_ceiling_must_be_in_range" {
  command = plan
  variables { max_allocated_storage_gb = 70000 }
  expect_failures = [var.max_allocated_storage_gb]
}

run "storage_ceiling_must_be_at_least_the_storage" {
  command = plan
  variables {
    allocated_storage_gb     = 200
    max_allocated_storage_gb = 100
  }
  expect_failures = [var.max_allocated_storage_gb]
}

run "max_connections_must_be_in_range" {
  command = plan
  variables { max_connections = 10 }
  expect_failures = [var.max_connections]
}

run "backup_retention_must_be_1_to_35" {
  command = plan
  variables { backup_retention_days = 0 }
  expect_failures = [var.backup_retention_days]
}

run "backup_window_must_be_a_window" {
  command = plan
  variables { backup_window = "2am" }
  expect_failures = [var.backup_window]
}

run "maintenance_window_must_be_a_window" {
  command = plan
  variables { maintenance_window = "sunday" }
  expect_failures = [var.maintenance_window]
}

run "monitoring_interval_must_be_allowed" {
  command = plan
  variables { monitoring_interval_seconds = 20 }
  expect_failures = [var.monitoring_interval_seconds]
}

run "log_retention_must_be_a_cloudwatch_value" {
  command = plan
  variables { log_retention_days = 31 }
  expect_failures = [var.log_retention_days]
}

run "database_name_must_be_an_identifier" {
  command = plan
  variables { database_name = "Orders-DB" }
  expect_failures = [var.database_name]
}

run "master_username_must_not_be_reserved" {
  command = plan
  variables { master_username = "rdsadmin" }
  expect_failures = [var.master_username]
}

run "service_username_must_not_be_reserved" {
  command = plan
  variables { service_username = "postgres" }
  expect_failures = [var.service_username]
}

run "service_username_leaves_room_for_the_login_suffixes" {
  command = plan
  variables { service_username = "o234567890123456789012345678901234567890123456789012345678901x" }
  expect_failures = [var.service_username]
}

run "service_username_must_not_look_like_a_login" {
  command = plan
  variables { service_username = "orders_b" }
  expect_failures = [var.service_username]
}

run "project_must_be_a_short_lowercase_name" {
  command = plan
  variables { project = "CAP" }
  expect_failures = [var.project]
}

run "region_must_be_a_region_name" {
  command = plan
  variables { aws_region = "eu_west_1" }
  expect_failures = [var.aws_region]
}

run "state_bucket_must_be_a_bucket_name" {
  command = plan
  variables { state_bucket = "Not A Bucket" }
  expect_failures = [var.state_bucket]
}

run "state_region_must_be_a_region_name" {
  command = plan
  variables { state_region = "west" }
  expect_failures = [var.state_region]
}

run "an_environments_file_outside_its_workspace_is_refused" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}
