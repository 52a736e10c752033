# Security group ownership (docs/infrastructure.md, "Security groups"): each group is created by
# the earliest stack that needs to name it, so no stack depends on a later one.
#   network   owns "tasks" (the service's tasks) as an empty shell, and "endpoints".
#   database  owns "database" and its one ingress rule: 5432 from "tasks".
#   ecs       owns "alb", and adds the rules of "tasks": ingress from "alb" on the service port,
#             egress to the database and to HTTPS.

resource "aws_security_group" "tasks" {
  # checkov:skip=CKV2_AWS_5:Attached to the ECS service by terraform/ecs, which is applied after this stack; the group is created here so the database stack can admit it.
  name        = "${var.project}-tasks"
  description = "ECS tasks of the service; rules are added by the database and ecs stacks"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "${var.project}-tasks"
  }
}

# Interface endpoints answer HTTPS from the tasks only.
resource "aws_security_group" "endpoints" {
  count = var.tasks_in_private_subnets ? 1 : 0

  name        = "${var.project}-endpoints"
  description = "VPC interface endpoints: HTTPS from the service tasks"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "${var.project}-endpoints"
  }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_tasks" {
  count = var.tasks_in_private_subnets ? 1 : 0

  security_group_id            = aws_security_group.endpoints[0].id
  description                  = "HTTPS from the service tasks"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.tasks.id
}
