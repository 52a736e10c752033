# The service's task: the orders-service container and the collector sidecar (metrics and traces).
#
# Terraform registers the first revision and any revision whose settings change here; CI registers a
# new revision per deploy, rendered from the latest one with only the image replaced. The service
# ignores task_definition changes (service.tf), so an apply never rolls back an image CI deployed.

locals {
  # The service container. Every timing comes from config/timings.json; the contract
  # (docs/contract.md) names the variables.
  service_container = {
    name      = local.service_container_name
    image     = local.image_reference
    essential = true

    # Only the application port is mapped: the metrics port is bound to the task's loopback.
    portMappings = [
      { name = "http", containerPort = local.app_port, protocol = "tcp" },
    ]

    environment = [
      { name = "HTTP_HOST", value = "0.0.0.0" },
      { name = "HTTP_PORT", value = tostring(local.app_port) },
      { name = "METRICS_HOST", value = "127.0.0.1" },
      { name = "METRICS_PORT", value = tostring(local.metrics_port) },
      { name = "LOG_LEVEL", value = var.log_level },
      { name = "LOG_FORMAT", value = "json" },
      { name = "DRAIN_DELAY_SECONDS", value = tostring(local.timings.drain_delay_seconds) },
      { name = "SHUTDOWN_TIMEOUT_SECONDS", value = tostring(local.timings.shutdown_timeout_seconds) },
      { name = "HTTP_IDLE_TIMEOUT_SECONDS", value = tostring(local.timings.keep_alive_idle_timeout_seconds) },
      { name = "REQUEST_TIMEOUT_SECONDS", value = tostring(local.timings.request_timeout_seconds) },
      { name = "STORE", value = "postgres" },
      { name = "DATABASE_HOST", value = local.database_host },
      { name = "DATABASE_PORT", value = tostring(local.database_port) },
      { name = "DATABASE_NAME", value = local.database_name },
      { name = "DATABASE_POOL_SIZE", value = tostring(var.database_pool_size) },
      { name = "DATABASE_TLS", value = "require" },
      { name = "DATABASE_TLS_CA_FILE", value = local.rds_ca_bundle_path },
      # Traces go to the collector sidecar on the task's loopback, which sends them to X-Ray. Without
      # a ratio there is nothing to record: the service then starts with tracing off.
      { name = "OTEL_SERVICE_NAME", value = var.service_name },
      { name = "OTEL_EXPORTER_OTLP_ENDPOINT", value = "http://${local.otlp_endpoint}" },
      { name = "OTEL_EXPORTER_OTLP_PROTOCOL", value = "http/protobuf" },
      { name = "OTEL_TRACES_SAMPLER", value = "parentbased_traceidratio" },
      { name = "OTEL_TRACES_SAMPLER_ARG", value = tostring(var.trace_sample_ratio) },
      { name = "OTEL_SDK_DISABLED", value = var.trace_sample_ratio == 0 ? "true" : "false" },
    ]

    # The service's own login (never the master user), both halves from its secret: a rotation names
    # the other login with a new password, and a task reads both when it starts, so a forced new
    # deployment moves the tasks over (docs/infrastructure.md, "Rotating the service's password").
    secrets = [
      { name = "DATABASE_USER", valueFrom = "${local.service_database_secret_arn}:username::" },
      { name = "DATABASE_PASSWORD", valueFrom = "${local.service_database_secret_arn}:password::" },
    ]

    # Liveness only, never readiness: during a database outage the tasks stay in service and answer
    # order routes with fast 503s themselves; a readiness check here would make ECS kill and replace
    # every task at once.
    healthCheck = {
      command     = ["CMD", "/usr/local/bin/orders-service", "healthcheck"]
      interval    = local.timings.container_health_check_interval_seconds
      timeout     = local.timings.container_health_check_timeout_seconds
      retries     = local.timings.container_health_check_retries
      startPeriod = local.timings.container_health_check_start_period_seconds
    }

    # SIGTERM starts the drain; ECS sends SIGKILL after stopTimeout, which covers the drain delay
    # plus the shutdown bound (tests/infra/test_service_ties.py keeps it so).
    stopTimeout = local.timings.stop_timeout_seconds

    user                   = "10001:10001"
    readonlyRootFilesystem = true
    privileged             = false
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    linuxParameters = {
      capabilities = { drop = ["ALL"] }
    }

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.service.name
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = "service"
        # A slow log pipe must not stall requests: buffer, and drop lines only if the buffer fills.
        "mode"            = "non-blocking"
        "max-buffer-size" = "25m"
      }
    }
  }

  collector_config = templatefile("${path.module}/../../config/otel-collector.yaml", {
    metrics_port      = local.metrics_port
    service_dimension = local.metrics_service_dimension
    metrics_namespace = local.metrics_namespace
    metrics_log_group = aws_cloudwatch_log_group.metrics.name
    otlp_endpoint     = local.otlp_endpoint
    service_log_group = aws_cloudwatch_log_group.service.name
  })

  # The collector comes from ECR Public, or from a pull-through cache of it in this account's ECR (which
  # the VPC endpoints reach), whose repository the execution role may then pull and import.
  collector_from_private_ecr = !startswith(var.collector_image, "public.ecr.aws/")
  # [account, region, repository] of a private collector image; the precondition below holds them to
  # this stack's account and region, where the execution role and the VPC endpoints are.
  collector_ecr            = regex("^(?:([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.[^/]+/)?([^:@]+)", var.collector_image)
  collector_repository_arn = "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${local.collector_ecr[2]}"

  # The metrics sidecar. Not essential: a collector failure costs metrics, never traffic.
  collector_container = {
    name      = local.collector_container_name
    image     = var.collector_image
    essential = false
    cpu       = 64
    # A hard cap, so a misbehaving collector cannot take the service's memory.
    memory            = 256
    memoryReservation = 64

    environment = [
      { name = "AOT_CONFIG_CONTENT", value = local.collector_config },
    ]

    healthCheck = {
      command     = ["CMD", "/healthcheck"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 15
    }

    # The collector writes no file (its configuration arrives in AOT_CONFIG_CONTENT, its exporter
    # sends over the network), so it gets no scratch volume: a bind mount in an image this project
    # does not build could not be made writable for the image's user (see the service's /tmp).
    readonlyRootFilesystem = true
    privileged             = false
    linuxParameters = {
      capabilities = { drop = ["ALL"] }
    }

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.collector.name
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = "collector"
        "mode"                  = "non-blocking"
        "max-buffer-size"       = "4m"
      }
    }
  }
}

resource "aws_ecs_task_definition" "service" {
  family                   = var.service_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Writable scratch space on the task's ephemeral storage for the service (its root filesystem is
  # read-only). The image declares /tmp as a VOLUME, which is what makes the mount writable for 10001.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([local.service_container, local.collector_container])

  lifecycle {
    # Tasks in private subnets have no route to the internet, and no VPC endpoint serves ECR Public:
    # a collector image from there would never be pulled, and no task would start.
    precondition {
      condition     = local.task_assign_public_ip || local.collector_from_private_ecr
      error_message = "The network stack runs the tasks in private subnets, which cannot reach ECR Public: set collector_image to this account's ECR pull-through cache of the collector (see docs/infrastructure.md)."
    }

    precondition {
      condition     = !local.collector_from_private_ecr || (local.collector_ecr[0] == local.account_id && local.collector_ecr[1] == local.region)
      error_message = "A private collector_image must be in this account's ECR, in this stack's region: the execution role may pull only there."
    }
  }
}
