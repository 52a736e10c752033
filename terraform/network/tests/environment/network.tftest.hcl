# The network stack inside an environment: run in the environment's workspace with its committed
# variables file (`make infra-check` runs this directory once per terraform/environments/<name>):
#   TF_WORKSPACE=staging terraform test -test-directory=tests/environment \
#     -var-file=../environments/staging/network.tfvars
# The AWS provider is mocked: nothing is created, no credentials are needed.

mock_provider "aws" {
  source = "../mocks/aws"
}

run "names_carry_the_environment" {
  assert {
    condition     = terraform.workspace != "default"
    error_message = "These tests hold an environment: run them in its workspace (TF_WORKSPACE)."
  }

  assert {
    condition     = endswith(aws_vpc.main.tags["Name"], "-${terraform.workspace}") && alltrue([for subnet in concat(aws_subnet.public, aws_subnet.database) : strcontains(subnet.tags["Name"], "-${terraform.workspace}-")])
    error_message = "The VPC and every subnet must be named for the environment."
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
