# The database admits PostgreSQL from the service's tasks and from nothing else. The tasks'
# security group is the network stack's (created empty there), so this rule needs nothing from
# the ecs stack, which is applied later and adds the matching egress rule to the tasks' group.
# The group has no egress rules: RDS answers connections and starts none.
resource "aws_security_group" "database" {
  name        = "${var.project}-database"
  description = "PostgreSQL from the service tasks only"
  vpc_id      = local.vpc_id

  tags = {
    Name = "${var.project}-database"
  }
}

resource "aws_vpc_security_group_ingress_rule" "database_from_tasks" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the service tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = local.tasks_security_group_id
}
