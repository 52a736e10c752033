# Alarms as code. Every alarm notifies the alarm topic on ALARM and on OK. Each one states what
# missing data means for it, on purpose (treat_missing_data), with the reason next to it.
#
# Two of them mean "this deployment is bad" and feed the service's alarm-based rollback (service.tf):
# the 5xx ratio and the targets' p99. ECS watches them from the start of a deployment until its bake
# time after steady state; either one in ALARM fails the deployment and rolls back to the last one
# that completed. docs/operations.md has a runbook section per alarm.

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]

  lb_dimensions = { LoadBalancer = aws_lb.service.arn_suffix }
  target_group_dimensions = {
    LoadBalancer = aws_lb.service.arn_suffix
    TargetGroup  = aws_lb_target_group.service.arn_suffix
  }
  service_dimensions = {
    ClusterName = aws_ecs_cluster.service.name
    ServiceName = var.service_name
  }
  database_dimensions = { DBInstanceIdentifier = local.database_instance_id }

  deployment_alarm_names = [
    aws_cloudwatch_metric_alarm.http_5xx_ratio.alarm_name,
    aws_cloudwatch_metric_alarm.target_p99.alarm_name,
  ]

  # The longest window a deployment alarm looks at. ECS derives its bake time from the alarms'
  # configuration, so the deploy workflow's deadline is built from this plus the rollout bound below.
  deployment_alarm_window_seconds = max(
    aws_cloudwatch_metric_alarm.http_5xx_ratio.evaluation_periods * 60,
    aws_cloudwatch_metric_alarm.target_p99.evaluation_periods * aws_cloudwatch_metric_alarm.target_p99.period,
  )
  # Upper bound of one rolling deployment (all new tasks start at once with maximum 200%): start-up
  # within the grace period, healthy threshold x interval to enter service, deregistration delay and
  # stopTimeout for the old tasks, plus five minutes for placement and image pull.
  deployment_rollout_bound_seconds = (
    local.timings.health_check_grace_period_seconds +
    local.timings.healthy_threshold * local.timings.health_check_interval_seconds +
    local.timings.deregistration_delay_seconds +
    local.timings.stop_timeout_seconds +
    300
  )
  # What the deploy workflow waits for COMPLETED or FAILED before it gives up: the rollout, then the
  # bake (twice the alarm window, as ECS's own computation is not published), plus five minutes' margin.
  deployment_deadline_seconds = local.deployment_rollout_bound_seconds + 2 * local.deployment_alarm_window_seconds + 300
}

# --- Where alarms go ------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${var.service_name}-alarms"
  kms_master_key_id = aws_kms_key.service.arn
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccountPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# --- Deployment alarms (roll back a bad deployment) ------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "http_5xx_ratio" {
  alarm_name          = "${var.service_name}-5xx-ratio"
  alarm_description   = "More than ${var.alarm_5xx_percent}% of requests answered 5xx (by the tasks or by the load balancer). Deployment alarm: rolls back a deployment. Runbook: docs/operations.md#5xx-ratio"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  # A minute with no metric at all is a minute without a single request: a quiet service is not a
  # failing one. Every other minute has a value, because each series is filled with 0 where it has
  # none (see the expression).
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  # RequestCount counts only requests the load balancer could give to a target. When no target is
  # healthy, it answers 503 itself (HTTPCode_ELB_503_Count) and RequestCount has no data point: so the
  # denominator adds those 503s, and every series is filled with 0, or the worst minute would have no
  # ratio at all and read as OK. Below alarm_5xx_min_requests a minute is not judged (0), so two
  # errors out of three requests cannot roll back a deployment.
  metric_query {
    id          = "ratio"
    label       = "5xx percent of requests"
    return_data = true
    expression  = "IF((FILL(requests, 0) + FILL(lb503, 0)) >= ${var.alarm_5xx_min_requests}, 100 * (FILL(target5xx, 0) + FILL(lb5xx, 0)) / (FILL(requests, 0) + FILL(lb503, 0)), 0)"
  }

  metric_query {
    id = "lb503"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_503_Count"
      dimensions  = local.lb_dimensions
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.lb_dimensions
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.lb_dimensions
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "lb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = local.lb_dimensions
      stat        = "Sum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "target_p99" {
  alarm_name          = "${var.service_name}-target-p99"
  alarm_description   = "p99 of the tasks' response time above ${var.alarm_p99_seconds} s. Deployment alarm: rolls back a deployment. Runbook: docs/operations.md#target-p99"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.target_group_dimensions
  extended_statistic  = "p99"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_p99_seconds
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  # A p99 of a handful of requests is one slow request: too few samples leave the state as it is.
  evaluate_low_sample_count_percentiles = "ignore"
  # No requests, no response times: silence is not slowness.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

# --- Service health --------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${var.service_name}-unhealthy-hosts"
  alarm_description   = "At least one task failed the load balancer's /health check for 3 minutes. Runbook: docs/operations.md#unhealthy-hosts"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = local.target_group_dimensions
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 3
  # The count is published every minute while targets are registered; no data means no targets at
  # all, which the running-tasks alarm reports. Not counted twice.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "running_tasks_below_desired" {
  alarm_name          = "${var.service_name}-running-below-desired"
  alarm_description   = "Fewer tasks running than desired for 5 minutes (tasks crash, cannot be placed or cannot pull the image). Runbook: docs/operations.md#running-tasks-below-desired"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 5
  # Container Insights reports both counts every minute while the service exists: losing them means
  # the service or its telemetry is gone, and that must page rather than pass for healthy.
  treat_missing_data = "breaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  metric_query {
    id          = "missing"
    label       = "Desired minus running tasks"
    return_data = true
    expression  = "desired - running"
  }

  metric_query {
    id = "desired"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      dimensions  = local.service_dimensions
      stat        = "Maximum"
      period      = 60
    }
  }

  metric_query {
    id = "running"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = local.service_dimensions
      stat        = "Minimum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "service_cpu_high" {
  alarm_name          = "${var.service_name}-cpu-high"
  alarm_description   = "Average CPU of the service's tasks above ${var.alarm_cpu_percent}% for 5 minutes: autoscaling is at its maximum or not keeping up. Runbook: docs/operations.md#cpu-high"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = local.service_dimensions
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_cpu_percent
  evaluation_periods  = 5
  # No tasks, no utilisation: the running-tasks alarm owns that case.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "service_memory_high" {
  alarm_name          = "${var.service_name}-memory-high"
  alarm_description   = "Average memory of the service's tasks above ${var.alarm_memory_percent}% for 5 minutes: a leak, or tasks too small. Runbook: docs/operations.md#memory-high"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = local.service_dimensions
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_memory_percent
  evaluation_periods  = 5
  # No tasks, no utilisation: the running-tasks alarm owns that case.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "service_errors" {
  alarm_name          = "${var.service_name}-service-errors"
  alarm_description   = "The service itself counts more than ${var.alarm_5xx_percent}% of its requests as 5xx (its own metrics, via the collector). Runbook: docs/operations.md#service-errors"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  # The collector sidecar is not essential: when it stops, metrics stop; the 5xx-ratio alarm on the
  # load balancer's view still watches errors, so a gap here does not page.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  metric_query {
    id          = "ratio"
    label       = "Service 5xx percent"
    return_data = true
    expression  = "IF(requests >= ${var.alarm_5xx_min_requests}, 100 * FILL(errors, 0) / requests, 0)"
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "RequestCount"
      dimensions  = { Service = local.metrics_service_dimension }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "ErrorCount"
      dimensions  = { Service = local.metrics_service_dimension }
      stat        = "Sum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "connections_refused" {
  alarm_name          = "${var.service_name}-connections-refused"
  alarm_description   = "The service refused new connections at its connection limit, every one open and busy (its own metrics, via the collector). Runbook: docs/operations.md#connections-refused"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  # The service publishes the counter from its start, 0 until it refuses one: missing data means the
  # collector is not publishing, which the service-errors runbook covers; not breaching.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  namespace   = local.metrics_namespace
  metric_name = "ConnectionsShed"
  dimensions  = { Service = local.metrics_service_dimension, action = "refused" }
  statistic   = "Sum"
  period      = 60
}

# --- Database -------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "database_cpu_high" {
  alarm_name          = "${var.service_name}-database-cpu-high"
  alarm_description   = "Database CPU above ${var.alarm_db_cpu_percent}% for 15 minutes. Runbook: docs/operations.md#database-cpu-high"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = local.database_dimensions
  statistic           = "Average"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_db_cpu_percent
  evaluation_periods  = 3
  # RDS publishes every minute while the instance runs: silence means it is stopped or gone.
  treat_missing_data = "breaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "database_free_storage_low" {
  alarm_name          = "${var.service_name}-database-free-storage-low"
  alarm_description   = "Database free storage below ${var.alarm_db_free_storage_bytes} bytes. Runbook: docs/operations.md#database-free-storage-low"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = local.database_dimensions
  statistic           = "Minimum"
  period              = 300
  comparison_operator = "LessThanThreshold"
  threshold           = var.alarm_db_free_storage_bytes
  evaluation_periods  = 1
  # Silence means the instance is stopped or gone; storage we cannot see is not storage we can trust.
  treat_missing_data = "breaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "database_connections_high" {
  alarm_name          = "${var.service_name}-database-connections-high"
  alarm_description   = "Database connections above ${var.alarm_db_connections_percent}% of max_connections for 5 minutes: pools too large for the task count, or connections leaking. Runbook: docs/operations.md#database-connections-high"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = local.database_dimensions
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = floor(local.database_max_connections * var.alarm_db_connections_percent / 100)
  evaluation_periods  = 5
  # The database CPU alarm already pages when the instance goes silent; paging twice for one gap
  # helps no one.
  treat_missing_data = "notBreaching"
  actions_enabled    = true
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}
