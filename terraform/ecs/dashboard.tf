# The service's dashboard: traffic and errors from the load balancer's view and from the service's own
# metrics, latency, target and task health, CPU and memory, the database, the WAF, the service's
# connections, every alarm, the recent errors by request and trace id, and links to the traces in X-Ray. docs/operations.md refers to the widgets by their titles.

locals {
  lb   = aws_lb.service.arn_suffix
  tg   = aws_lb_target_group.service.arn_suffix
  svc  = var.service_name
  clus = aws_ecs_cluster.service.name
  db   = local.database_instance_id
  acl  = local.waf_acl_metric_name

  dashboard_widgets = [
    # --- Row 1: traffic, errors, latency ---
    {
      type = "metric", x = 0, y = 0, width = 8, height = 6
      properties = {
        title  = "Requests per minute"
        region = local.region
        stat   = "Sum"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.lb, { label = "Load balancer" }],
          [local.metrics_namespace, "RequestCount", "Service", local.metrics_service_dimension, { label = "Service (own metrics)" }],
        ]
      }
    },
    {
      type = "metric", x = 8, y = 0, width = 8, height = 6
      properties = {
        title  = "5xx per minute"
        region = local.region
        stat   = "Sum"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", local.lb, { label = "Tasks' 5xx" }],
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", local.lb, { label = "Load balancer's own 5xx (502/503/504)" }],
          [local.metrics_namespace, "ErrorCount", "Service", local.metrics_service_dimension, { label = "Service (own metrics)" }],
        ]
      }
    },
    {
      type = "metric", x = 16, y = 0, width = 8, height = 6
      properties = {
        title  = "Latency (seconds)"
        region = local.region
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "p50", label = "p50" }],
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "p99", label = "p99" }],
          [local.metrics_namespace, "RequestDuration", "Service", local.metrics_service_dimension, { stat = "Average", label = "Service average (own metrics)" }],
        ]
        annotations = {
          horizontal = [{ label = "p99 alarm", value = var.alarm_p99_seconds }]
        }
      }
    },
    # --- Row 2: targets, tasks, CPU and memory ---
    {
      type = "metric", x = 0, y = 6, width = 8, height = 6
      properties = {
        title  = "Targets healthy / unhealthy"
        region = local.region
        stat   = "Maximum"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", local.lb, "TargetGroup", local.tg, { label = "Healthy" }],
          ["AWS/ApplicationELB", "UnHealthyHostCount", "LoadBalancer", local.lb, "TargetGroup", local.tg, { label = "Unhealthy" }],
        ]
      }
    },
    {
      type = "metric", x = 8, y = 6, width = 8, height = 6
      properties = {
        title  = "Tasks running / desired"
        region = local.region
        period = 60
        view   = "timeSeries"
        metrics = [
          ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", local.clus, "ServiceName", local.svc, { stat = "Minimum", label = "Running" }],
          ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", local.clus, "ServiceName", local.svc, { stat = "Maximum", label = "Desired" }],
          ["ECS/ContainerInsights", "PendingTaskCount", "ClusterName", local.clus, "ServiceName", local.svc, { stat = "Maximum", label = "Pending" }],
        ]
      }
    },
    {
      type = "metric", x = 16, y = 6, width = 8, height = 6
      properties = {
        title  = "Service CPU and memory (%)"
        region = local.region
        stat   = "Average"
        period = 60
        view   = "timeSeries"
        yAxis  = { left = { min = 0, max = 100 } }
        metrics = [
          ["AWS/ECS", "CPUUtilization", "ClusterName", local.clus, "ServiceName", local.svc, { label = "CPU" }],
          ["AWS/ECS", "MemoryUtilization", "ClusterName", local.clus, "ServiceName", local.svc, { label = "Memory" }],
        ]
      }
    },
    # --- Row 3: database ---
    {
      type = "metric", x = 0, y = 12, width = 8, height = 6
      properties = {
        title  = "Database CPU (%) and connections"
        region = local.region
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", local.db, { stat = "Average", label = "CPU %" }],
          ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", local.db, { stat = "Maximum", label = "Connections", yAxis = "right" }],
        ]
        annotations = {
          horizontal = [{ label = "max_connections", value = local.database_max_connections, yAxis = "right" }]
        }
      }
    },
    {
      type = "metric", x = 8, y = 12, width = 8, height = 6
      properties = {
        title  = "Database free storage (bytes)"
        region = local.region
        stat   = "Minimum"
        period = 300
        view   = "timeSeries"
        metrics = [
          ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", local.db, { label = "Free storage" }],
        ]
      }
    },
    {
      type = "metric", x = 16, y = 12, width = 8, height = 6
      properties = {
        title  = "Database latency (seconds)"
        region = local.region
        stat   = "Average"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/RDS", "ReadLatency", "DBInstanceIdentifier", local.db, { label = "Read" }],
          ["AWS/RDS", "WriteLatency", "DBInstanceIdentifier", local.db, { label = "Write" }],
        ]
      }
    },
    # --- Row 4: WAF, connections and alarms ---
    {
      type = "metric", x = 0, y = 18, width = 8, height = 6
      properties = {
        title  = "WAF requests allowed / blocked / counted"
        region = local.waf_region
        stat   = "Sum"
        period = 60
        view   = "timeSeries"
        metrics = [
          concat(["AWS/WAFV2", "AllowedRequests", "WebACL", local.acl], local.waf_region_dimensions, ["Rule", "ALL", { label = "Allowed" }]),
          concat(["AWS/WAFV2", "BlockedRequests", "WebACL", local.acl], local.waf_region_dimensions, ["Rule", "ALL", { label = "Blocked" }]),
          concat(["AWS/WAFV2", "CountedRequests", "WebACL", local.acl], local.waf_region_dimensions, ["Rule", "ALL", { label = "Counted" }]),
        ]
      }
    },
    {
      type = "metric", x = 8, y = 18, width = 8, height = 6
      properties = {
        title  = "Connections open / shed"
        region = local.region
        period = 60
        view   = "timeSeries"
        metrics = [
          [local.metrics_namespace, "ConnectionsOpen", "Service", local.metrics_service_dimension, { stat = "Maximum", label = "Open (busiest task)" }],
          [local.metrics_namespace, "ConnectionsShed", "Service", local.metrics_service_dimension, "action", "closed_idle", { stat = "Sum", label = "Idle ones closed" }],
          [local.metrics_namespace, "ConnectionsShed", "Service", local.metrics_service_dimension, "action", "refused", { stat = "Sum", label = "Refused" }],
        ]
      }
    },
    {
      type = "alarm", x = 16, y = 18, width = 8, height = 6
      properties = {
        title = "Alarms"
        alarms = [
          aws_cloudwatch_metric_alarm.http_5xx_ratio.arn,
          aws_cloudwatch_metric_alarm.target_p99.arn,
          aws_cloudwatch_metric_alarm.unhealthy_hosts.arn,
          aws_cloudwatch_metric_alarm.running_tasks_below_desired.arn,
          aws_cloudwatch_metric_alarm.service_cpu_high.arn,
          aws_cloudwatch_metric_alarm.service_memory_high.arn,
          aws_cloudwatch_metric_alarm.service_errors.arn,
          aws_cloudwatch_metric_alarm.connections_refused.arn,
          aws_cloudwatch_metric_alarm.database_cpu_high.arn,
          aws_cloudwatch_metric_alarm.database_free_storage_low.arn,
          aws_cloudwatch_metric_alarm.database_connections_high.arn,
        ]
      }
    },
    # --- Row 5: logs ---
    {
      type = "log", x = 0, y = 24, width = 16, height = 8
      properties = {
        title  = "Recent errors by request id"
        region = local.region
        view   = "table"
        query  = <<-EOT
          SOURCE '${aws_cloudwatch_log_group.service.name}'
          | fields @timestamp, request_id, trace_id, method, route, status, duration_ms, message, @logStream
          | filter level in ["error", "critical"] or status like /^5/
          | sort @timestamp desc
          | limit 100
        EOT
      }
    },
    {
      type = "log", x = 16, y = 24, width = 8, height = 8
      properties = {
        title  = "WAF blocked and counted requests by rule"
        region = local.waf_region
        view   = "table"
        query  = <<-EOT
          SOURCE '${local.waf_log_group}'
          | parse @message /"nonTerminatingMatchingRules":\[\{"ruleId":"(?<countedBy>[^"]+)"/
          | stats count(*) as requests by action, terminatingRuleId, countedBy, httpRequest.clientIp
          | sort requests desc
          | limit 50
        EOT
      }
    },
    # --- Row 6: traces ---
    {
      type = "text", x = 0, y = 32, width = 24, height = 3
      properties = {
        markdown = join("\n", [
          "## Traces",
          "Sampled requests of ${var.service_name} in X-Ray (${local.trace_sampling_note}): [traces of this service](${local.xray_traces_url}) and its [trace map](${local.xray_map_url}). A problem body's `trace_id`, and the `trace_id` of every log line written inside a request, open the same trace there.",
        ])
      }
    },
  ]

  # CloudWatch's X-Ray pages for this service, in the stack's region.
  xray_console    = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}"
  xray_traces_url = "${local.xray_console}#xray:traces/query?~(query~(expression~'service(%22${var.service_name}%22)'))"
  xray_map_url    = "${local.xray_console}#xray:service-map/map"
  trace_sampling_note = (
    var.trace_sample_ratio == 0 ? "tracing off" :
    "${var.trace_sample_ratio * 100} % of new traces, every trace a sampled caller started"
  )
}

resource "aws_cloudwatch_dashboard" "service" {
  dashboard_name = var.service_name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
