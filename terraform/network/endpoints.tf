# With tasks in private subnets there is no route to the internet, so the AWS APIs a task needs are
# reached through VPC endpoints: ECR (api for auth and manifests, dkr for pulls, and S3, where image
# layers live), CloudWatch Logs (the awslogs driver and metrics in EMF), Secrets Manager (the database
# credentials injected at start) and X-Ray (the collector's trace segments). ECS Exec sessions into the
# admin task (docs/operations.md) need two more: Systems Manager's message channel (ssmmessages) and
# KMS, which the session agent asks to decrypt the channel's data key.

locals {
  interface_endpoints = var.tasks_in_private_subnets ? toset(["ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "ssmmessages", "xray"]) : toset([])
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.aws_region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.tasks[*].id
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true

  tags = {
    Name = "${var.project}-${each.value}"
  }
}

resource "aws_vpc_endpoint" "s3" {
  count = var.tasks_in_private_subnets ? 1 : 0

  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.aws_region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.tasks[0].id]

  tags = {
    Name = "${var.project}-s3"
  }
}
