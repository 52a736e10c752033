# Who may talk to whom:
#   internet -> load balancer   entry_point = "load_balancer": 80 (and 443 with a domain), from
#                               alb_ingress_cidrs
#   CloudFront -> load balancer entry_point = "cloudfront": 80, from CloudFront's origin-facing
#                               addresses only (cloudfront.tf); nothing from the internet
#   load balancer -> tasks      the application port only; never the metrics port
#   tasks -> database           5432 (the database stack admits it from the tasks' group)
#   tasks -> AWS APIs           443 (ECR, CloudWatch Logs, Secrets Manager), via the internet gateway
#                               or the VPC endpoints, depending on the network stack's choice
#
# The tasks' security group belongs to the network stack, so the database stack can admit it without
# depending on this later stack; the rules that concern the load balancer and the service live here.

resource "aws_security_group" "alb" {
  # A prefix, so that a replacement (created before the old group is destroyed) gets its own name.
  name_prefix = "${var.service_name}-alb-"
  # One text for both setups: a description change replaces the group, and switching setups should
  # not (the tasks' ingress rule names it).
  description = "Load balancer of ${var.service_name}: clients on 80 and 443, or CloudFront alone on 80"
  vpc_id      = local.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  # checkov:skip=CKV_AWS_260:the internet-facing load balancer answers plain HTTP on 80 only to redirect to HTTPS (or to serve, in the demo allow_plain_http_demo must name)
  for_each = local.behind_cloudfront ? toset([]) : toset(var.alb_ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "HTTP from clients"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each = local.load_balancer_https ? toset(var.alb_ingress_cidrs) : toset([])

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from clients"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the application port of the tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = local.tasks_security_group
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = local.tasks_security_group
  description                  = "Application port from the load balancer only (the metrics port stays on task loopback)"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = local.tasks_security_group
  description       = "AWS APIs over TLS: image pulls, logs, secrets, EMF records"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_database" {
  security_group_id            = local.tasks_security_group
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = local.database_port
  to_port                      = local.database_port
  referenced_security_group_id = local.database_security_group
}
