# The one-off admin task: the service's image in its admin mode, run by hand with `aws ecs run-task`
# (docs/operations.md), never part of the service. `admin bootstrap-database` logs in as the RDS
# master user and creates the service's own role and schema with the service secret's credentials.

locals {
  admin_container = {
    name      = "orders-admin"
    image     = local.image_reference
    essential = true
    command   = ["admin", "bootstrap-database"]

    environment = [
      { name = "LOG_LEVEL", value = var.log_level },
      { name = "LOG_FORMAT", value = "json" },
      { name = "STORE", value = "postgres" },
      { name = "DATABASE_HOST", value = local.database_host },
      { name = "DATABASE_PORT", value = tostring(local.database_port) },
      { name = "DATABASE_NAME", value = local.database_name },
      { name = "DATABASE_TLS", value = "require" },
      { name = "DATABASE_TLS_CA_FILE", value = local.rds_ca_bundle_path },
    ]

    # The master secret is RDS-managed and rotates; the task reads it when it starts.
    secrets = [
      { name = "DATABASE_USER", valueFrom = "${local.master_database_secret_arn}:username::" },
      { name = "DATABASE_PASSWORD", valueFrom = "${local.master_database_secret_arn}:password::" },
      { name = "SERVICE_DATABASE_USER", valueFrom = "${local.service_database_secret_arn}:username::" },
      { name = "SERVICE_DATABASE_PASSWORD", valueFrom = "${local.service_database_secret_arn}:password::" },
    ]

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
        "awslogs-stream-prefix" = "admin"
      }
    }
  }
}

resource "aws_ecs_task_definition" "admin" {
  family                   = "${var.service_name}-admin"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.admin_execution.arn
  # No task role: the admin mode calls no AWS API.

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([local.admin_container])
}
