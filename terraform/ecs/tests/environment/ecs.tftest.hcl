# The ecs stack inside an environment: run in the environment's workspace with its committed
# variables file (`make infra-check` runs this directory once per terraform/environments/<name>):
#   TF_WORKSPACE=staging terraform test -test-directory=tests/environment \
#     -var-file=../environments/staging/ecs.tfvars
# The AWS provider is mocked; the network and database stacks' outputs are given with override_data.

mock_provider "aws" {
  source = "../mocks/aws"
}

# The provider CloudFront's web ACL and its log group use (us-east-1).
mock_provider "aws" {
  alias  = "us_east_1"
  source = "../mocks/aws"
}

variables {
  state_bucket = "example-org-cloud-app-platform-state"
  state_region = "eu-west-1"
}

override_data {
  target = data.terraform_remote_state.network
  values = {
    outputs = {
      vpc_id                   = "vpc-0123456789abcdef0"
      public_subnet_ids        = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
      internal_subnet_ids      = ["subnet-0123456789abcdefc", "subnet-0123456789abcdefd"]
      task_subnet_ids          = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
      tasks_in_private_subnets = false
      tasks_security_group_id  = "sg-0000000000000000a"
    }
  }
}

override_data {
  target = data.terraform_remote_state.database
  values = {
    outputs = {
      address                 = "orders.abcdefghijkl.eu-west-1.rds.amazonaws.com"
      port                    = 5432
      database_name           = "orders"
      instance_identifier     = "cloud-app-platform-orders"
      security_group_id       = "sg-0000000000000000d"
      max_connections         = 80
      service_user_name       = "orders_service"
      service_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cloud-app-platform/database/orders_service-AbCdEf"
      master_user_secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0000-AbCdEf"
      secrets_kms_key_arns    = ["arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"]
    }
  }
}

run "names_tags_reads_and_the_deploy_role_carry_the_environment" {
  assert {
    condition     = terraform.workspace != "default"
    error_message = "These tests hold an environment: run them in its workspace (TF_WORKSPACE)."
  }

  assert {
    condition = alltrue([for name in [
      aws_ecs_cluster.service.name, aws_ecs_service.service.name, aws_lb.service.name, aws_ecr_repository.service.name,
      aws_iam_role.task.name, aws_iam_role.execution.name, aws_iam_role.github_deploy.name, aws_cloudwatch_log_group.service.name,
    ] : strcontains(name, "-${terraform.workspace}")])
    error_message = "The cluster, service, load balancer, repository, roles and log group must be named for the environment."
  }

  assert {
    condition     = local.default_tags["Environment"] == terraform.workspace
    error_message = "Every resource must carry the Environment tag."
  }

  assert {
    condition     = data.terraform_remote_state.network.workspace == terraform.workspace && data.terraform_remote_state.database.workspace == terraform.workspace
    error_message = "The service must read the network and database of its own environment."
  }

  assert {
    condition     = output.github_deploy_subject == "repo:${var.github_owner}/${var.github_repository}:environment:${terraform.workspace}"
    error_message = "The environment's deploy role must trust only jobs in the GitHub environment of the same name."
  }
}

run "a_project_without_the_environment_is_refused" {
  command = plan

  variables {
    project = "cloud-app-platform"
  }

  expect_failures = [var.project]
}

run "a_service_name_without_the_environment_is_refused" {
  command = plan

  variables {
    service_name = "orders-service"
  }

  expect_failures = [var.service_name]
}

run "another_environments_deploy_jobs_are_refused" {
  command = plan

  variables {
    github_environment = "somewhere-else"
  }

  expect_failures = [var.github_environment]
}

run "another_environments_file_is_refused" {
  command = plan

  # Every other value is consistent with "qa": only the workspace disagrees.
  variables {
    environment        = "qa"
    project            = "cloud-app-platform-qa"
    service_name       = "orders-qa"
    github_environment = "qa"
  }

  expect_failures = [var.environment]
}
