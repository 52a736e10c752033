# The one-off admin task: the service's image in its admin mode, run by hand with `aws ecs run-task`
# (docs/operations.md), never part of the service. `admin bootstrap-database` logs in as the RDS
# master user and creates the service's own role and schema with the service secret's credentials.
#
# It is also the operators' way in (exec.tf): started with --enable-execute-command and its command
# overridden to `exec sleep SECONDS`, it stays up for an ECS Exec session. A shell starts the command
# so that an override can be something other than the service binary (run-task overrides the command,
# never the entry point); the default command replaces the shell with the binary at once.

locals {
  admin_container = {
    name       = "orders-admin"
    image      = local.image_reference
    essential  = true
    entryPoint = ["/bin/sh", "-c"]
    command    = ["exec /usr/local/bin/orders-service admin bootstrap-database"]

    environment = [
      { name = "LOG_LEVEL", value = var.log_level },
      { name = "LOG_FORMAT", value = "json" },
      { name = "STORE", value = "postgres" },
      { name = "DATABASE_HOST", value = local.database_host },
      { name = "DATABASE_PORT", value = tostring(local.database_port) },
      { name = "DATABASE_NAME", value = local.database_name },
      { name = "DATABASE_TLS", value = "require" },
      { name = "DATABASE_TLS_CA_FILE", value = local.rds_ca_bundle_path },
      # admin rotate-service-password writes the secret's next version (admin-secrets.tf).
      { name = "SERVICE_DATABASE_SECRET_ID", value = local.service_database_secret_arn },
      { name = "AWS_REGION", value = local.region },
    ]

    # The master secret is RDS-managed and rotates; the task reads it when it starts.
    secrets = [
      { name = "DATABASE_USER", valueFrom = "${local.master_database_secret_arn}:username::" },
      { name = "DATABASE_PASSWORD", valueFrom = "${local.master_database_secret_arn}:password::" },
      { name = "SERVICE_DATABASE_USER", valueFrom = "${local.service_database_secret_arn}:username::" },
      { name = "SERVICE_DATABASE_PASSWORD", valueFrom = "${local.service_database_secret_arn}:password::" },
    ]

    user = "10001:10001"
    # ECS Exec's agent writes its state and logs into the container's own file system; AWS supports
    # exec only with a writable root (the service's containers keep theirs read-only). The agent and a
    # session's commands run as root, with the container's capabilities: none.
    readonlyRootFilesystem = false
    privileged             = false
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    linuxParameters = {
      capabilities = { drop = ["ALL"] }
      # An init process reaps what an exec session leaves behind (AWS's advice for ECS Exec).
      initProcessEnabled = true
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

locals {
  # The one container ECS Exec may open a session in (operator.tf).
  admin_container_name = local.admin_container.name
}

resource "aws_ecs_task_definition" "admin" {
  # checkov:skip=CKV_AWS_336:ECS Exec's agent writes into the container, and AWS supports exec only with a writable root; only this one-off admin container has one, the service's containers stay read-only
  family                   = "${var.service_name}-admin"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.admin_execution.arn
  # ECS Exec's session channel and log (exec.tf), and the AWS calls of the keys and rotation commands
  # (admin-secrets.tf).
  task_role_arn = aws_iam_role.admin_task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([local.admin_container])
}
