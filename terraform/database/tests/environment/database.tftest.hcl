# The database stack inside an environment: run in the environment's workspace with its committed
# variables file (`make infra-check` runs this directory once per terraform/environments/<name>,
# against the AWS emulator, as tests/database.tftest.hcl):
#   TF_WORKSPACE=staging terraform test -test-directory=tests/environment \
#     -var-file=../environments/staging/database.tfvars

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

run "names_and_reads_carry_the_environment" {
  command = plan

  assert {
    condition     = terraform.workspace != "default"
    error_message = "These tests hold an environment: run them in its workspace (TF_WORKSPACE)."
  }

  assert {
    condition     = aws_db_instance.orders.identifier == "${var.project}-orders" && endswith(var.project, "-${terraform.workspace}") && startswith(aws_secretsmanager_secret.service_user.name_prefix, "${var.project}/")
    error_message = "The instance and the service user's secret must be named for the environment."
  }

  assert {
    condition     = data.terraform_remote_state.network.workspace == terraform.workspace
    error_message = "The database must read the network of its own environment."
  }
}

run "a_project_without_the_environment_is_refused" {
  command = plan

  variables {
    project = "cloud-app-platform"
  }

  expect_failures = [var.project]
}

run "another_environments_file_is_refused" {
  command = plan

  # Every other value is consistent with "qa": only the workspace disagrees.
  variables {
    environment = "qa"
    project     = "cloud-app-platform-qa"
  }

  expect_failures = [var.environment]
}
