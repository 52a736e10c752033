# What the ecs stack promises, asserted on the values Terraform plans (`terraform test`, run by
# `make infra-check`). The AWS provider is mocked: nothing is created, no credentials are needed. The
# outputs of the network and database stacks are given with override_data.

mock_provider "aws" {
  source = "../mocks/aws"
}

# The provider CloudFront's web ACL and its log group use (us-east-1).
mock_provider "aws" {
  alias  = "us_east_1"
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
    condition     = one([for statement in data.aws_iam_policy_document.github_deploy.statement : statement.resources if statement.sid == "PassTheTaskRolesToEcsTasksOnly"]) == toset([aws_iam_role.execution.arn, aws_iam_role.task.arn, aws_iam_role.admin_execution.arn, aws_iam_role.admin_task.arn])
    error_message = "The deploy role may pass the service's two task roles and the admin task's two, nothing else."
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
      !container.privileged && container.linuxParameters.capabilities.drop == ["ALL"]
    ])
    error_message = "Every container runs unprivileged, with every capability dropped."
  }

  assert {
    condition = [
      for container in concat(jsondecode(aws_ecs_task_definition.service.container_definitions), jsondecode(aws_ecs_task_definition.admin.container_definitions)) :
      container.name if !container.readonlyRootFilesystem
    ] == ["orders-admin"]
    error_message = "Every container's root is read-only except the admin container's, which ECS Exec needs writable; the service's tasks have no exec."
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

  assert {
    condition = (
      one([for secret in jsondecode(aws_ecs_task_definition.service.container_definitions)[0].secrets : secret.valueFrom if secret.name == "DATABASE_USER"]) == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cloud-app-platform/database/orders_service-AbCdEf:username::" &&
      length([for variable in jsondecode(aws_ecs_task_definition.service.container_definitions)[0].environment : variable if variable.name == "DATABASE_USER"]) == 0
    )
    error_message = "The service reads its login from the secret, which a rotation moves to the other login; never from a fixed value."
  }

  assert {
    condition = (
      one([for variable in jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].environment : variable.value if variable.name == "SERVICE_DATABASE_SECRET_ID"]) == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cloud-app-platform/database/orders_service-AbCdEf" &&
      one([for statement in data.aws_iam_policy_document.admin_task_secrets.statement : statement.resources if statement.sid == "RotateTheServicePassword"]) == toset(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:cloud-app-platform/database/orders_service-AbCdEf"]) &&
      one([for statement in data.aws_iam_policy_document.admin_task_secrets.statement : statement.resources if statement.sid == "HandApiKeysToOperatorsInSecrets"]) == toset(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:cloud-app-platform/api-keys/*"]) &&
      one([for statement in data.aws_iam_policy_document.admin_task_secrets.statement : statement.resources if statement.sid == "HandApiKeysToOperatorsInParameters"]) == toset(["arn:aws:ssm:eu-west-1:123456789012:parameter/cloud-app-platform/api-keys/*"])
    )
    error_message = "The admin task may rotate the service's secret and write API keys under <project>/api-keys/ only."
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

# --- HTTPS in every setup ---------------------------------------------------------------------------

run "cloudfront_by_default_https_without_a_domain" {
  assert {
    condition     = aws_lb.service.internal && aws_lb.service.subnets == toset(["subnet-0123456789abcdefc", "subnet-0123456789abcdefd"])
    error_message = "Behind CloudFront the load balancer is internal, in the network stack's internal subnets."
  }

  assert {
    condition = (
      length(aws_vpc_security_group_ingress_rule.alb_http) == 0 && length(aws_vpc_security_group_ingress_rule.alb_https) == 0 &&
      aws_vpc_security_group_ingress_rule.alb_from_cloudfront[0].prefix_list_id == "pl-4fa04526" &&
      aws_vpc_security_group_ingress_rule.alb_from_cloudfront[0].from_port == 80 && aws_vpc_security_group_ingress_rule.alb_from_cloudfront[0].to_port == 80 &&
      data.aws_ec2_managed_prefix_list.cloudfront_origin_facing[0].name == "com.amazonaws.global.cloudfront.origin-facing"
    )
    error_message = "The internal load balancer admits CloudFront's origin-facing addresses on 80, and nothing from the internet."
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "forward" && length(aws_lb_listener.https) == 0
    error_message = "The internal load balancer forwards what CloudFront sends on 80; there is no listener for certificates."
  }

  assert {
    condition = (
      aws_cloudfront_vpc_origin.service[0].vpc_origin_endpoint_config[0].arn == aws_lb.service.arn &&
      aws_cloudfront_vpc_origin.service[0].vpc_origin_endpoint_config[0].origin_protocol_policy == "http-only" &&
      one(aws_cloudfront_distribution.service[0].origin).vpc_origin_config[0].vpc_origin_id == aws_cloudfront_vpc_origin.service[0].id
    )
    error_message = "CloudFront reaches the internal load balancer through a VPC origin."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.service[0].default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https" &&
      aws_cloudfront_distribution.service[0].viewer_certificate[0].cloudfront_default_certificate &&
      aws_cloudfront_distribution.service[0].default_cache_behavior[0].cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    )
    error_message = "Viewers get HTTPS on CloudFront's own name (plain HTTP redirected), and nothing is cached."
  }

  assert {
    condition = (
      aws_cloudfront_response_headers_policy.service[0].security_headers_config[0].strict_transport_security[0].access_control_max_age_sec == 31536000 &&
      aws_cloudfront_response_headers_policy.service[0].security_headers_config[0].strict_transport_security[0].override &&
      aws_cloudfront_distribution.service[0].default_cache_behavior[0].response_headers_policy_id == aws_cloudfront_response_headers_policy.service[0].id
    )
    error_message = "CloudFront adds HSTS (a year) to every response, over whatever the origin sends."
  }

  assert {
    condition     = aws_cloudfront_distribution.service[0].web_acl_id == module.edge_web_acl[0].arn && module.edge_web_acl[0].scope == "CLOUDFRONT" && length(module.web_acl) == 0 && length(aws_wafv2_web_acl_association.service) == 0
    error_message = "The web ACL guards CloudFront, where the clients' own addresses are seen; none sits on the internal load balancer."
  }

  assert {
    condition     = output.service_url == "https://d111111abcdef8.cloudfront.net" && output.entry_point == "cloudfront"
    error_message = "service_url is CloudFront's HTTPS name."
  }
}

run "a_domain_gets_a_certificate_validated_through_route53_tls13_hsts_and_a_redirect" {
  variables {
    entry_point     = "load_balancer"
    domain_name     = "api.example.org"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = !aws_lb.service.internal && aws_lb.service.subnets == toset(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"])
    error_message = "With a domain the load balancer is internet-facing, in the public subnets."
  }

  assert {
    condition     = aws_acm_certificate.service[0].domain_name == "api.example.org" && aws_acm_certificate.service[0].validation_method == "DNS"
    error_message = "The certificate is requested for domain_name, validated through DNS."
  }

  assert {
    condition = (
      aws_route53_record.certificate_validation["api.example.org"].zone_id == "Z0123456789ABCDEFGHIJ" &&
      aws_route53_record.certificate_validation["api.example.org"].type == "CNAME" &&
      aws_route53_record.certificate_validation["api.example.org"].records == toset(["_fedcba9876543210.acm-validations.aws."]) &&
      aws_acm_certificate_validation.service[0].validation_record_fqdns == toset(["_0123456789abcdef.api.example.org"])
    )
    error_message = "ACM's validation record goes into the zone, and the validation waits for it."
  }

  assert {
    condition = (
      aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].protocol == "HTTPS" &&
      aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" &&
      aws_lb_listener.https[0].certificate_arn == aws_acm_certificate_validation.service[0].certificate_arn
    )
    error_message = "HTTPS on 443 with a TLS 1.3 policy and the validated certificate."
  }

  assert {
    condition     = aws_lb_listener.https[0].routing_http_response_strict_transport_security_header_value == "max-age=31536000; includeSubDomains"
    error_message = "The HTTPS listener adds HSTS to every response."
  }

  assert {
    condition = (
      length(aws_lb_listener.http.default_action) == 1 && aws_lb_listener.http.default_action[0].type == "redirect" &&
      aws_lb_listener.http.default_action[0].redirect[0].status_code == "HTTP_301" &&
      aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http.default_action[0].redirect[0].port == "443"
    )
    error_message = "Port 80 (the same listener) only redirects permanently to HTTPS on 443."
  }

  assert {
    condition = alltrue([
      for type in ["A", "AAAA"] :
      aws_route53_record.service[type].name == "api.example.org" && aws_route53_record.service[type].alias[0].name == aws_lb.service.dns_name &&
      aws_route53_record.service[type].alias[0].zone_id == aws_lb.service.zone_id
    ])
    error_message = "A and AAAA alias records point domain_name at the load balancer."
  }

  assert {
    condition     = aws_wafv2_web_acl_association.service[0].resource_arn == aws_lb.service.arn && module.web_acl[0].scope == "REGIONAL" && length(module.edge_web_acl) == 0 && length(aws_cloudfront_distribution.service) == 0
    error_message = "The web ACL guards the internet-facing load balancer; there is no CloudFront."
  }

  assert {
    condition     = output.service_url == "https://api.example.org"
    error_message = "service_url (and the smoke test) use the domain, which the certificate names; never the load balancer's own name."
  }
}

run "a_domain_with_a_certificate_of_its_owner" {
  variables {
    entry_point     = "load_balancer"
    domain_name     = "api.example.org"
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = aws_lb_listener.https[0].certificate_arn == "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000" && length(aws_acm_certificate.service) == 0
    error_message = "A given certificate is used as it is; none is requested."
  }

  assert {
    condition     = length(aws_route53_record.service) == 0 && length(aws_route53_record.certificate_validation) == 0
    error_message = "Without route53_zone_id the DNS is the owner's: no record is made."
  }

  assert {
    condition     = output.service_url == "https://api.example.org"
    error_message = "service_url uses the domain."
  }
}

run "plain_http_on_the_internet_is_refused" {
  command = plan
  variables { entry_point = "load_balancer" }
  expect_failures = [var.entry_point]
}

run "plain_http_only_as_a_named_demo" {
  variables {
    entry_point           = "load_balancer"
    allow_plain_http_demo = true
  }

  assert {
    condition     = !aws_lb.service.internal && aws_lb_listener.http.default_action[0].type == "forward" && length(aws_lb_listener.https) == 0
    error_message = "The named demo serves plain HTTP on 80 from an internet-facing load balancer."
  }

  assert {
    condition     = output.service_url == "http://mocked-123456789.eu-west-1.elb.amazonaws.com"
    error_message = "The demo's service_url says http, so nothing pretends it is HTTPS."
  }
}

run "waf_blocks_metrics_rate_limits_and_logs_without_keys" {
  assert {
    condition     = toset(module.edge_web_acl[0].rule_names) == toset(["block-metrics-path", "rate-limit-per-ip", "aws-common-rules", "aws-anonymous-ip", "aws-known-bad-inputs"])
    error_message = "The web ACL must hold the metrics block, the rate limit and the three managed groups."
  }

  assert {
    condition     = module.edge_web_acl[0].rate_limit == 2000
    error_message = "The per-IP rate limit is waf_rate_limit (2000 per 5 minutes by default)."
  }

  assert {
    condition     = module.edge_web_acl[0].redacted_headers == ["authorization"] && startswith(module.edge_web_acl[0].log_group_name, "aws-waf-logs-")
    error_message = "WAF logs go to an aws-waf-logs- group with the Authorization header redacted."
  }

  assert {
    condition     = aws_kms_key.edge_logs[0].enable_key_rotation
    error_message = "The CloudFront web ACL's log group is encrypted with a rotating key of its region."
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

# --- An operator's way in: ECS Exec into the admin task only -----------------------------------------

run "ecs_exec_only_in_the_admin_task_encrypted_and_logged" {
  assert {
    condition     = !aws_ecs_service.service.enable_execute_command
    error_message = "The service's tasks start with ECS Exec off."
  }

  assert {
    condition = (
      aws_ecs_cluster.service.configuration[0].execute_command_configuration[0].kms_key_id == aws_kms_key.exec.arn &&
      aws_ecs_cluster.service.configuration[0].execute_command_configuration[0].logging == "OVERRIDE" &&
      aws_ecs_cluster.service.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_encryption_enabled &&
      aws_ecs_cluster.service.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_log_group_name == "/ecs/orders-service/exec"
    )
    error_message = "Exec sessions are encrypted with the exec key and logged to the exec log group."
  }

  assert {
    condition     = aws_cloudwatch_log_group.exec.kms_key_id == aws_kms_key.exec.arn && aws_cloudwatch_log_group.exec.retention_in_days >= 365 && aws_kms_key.exec.enable_key_rotation
    error_message = "The session log is encrypted with a rotating key and kept a year at least."
  }

  assert {
    condition     = aws_ecs_task_definition.admin.task_role_arn == aws_iam_role.admin_task.arn && aws_ecs_task_definition.service.task_role_arn == aws_iam_role.task.arn
    error_message = "The admin task runs with the exec role; the service's tasks keep their own."
  }

  assert {
    condition = (
      one([for statement in data.aws_iam_policy_document.admin_task.statement : statement.actions if statement.sid == "OpenTheSessionChannel"]) ==
      toset(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]) &&
      one([for statement in data.aws_iam_policy_document.admin_task.statement : statement.resources if statement.sid == "WriteTheSessionLog"]) == toset(["${aws_cloudwatch_log_group.exec.arn}:*"]) &&
      one([for statement in data.aws_iam_policy_document.admin_task.statement : statement.resources if statement.sid == "DecryptTheSessionChannel"]) == toset([aws_kms_key.exec.arn])
    )
    error_message = "The admin task's role holds what the exec agent needs: the channel, the session log, the key; nothing more."
  }

  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].entryPoint == ["/bin/sh", "-c"] &&
      jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].command == ["exec /usr/local/bin/orders-service admin bootstrap-database"] &&
      jsondecode(aws_ecs_task_definition.admin.container_definitions)[0].linuxParameters.initProcessEnabled
    )
    error_message = "The admin container bootstraps the database by default, and takes a command override (exec sleep N) for a session."
  }

  assert {
    condition     = length(aws_iam_role.operator) == 0
    error_message = "Without operator_principal_arns there is no operator role."
  }
}

run "the_operator_role_may_exec_into_the_admin_container_only" {
  variables {
    operator_principal_arns = ["arn:aws:iam::123456789012:role/oncall"]
  }

  assert {
    condition     = data.aws_iam_policy_document.operator_trust.statement[0].principals == toset([{ type = "AWS", identifiers = toset(["arn:aws:iam::123456789012:role/oncall"]) }]) && data.aws_iam_policy_document.operator_trust.statement[0].actions == toset(["sts:AssumeRole"])
    error_message = "Only the principals in operator_principal_arns may assume the operator role."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.operator.statement :
      toset([for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", condition.values)}"]) == toset(["StringEquals ecs:container-name orders-admin"]) &&
      statement.resources == toset([aws_ecs_cluster.service.arn, "arn:aws:ecs:eu-west-1:123456789012:task/orders-service/*"])
      if contains(statement.actions, "ecs:ExecuteCommand")
    ]) && length([for statement in data.aws_iam_policy_document.operator.statement : statement if contains(statement.actions, "ecs:ExecuteCommand")]) == 1
    error_message = "ecs:ExecuteCommand is allowed in one statement: this cluster's tasks, container orders-admin only."
  }

  assert {
    condition = (
      one([for statement in data.aws_iam_policy_document.operator.statement : statement.resources if contains(statement.actions, "ecs:RunTask")]) == toset(["arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service-admin:*"]) &&
      one([for statement in data.aws_iam_policy_document.operator.statement : toset([for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", condition.values)}"]) if contains(statement.actions, "ecs:RunTask")]) == toset(["ArnEquals ecs:cluster ${aws_ecs_cluster.service.arn}"])
    )
    error_message = "The operator may run the admin family only, in this cluster only."
  }

  assert {
    condition     = one([for statement in data.aws_iam_policy_document.operator.statement : statement.resources if contains(statement.actions, "iam:PassRole")]) == toset([aws_iam_role.admin_execution.arn, aws_iam_role.admin_task.arn])
    error_message = "The operator may pass the admin task's roles only."
  }

  assert {
    condition     = alltrue([for statement in data.aws_iam_policy_document.operator.statement : alltrue([for action in statement.actions : !endswith(action, "*")])])
    error_message = "The operator role grants no wildcard action."
  }

  assert {
    condition     = aws_iam_role.operator[0].max_session_duration == 3600 && output.operator_role_arn == aws_iam_role.operator[0].arn
    error_message = "Operator sessions last an hour at most."
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

run "trace_sample_ratio_must_be_a_share" {
  command = plan
  variables { trace_sample_ratio = 1.5 }
  expect_failures = [var.trace_sample_ratio]
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

run "entry_point_must_be_known" {
  command = plan
  variables { entry_point = "nlb" }
  expect_failures = [var.entry_point]
}

run "a_domain_needs_the_load_balancer_entry_point" {
  command = plan
  variables {
    domain_name     = "api.example.org"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }
  expect_failures = [var.entry_point]
}

run "the_plain_http_demo_flag_only_fits_plain_http" {
  command = plan
  variables { allow_plain_http_demo = true }
  expect_failures = [var.entry_point]
}

run "domain_name_must_be_a_host_name" {
  command = plan
  variables {
    entry_point     = "load_balancer"
    domain_name     = "*.example.org"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }
  expect_failures = [var.domain_name]
}

run "a_domain_needs_a_zone_or_a_certificate" {
  command = plan
  variables {
    entry_point = "load_balancer"
    domain_name = "api.example.org"
  }
  expect_failures = [var.domain_name]
}

run "a_zone_or_certificate_needs_a_domain" {
  command = plan
  variables { route53_zone_id = "Z0123456789ABCDEFGHIJ" }
  expect_failures = [var.domain_name]
}

run "route53_zone_id_must_be_a_zone_id" {
  command = plan
  variables {
    entry_point     = "load_balancer"
    domain_name     = "api.example.org"
    route53_zone_id = "example.org"
  }
  expect_failures = [var.route53_zone_id]
}

run "certificate_must_be_an_acm_arn" {
  command = plan
  variables {
    entry_point     = "load_balancer"
    domain_name     = "api.example.org"
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/x"
  }
  expect_failures = [var.certificate_arn]
}

run "hsts_max_age_must_be_300_s_to_two_years" {
  command = plan
  variables { hsts_max_age_seconds = 0 }
  expect_failures = [var.hsts_max_age_seconds]
}

run "cloudfront_price_class_must_be_known" {
  command = plan
  variables { cloudfront_price_class = "PriceClass_Cheap" }
  expect_failures = [var.cloudfront_price_class]
}

run "operator_principals_must_be_roles_or_users" {
  command = plan
  variables { operator_principal_arns = ["arn:aws:iam::123456789012:root"] }
  expect_failures = [var.operator_principal_arns]
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

run "an_environments_file_outside_its_workspace_is_refused" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}
