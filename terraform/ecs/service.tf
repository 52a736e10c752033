# The ECS service: at least two tasks across the zones of the task subnets, rolling deployments that
# never drop below the desired count, and two independent ways a bad deployment is rolled back:
#   the circuit breaker  new tasks that fail to start or to pass health checks;
#   the deployment alarms tasks that start and pass /health but serve errors or slow responses
#                         (alarms.tf: the load balancer's 5xx ratio and the targets' p99).

resource "aws_ecs_service" "service" {
  # checkov:skip=CKV_AWS_333:the seed runs tasks in public subnets with public IPs instead of paying for a NAT gateway; their security group admits only the load balancer. Set tasks_in_private_subnets in the network stack to run them without public IPs
  name            = var.service_name
  cluster         = aws_ecs_cluster.service.arn
  task_definition = aws_ecs_task_definition.service.arn
  desired_count   = local.min_tasks

  platform_version                  = "LATEST"
  availability_zone_rebalancing     = "ENABLED"
  health_check_grace_period_seconds = local.timings.health_check_grace_period_seconds
  propagate_tags                    = "SERVICE"
  enable_ecs_managed_tags           = true
  wait_for_steady_state             = false
  # No ECS Exec into the service's tasks: operators get in through the admin task (exec.tf).
  enable_execute_command = false

  deployment_minimum_healthy_percent = local.deployment_minimum_healthy_percent
  deployment_maximum_percent         = local.deployment_maximum_percent

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  alarms {
    enable      = true
    rollback    = true
    alarm_names = local.deployment_alarm_names
  }

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.fargate_spot_weight > 0 ? [var.fargate_spot_weight] : []

    content {
      capacity_provider = "FARGATE_SPOT"
      weight            = capacity_provider_strategy.value
    }
  }

  network_configuration {
    subnets          = local.task_subnet_ids
    security_groups  = [local.tasks_security_group]
    assign_public_ip = local.task_assign_public_ip
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.service.arn
    container_name   = local.service_container_name
    container_port   = local.app_port
  }

  # CI owns the image: it registers new task definition revisions and points the service at them, so
  # an apply must not point it back. Autoscaling owns the desired count.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [
    aws_ecs_cluster_capacity_providers.service,
    aws_lb_listener.http,
    aws_lb_listener.https,
    aws_iam_role_policy.execution,
  ]
}
