# The cluster: Container Insights on (the running-task and per-task metrics the alarms and the
# dashboard use), FARGATE by default and FARGATE_SPOT available to services that opt in.

resource "aws_ecs_cluster" "service" {
  name = var.service_name

  setting {
    name  = "containerInsights"
    value = "enabled"
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
