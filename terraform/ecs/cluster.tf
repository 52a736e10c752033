# The cluster: Container Insights on (the running-task and per-task metrics the alarms and the
# dashboard use), FARGATE by default and FARGATE_SPOT available to services that opt in, and ECS Exec
# sessions (only the admin task starts with exec enabled; exec.tf) encrypted and logged.

resource "aws_ecs_cluster" "service" {
  name = var.service_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  configuration {
    execute_command_configuration {
      # Encrypts the data channel between the operator's client and the container.
      kms_key_id = aws_kms_key.exec.arn
      # Every session's input and output, into an encrypted log group of this cluster's own.
      logging = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "service" {
  cluster_name       = aws_ecs_cluster.service.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }
}
