# What the ecs stack promises, asserted on the values Terraform plans (`terraform test`, run by
# `make infra-check`). The AWS provider is mocked: nothing is created, no credentials are needed. The
# outputs of the network and database stacks are given with override_data.

mock_provider "aws" {
  source = "../mocks/aws"
}

variables {
  aws_region        = "eu-west-1"
  state_bucket      = "example-org-cloud-app-platform-state"
  state_region      = "eu-west-1"
  github_owner      = "example-org"
  github_repository = "cloud-app-platform"
}

override_data {
  target = data.terraform_remote_state.network
  values = {
    outputs = {
      vpc_id                   = "vpc-0123456789abcdef0"
      public_subnet_ids        = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
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

run "github_deploy_role_trusts_exactly_this_repository_and_environment" {
  assert {
    condition = toset([
      for condition in data.aws_iam_policy_document.github_deploy_trust.statement[0].condition :
      "${condition.test} ${condition.variable} ${join(",", condition.values)}"
      ]) == toset([
      "StringEquals token.actions.githubusercontent.com:aud sts.amazonaws.com",
      "StringEquals token.actions.githubusercontent.com:sub repo:example-org/cloud-app-platform:environment:production",
    ])
    error_message = "The deploy role must trust only aud sts.amazonaws.com and exactly repo:OWNER/REPO:environment:ENV, with StringEquals."
  }

  assert {
    condition     = data.aws_iam_policy_document.github_deploy_trust.statement[0].actions == toset(["sts:AssumeRoleWithWebIdentity"])
    error_message = "GitHub's token is exchanged with AssumeRoleWithWebIdentity and nothing else."
  }

  assert {
    condition     = aws_iam_role.github_deploy.max_session_duration >= 90 * 60
    error_message = "The deploy credentials must outlast the 90-minute deploy job."
  }

  assert {
    condition     = one([for statement in data.aws_iam_policy_document.github_deploy.statement : statement.resources if statement.sid == "PassTheTaskRolesToEcsTasksOnly"]) == toset([aws_iam_role.execution.arn, aws_iam_role.task.arn, aws_iam_role.admin_execution.arn])
    error_message = "The deploy role may pass the service's two task roles and the admin task's execution role, nothing else."
  }

  assert {
    condition     = !contains([for statement in data.aws_iam_policy_document.github_deploy.statement : statement.sid], "ReadTheRepositoryImagesArePromotedFrom")
    error_message = "An environment that builds its own images reads no other repository."
  }
}

run "rollbacks_are_on" {
  assert {
    condition     = aws_ecs_service.service.deployment_circuit_breaker[0].enable && aws_ecs_service.service.deployment_circuit_breaker[0].rollback
    error_message = "The deployment circuit breaker must be on, with rollback."
  }

  assert {
    condition = (
      aws_ecs_service.service.alarms[0].enable && aws_ecs_service.service.alarms[0].rollback &&
      aws_ecs_service.service.alarms[0].alarm_names == toset(["orders-service-5xx-ratio", "orders-service-target-p99"])
    )
    error_message = "The 5xx-ratio and p99 alarms must roll a deployment back."
  }

  assert {
    condition     = aws_ecs_service.service.deployment_minimum_healthy_percent == 100 && aws_ecs_service.service.deployment_maximum_percent == 200
    error_message = "A deployment never drops below the desired count."
  }
}

run "five_xx_ratio_alarm_judges_minutes_without_a_healthy_target" {
  assert {
    condition = alltrue([
      for term in ["FILL(requests, 0)", "FILL(lb503, 0)", "FILL(target5xx, 0)", "FILL(lb5xx, 0)"] :
      strcontains(one([for query in aws_cloudwatch_metric_alarm.http_5xx_ratio.metric_query : query.expression if query.id == "ratio"]), term)
    ])
    error_message = "Every series of the 5xx ratio must be filled, and the load balancer's own 503s counted as requests."
  }

  assert {
    condition     = one([for query in aws_cloudwatch_metric_alarm.http_5xx_ratio.metric_query : query.metric[0].metric_name if query.id == "lb503"]) == "HTTPCode_ELB_503_Count"
    error_message = "lb503 must be the load balancer's own 503 count."
  }
}

run "health_check_and_timings_follow_config_timings_json" {
  assert {
    condition     = aws_lb_target_group.service.health_check[0].path == "/health" && aws_lb_target_group.service.health_check[0].path == jsondecode(file("../../config/timings.json")).health_check_path
    error_message = "The load balancer must check /health (live and not draining), the path config/timings.json names."
  }

  assert {
    condition = (
      aws_lb_target_group.service.health_check[0].interval == jsondecode(file("../../config/timings.json")).health_check_interval_seconds &&
      aws_lb_target_group.service.health_check[0].timeout == jsondecode(file("../../config/timings.json")).health_check_timeout_seconds &&
      aws_lb_target_group.service.health_check[0].healthy_threshold == jsondecode(file("../../config/timings.json")).healthy_threshold &&
      aws_lb_target_group.service.health_check[0].unhealthy_threshold == jsondecode(file("../../config/timings.json")).unhealthy_threshold &&
      aws_lb_target_group.service.deregistration_delay == tostring(jsondecode(file("../../config/timings.json")).deregistration_delay_seconds) &&
      aws_lb.service.idle_timeout == jsondecode(file("../../config/timings.json")).alb_idle_timeout_seconds
    )
    error_message = "Every load balancer timing must come from config/timings.json."
  }

  assert {
    condition = (
      # A stopping task leaves the load balancer before it stops accepting: the drain delay outlasts
      # the time the balancer needs to mark it unhealthy.
      jsondecode(file("../../config/timings.json")).drain_delay_seconds >
      aws_lb_target_group.service.health_check[0].unhealthy_threshold * aws_lb_target_group.service.health_check[0].interval + aws_lb_target_group.service.health_check[0].timeout
    )
    error_message = "drain_delay_seconds must outlast unhealthy_threshold x interval + timeout."
  }

  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.service.container_definitions)[0].stopTimeout >=
      jsondecode(file("../../config/timings.json")).drain_delay_seconds + jsondecode(file("../../config/timings.json")).shutdown_timeout_seconds
    )
    error_message = "ECS must not SIGKILL a task before its drain delay and shutdown bound have passed."
  }

  assert {
    condition     = aws_lb.service.idle_timeout < jsondecode(file("../../config/timings.json")).keep_alive_idle_timeout_seconds
    error_message = "The load balancer must close idle connections before the service does (or it reuses closed ones: 502s)."
  }
}

run "only_the_load_balancer_reaches_the_tasks_and_never_the_metrics_port" {
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.tasks_from_alb.security_group_id == "sg-0000000000000000a" &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb.from_port == 8080 &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb.to_port == 8080 &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb.referenced_security_group_id == aws_security_group.alb.id &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb.cidr_ipv4 == null
    )
    error_message = "The tasks admit the load balancer's group on the application port only."
  }

  assert {
    condition     = [for mapping in jsondecode(aws_ecs_task_definition.service.container_definitions)[0].portMappings : mapping.containerPort] == [8080]
    error_message = "Only the application port is mapped; the metrics port stays on the task's loopback."
  }

  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.service.container_definitions)[0].environment, { name = "METRICS_HOST", value = "127.0.0.1" })
    error_message = "The service must bind its metrics listener to loopback."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.alb_to_tasks.from_port == 8080 && aws_vpc_security_group_egress_rule.alb_to_tasks.to_port == 8080
    error_message = "The load balancer may reach the tasks on the application port only."
  }

  assert {
    condition     = aws_lb_listener_rule.block_metrics.action[0].fixed_response[0].status_code == "404"
    error_message = "The listener refuses /metrics with a 404."
  }
}

run "tasks_run_read_only_and_unprivileged" {
  assert {
    condition = alltrue([
      for container in concat(jsondecode(aws_ecs_task_definition.service.container_definitions), jsondecode(aws_ecs_task_definition.admin.container_definitions)) :
      container.readonlyRootFilesystem && !container.privileged && container.linuxParameters.capabilities.drop == ["ALL"]
    ])
    error_message = "Every container runs with a read-only root, unprivileged, with every capability dropped."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.service.container_definitions)[0].user == "10001:10001" && jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].user == "10001:10001"
    error_message = "The service and admin containers run as the image's user 10001."
  }

  assert {
    condition     = length(try(jsondecode(aws_ecs_task_definition.service.container_definitions)[1].mountPoints, [])) == 0
    error_message = "The collector gets no bind mount: it cannot be made writable for an image this project does not build."
  }

  assert {
    condition     = one([for secret in jsondecode(aws_ecs_task_definition.service.container_definitions)[0].secrets : secret.valueFrom if secret.name == "DATABASE_PASSWORD"]) == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cloud-app-platform/database/orders_service-AbCdEf:password::"
    error_message = "The service reads its own role's password, never the master user's."
  }
}

run "task_definitions_run_the_deployed_image" {
  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.service.container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service@sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e" &&
      jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].image == jsondecode(aws_ecs_task_definition.service.container_definitions)[0].image
    )
    error_message = "Without var.image, both task definitions must run the image the live service runs."
  }
}

run "an_explicit_image_digest_is_used" {
  variables {
    image = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    error_message = "var.image as a digest must be used by digest."
  }
}

run "bootstrap_runs_no_task" {
  # A state of its own: the service ignores later changes to its desired count (autoscaling owns it).
  state_key = "bootstrap"

  variables {
    service_bootstrap = true
  }

  assert {
    condition     = aws_ecs_service.service.desired_count == 0 && aws_appautoscaling_target.service.max_capacity == 0
    error_message = "Before the first image exists the service runs no task."
  }
}

run "a_promoting_environment_may_read_the_tested_images_only" {
  variables {
    github_environment              = "production"
    promote_from_ecr_repository_arn = "arn:aws:ecr:eu-west-1:210987654321:repository/orders-service"
  }

  assert {
    condition = one([
      for statement in data.aws_iam_policy_document.github_deploy.statement : statement
      if statement.sid == "ReadTheRepositoryImagesArePromotedFrom"
      ]).resources == toset(["arn:aws:ecr:eu-west-1:210987654321:repository/orders-service"]) && alltrue([
      for action in one([for statement in data.aws_iam_policy_document.github_deploy.statement : statement.actions if statement.sid == "ReadTheRepositoryImagesArePromotedFrom"]) :
      contains(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"], action)
    ])
    error_message = "Production may read images from staging's repository, and do nothing else there."
  }
}

run "plain_http_without_a_certificate" {
  assert {
    condition     = aws_lb_listener.http.port == 80 && aws_lb_listener.http.default_action[0].type == "forward" && length(aws_lb_listener.https) == 0
    error_message = "Without a certificate, port 80 forwards to the tasks and there is no HTTPS listener."
  }
}

run "https_with_a_certificate" {
  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].status_code == "HTTP_301" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "With a certificate, port 80 (the same listener) only redirects permanently to HTTPS."
  }

  assert {
    condition     = aws_lb_listener.https[0].port == 443 && startswith(aws_lb_listener.https[0].ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "HTTPS on 443 with a TLS 1.3 policy."
  }
}

run "waf_blocks_metrics_rate_limits_and_logs_without_keys" {
  assert {
    condition     = toset([for rule in aws_wafv2_web_acl.service.rule : rule.name]) == toset(["block-metrics-path", "rate-limit-per-ip", "aws-common-rules", "aws-anonymous-ip", "aws-known-bad-inputs"])
    error_message = "The web ACL must hold the metrics block, the rate limit and the three managed groups."
  }

  assert {
    condition     = one([for rule in aws_wafv2_web_acl.service.rule : rule.statement[0].rate_based_statement[0].limit if rule.name == "rate-limit-per-ip"]) == 2000
    error_message = "The per-IP rate limit is waf_rate_limit (2000 per 5 minutes by default)."
  }

  assert {
    condition     = aws_wafv2_web_acl_association.service.resource_arn == aws_lb.service.arn
    error_message = "The web ACL must guard the load balancer."
  }

  assert {
    condition     = aws_wafv2_web_acl_logging_configuration.service.redacted_fields[0].single_header[0].name == "authorization" && startswith(aws_cloudwatch_log_group.waf.name, "aws-waf-logs-")
    error_message = "WAF logs go to an aws-waf-logs- group with the Authorization header redacted."
  }
}

run "access_logs_are_delivered_by_the_regions_own_principal" {
  assert {
    condition     = contains([for statement in data.aws_iam_policy_document.alb_logs.statement : statement.sid], "RegionalLoadBalancerAccountWritesLogs") && contains([for statement in data.aws_iam_policy_document.alb_logs.statement : statement.sid], "LogDeliveryServiceWritesLogs")
    error_message = "In a region opened before August 2022 both the regional account and the service principal may write."
  }
}

run "a_region_opened_after_august_2022_plans_with_the_service_principal_only" {
  variables {
    aws_region   = "ap-southeast-4"
    state_region = "ap-southeast-4"
  }

  assert {
    condition     = !contains([for statement in data.aws_iam_policy_document.alb_logs.statement : statement.sid], "RegionalLoadBalancerAccountWritesLogs")
    error_message = "Newer regions have no Elastic Load Balancing account; only the service principal delivers."
  }
}

# --- Every variable validation refuses a bad value ------------------------------------------------

run "project_must_be_a_short_lowercase_name" {
  command = plan
  variables { project = "Cloud App" }
  expect_failures = [var.project]
}

run "region_must_be_a_region_name" {
  command = plan
  variables { aws_region = "Ireland" }
  expect_failures = [var.aws_region]
}

run "state_bucket_must_be_a_bucket_name" {
  command = plan
  variables { state_bucket = "x" }
  expect_failures = [var.state_bucket]
}

run "state_region_must_be_a_region_name" {
  command = plan
  variables { state_region = "eu" }
  expect_failures = [var.state_region]
}

run "service_name_must_fit_every_derived_name" {
  command = plan
  variables { service_name = "an-orders-service-name-too-long" }
  expect_failures = [var.service_name]
}

run "image_must_be_a_tag_or_digest" {
  command = plan
  variables { image = "latest:with:colons" }
  expect_failures = [var.image]
}

run "ecr_keep_release_images_must_be_5_to_1000" {
  command = plan
  variables { ecr_keep_release_images = 2 }
  expect_failures = [var.ecr_keep_release_images]
}

run "collector_image_must_be_pinned" {
  command = plan
  variables { collector_image = "public.ecr.aws/aws-observability/aws-otel-collector:latest" }
  expect_failures = [var.collector_image]
}

run "task_cpu_must_be_a_fargate_size" {
  command = plan
  variables { task_cpu = 300 }
  expect_failures = [var.task_cpu]
}

run "task_memory_must_pair_with_cpu" {
  command = plan
  variables { task_memory = 512 }
  expect_failures = [var.task_memory]
}

run "cpu_architecture_must_be_known" {
  command = plan
  variables { cpu_architecture = "ARM" }
  expect_failures = [var.cpu_architecture]
}

run "fargate_spot_weight_must_be_0_to_10" {
  command = plan
  variables { fargate_spot_weight = 11 }
  expect_failures = [var.fargate_spot_weight]
}

run "min_capacity_must_be_at_least_2" {
  command = plan
  variables { autoscaling_min_capacity = 1 }
  expect_failures = [var.autoscaling_min_capacity]
}

run "max_capacity_must_be_2_to_50" {
  command = plan
  variables { autoscaling_max_capacity = 51 }
  expect_failures = [var.autoscaling_max_capacity]
}

run "max_capacity_must_be_at_least_min_capacity" {
  command = plan
  variables {
    autoscaling_min_capacity = 5
    autoscaling_max_capacity = 4
  }
  expect_failures = [var.autoscaling_max_capacity]
}

run "cpu_target_must_be_20_to_90" {
  command = plan
  variables { autoscaling_cpu_target = 95 }
  expect_failures = [var.autoscaling_cpu_target]
}

run "requests_per_target_must_be_at_least_10" {
  command = plan
  variables { autoscaling_requests_per_target = 5 }
  expect_failures = [var.autoscaling_requests_per_target]
}

run "pool_size_must_be_1_to_200" {
  command = plan
  variables { database_pool_size = 0 }
  expect_failures = [var.database_pool_size]
}

run "log_level_must_be_known" {
  command = plan
  variables { log_level = "verbose" }
  expect_failures = [var.log_level]
}

run "log_retention_must_be_a_cloudwatch_value" {
  command = plan
  variables { log_retention_days = 10 }
  expect_failures = [var.log_retention_days]
}

run "certificate_must_be_an_acm_arn" {
  command = plan
  variables { certificate_arn = "arn:aws:iam::123456789012:server-certificate/x" }
  expect_failures = [var.certificate_arn]
}

run "ssl_policy_must_be_tls13" {
  command = plan
  variables { ssl_policy = "ELBSecurityPolicy-2016-08" }
  expect_failures = [var.ssl_policy]
}

run "ingress_cidrs_must_be_cidrs" {
  command = plan
  variables { alb_ingress_cidrs = ["everyone"] }
  expect_failures = [var.alb_ingress_cidrs]
}

run "access_log_expiry_must_be_positive" {
  command = plan
  variables { alb_access_log_expiry_days = 0 }
  expect_failures = [var.alb_access_log_expiry_days]
}

run "waf_rate_limit_must_be_in_the_wafs_bounds" {
  command = plan
  variables { waf_rate_limit = 5 }
  expect_failures = [var.waf_rate_limit]
}

run "alarm_email_must_be_an_address" {
  command = plan
  variables { alarm_email = "oncall" }
  expect_failures = [var.alarm_email]
}

run "alarm_5xx_percent_must_be_a_percentage" {
  command = plan
  variables { alarm_5xx_percent = 0 }
  expect_failures = [var.alarm_5xx_percent]
}

run "alarm_5xx_min_requests_must_be_positive" {
  command = plan
  variables { alarm_5xx_min_requests = 0 }
  expect_failures = [var.alarm_5xx_min_requests]
}

run "alarm_p99_must_be_positive" {
  command = plan
  variables { alarm_p99_seconds = 0 }
  expect_failures = [var.alarm_p99_seconds]
}

run "alarm_cpu_must_be_a_percentage" {
  command = plan
  variables { alarm_cpu_percent = 101 }
  expect_failures = [var.alarm_cpu_percent]
}

run "alarm_memory_must_be_a_percentage" {
  command = plan
  variables { alarm_memory_percent = 0 }
  expect_failures = [var.alarm_memory_percent]
}

run "alarm_db_cpu_must_be_a_percentage" {
  command = plan
  variables { alarm_db_cpu_percent = 150 }
  expect_failures = [var.alarm_db_cpu_percent]
}

run "alarm_db_free_storage_must_be_positive" {
  command = plan
  variables { alarm_db_free_storage_bytes = 0 }
  expect_failures = [var.alarm_db_free_storage_bytes]
}

run "alarm_db_connections_must_be_a_percentage" {
  command = plan
  variables { alarm_db_connections_percent = 0 }
  expect_failures = [var.alarm_db_connections_percent]
}

run "github_owner_must_be_a_github_name" {
  command = plan
  variables { github_owner = "example org" }
  expect_failures = [var.github_owner]
}

run "github_repository_must_be_a_github_name" {
  command = plan
  variables { github_repository = "repo/with/slashes" }
  expect_failures = [var.github_repository]
}

run "github_environment_must_be_an_environment_name" {
  command = plan
  variables { github_environment = "*" }
  expect_failures = [var.github_environment]
}

run "promote_from_repository_must_be_an_ecr_arn" {
  command = plan
  variables { promote_from_ecr_repository_arn = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service" }
  expect_failures = [var.promote_from_ecr_repository_arn]
}

run "oidc_provider_arn_must_be_an_oidc_provider" {
  command = plan
  variables { github_oidc_provider_arn = "arn:aws:iam::123456789012:role/x" }
  expect_failures = [var.github_oidc_provider_arn]
}
