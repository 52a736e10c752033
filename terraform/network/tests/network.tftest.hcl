# What the network stack promises, asserted on the values Terraform plans (`terraform test`, run by
# `make infra-check`). The AWS provider is mocked: nothing is created, no credentials are needed.

mock_provider "aws" {
  source = "../mocks/aws"
}

run "public_load_balancer_tier_and_isolated_database_tier" {
  assert {
    condition     = aws_vpc.main.cidr_block == "10.20.0.0/16" && aws_vpc.main.enable_dns_support && aws_vpc.main.enable_dns_hostnames
    error_message = "The VPC must use vpc_cidr and resolve DNS names (RDS and the VPC endpoints need both)."
  }

  assert {
    condition     = [for subnet in aws_subnet.public : subnet.availability_zone] == ["eu-west-1a", "eu-west-1b"]
    error_message = "The public subnets must take the first availability_zone_count zones, in order."
  }

  assert {
    condition     = alltrue([for subnet in aws_subnet.public : subnet.map_public_ip_on_launch == false])
    error_message = "Nothing launched in a public subnet may get a public IP unless it asks for one."
  }

  assert {
    condition     = aws_route.public_internet.destination_cidr_block == "0.0.0.0/0" && aws_route.public_internet.route_table_id == aws_route_table.public.id
    error_message = "Only the public route table may route to the internet gateway."
  }

  assert {
    condition     = alltrue([for association in aws_route_table_association.database : association.route_table_id == aws_route_table.database.id])
    error_message = "The database subnets must use the database route table, which has no route out of the VPC."
  }

  assert {
    condition     = length(aws_subnet.tasks) == 0 && length(aws_vpc_endpoint.interface) == 0 && length(aws_vpc_endpoint.s3) == 0
    error_message = "Without tasks_in_private_subnets there are no private task subnets and no VPC endpoints (they cost money)."
  }

  assert {
    condition = length(distinct(concat(
      [for subnet in aws_subnet.public : subnet.cidr_block],
      [for subnet in aws_subnet.database : subnet.cidr_block],
      [for subnet in aws_subnet.internal : subnet.cidr_block],
    ))) == 6
    error_message = "Every subnet must have a range of its own."
  }
}

run "internal_tier_has_no_route_out_of_the_vpc" {
  assert {
    condition     = [for subnet in aws_subnet.internal : subnet.cidr_block] == ["10.20.192.0/20", "10.20.208.0/20"] && [for subnet in aws_subnet.internal : subnet.availability_zone] == ["eu-west-1a", "eu-west-1b"]
    error_message = "The internal subnets take blocks 12 and up, one per zone, so no existing subnet is renumbered."
  }

  assert {
    condition     = alltrue([for association in aws_route_table_association.internal : association.route_table_id == aws_route_table.internal.id]) && length(aws_route_table.internal.route) == 0
    error_message = "The internal subnets use a route table of their own with no route out of the VPC."
  }
}

run "default_security_group_is_emptied" {
  assert {
    condition     = length(aws_default_security_group.default.ingress) == 0 && length(aws_default_security_group.default.egress) == 0
    error_message = "The VPC's default security group must keep no rules, so nothing relies on it by accident."
  }

  assert {
    condition     = length(aws_security_group.tasks.ingress) == 0 && length(aws_security_group.tasks.egress) == 0
    error_message = "The tasks' group is created empty here; its rules belong to the database and ecs stacks."
  }
}

run "flow_log_records_every_connection_encrypted" {
  assert {
    condition     = aws_flow_log.vpc.traffic_type == "ALL" && aws_flow_log.vpc.log_destination == aws_cloudwatch_log_group.flow_logs.arn
    error_message = "The VPC flow log must record all traffic into its own log group."
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.kms_key_id == aws_kms_key.logs.arn && aws_cloudwatch_log_group.flow_logs.retention_in_days == 90
    error_message = "The flow log group must be encrypted with the logs key and kept 90 days by default."
  }

  assert {
    condition     = aws_kms_key.logs.enable_key_rotation
    error_message = "The logs key must rotate."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Principal.Service == "vpc-flow-logs.amazonaws.com" &&
      jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    )
    error_message = "Only VPC Flow Logs, for this account, may assume the flow log role."
  }
}

run "private_task_subnets_with_endpoints" {
  variables {
    tasks_in_private_subnets = true
    availability_zone_count  = 3
  }

  assert {
    condition     = length(aws_subnet.tasks) == 3 && alltrue([for association in aws_route_table_association.tasks : association.route_table_id == aws_route_table.tasks[0].id])
    error_message = "Private task subnets, one per zone, must use the task route table (no internet route)."
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "ssmmessages", "xray"]) && alltrue([for endpoint in aws_vpc_endpoint.interface : endpoint.private_dns_enabled])
    error_message = "Tasks without internet need interface endpoints for ECR, CloudWatch Logs, Secrets Manager and X-Ray (the collector's trace segments), and for ECS Exec's channel (ssmmessages, KMS), with private DNS."
  }

  assert {
    condition     = aws_vpc_endpoint.s3[0].vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3[0].route_table_ids == toset([aws_route_table.tasks[0].id])
    error_message = "Image layers come from S3 through a gateway endpoint on the task route table."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.endpoints_from_tasks[0].from_port == 443 &&
      aws_vpc_security_group_ingress_rule.endpoints_from_tasks[0].to_port == 443 &&
      aws_vpc_security_group_ingress_rule.endpoints_from_tasks[0].referenced_security_group_id == aws_security_group.tasks.id
    )
    error_message = "The endpoints must answer HTTPS from the tasks' group and nothing else."
  }
}

# --- Every variable validation refuses a bad value ------------------------------------------------

run "project_must_be_a_short_lowercase_name" {
  command = plan
  variables { project = "Cloud_App" }
  expect_failures = [var.project]
}

run "region_must_be_a_region_name" {
  command = plan
  variables { aws_region = "europe" }
  expect_failures = [var.aws_region]
}

run "vpc_cidr_must_be_16_to_20" {
  command = plan
  variables { vpc_cidr = "10.0.0.0/24" }
  expect_failures = [var.vpc_cidr]
}

run "vpc_cidr_must_be_a_cidr" {
  command = plan
  variables { vpc_cidr = "10.0.0.300/16" }
  expect_failures = [var.vpc_cidr]
}

run "availability_zone_count_must_be_2_or_3" {
  command = plan
  variables { availability_zone_count = 1 }
  expect_failures = [var.availability_zone_count]
}

run "flow_log_traffic_type_must_be_known" {
  command = plan
  variables { flow_log_traffic_type = "SOME" }
  expect_failures = [var.flow_log_traffic_type]
}

run "flow_log_retention_must_be_a_cloudwatch_value" {
  command = plan
  variables { flow_log_retention_days = 100 }
  expect_failures = [var.flow_log_retention_days]
}

run "an_environments_file_outside_its_workspace_is_refused" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}
