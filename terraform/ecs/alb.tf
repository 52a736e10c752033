# The Application Load Balancer and the target group of the service's tasks. Internet-facing with
# entry_point = "load_balancer"; internal, in the network stack's internal subnets and reachable only
# by CloudFront, with entry_point = "cloudfront" (entry-point.tf).

resource "aws_lb" "service" {
  # checkov:skip=CKV2_AWS_20:with a domain, port 80 only redirects to HTTPS; behind CloudFront the balancer is internal and CloudFront redirects viewers to HTTPS; only the refused-by-default plain-HTTP demo forwards
  name               = var.service_name
  load_balancer_type = "application"
  internal           = local.behind_cloudfront
  subnets            = local.behind_cloudfront ? local.internal_subnet_ids : local.public_subnet_ids
  security_groups    = [aws_security_group.alb.id]

  # Requests with header names that are not valid HTTP are dropped, not passed on to the service.
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "defensive"
  # On unless the stack is a throwaway (written as a conditional, which checkov can evaluate).
  enable_deletion_protection = var.allow_destroy ? false : true

  # Below the service's keep-alive idle timeout, so the balancer never reuses a connection the service
  # has just closed (a classic source of 502s).
  idle_timeout = local.timings.alb_idle_timeout_seconds

  access_logs {
    bucket  = aws_s3_bucket.alb_logs.id
    prefix  = "alb"
    enabled = var.alb_access_logs_enabled
  }

  depends_on = [aws_s3_bucket_policy.alb_logs]
}

resource "aws_lb_target_group" "service" {
  # checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the hop to the task stays inside the VPC, between two security groups that admit only each other
  # A prefix, not a name: a change that replaces the group (port, protocol) creates the new one before
  # the old is destroyed, and two groups cannot share a name. AWS allows at most 6 characters here.
  name_prefix = "${substr(replace(var.service_name, "-", ""), 0, 5)}-"
  target_type = "ip"
  vpc_id      = local.vpc_id
  protocol    = "HTTP"
  port        = local.app_port

  # On deployments and scale-in ECS deregisters a task and waits this long before it sends SIGTERM:
  # it covers the longest request (request_timeout_seconds).
  deregistration_delay = local.timings.deregistration_delay_seconds

  # /health: live and not draining, never dependent on the database (docs/contract.md). A task is in
  # service after healthy_threshold x interval (10 s) and out after unhealthy_threshold x interval
  # (10 s) + timeout; the drain delay outlasts that, so a stopping task leaves before it stops accepting.
  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = local.timings.health_check_path
    matcher             = "200"
    interval            = local.timings.health_check_interval_seconds
    timeout             = local.timings.health_check_timeout_seconds
    healthy_threshold   = local.timings.healthy_threshold
    unhealthy_threshold = local.timings.unhealthy_threshold
  }

  lifecycle {
    create_before_destroy = true
  }
}

# --- Listeners ------------------------------------------------------------------------------------

# Port 80: with a domain, only a permanent redirect to HTTPS; behind CloudFront, the requests
# CloudFront forwards through its VPC origin (the security group admits nothing else); in the demo,
# the service itself. It is one listener whose action changes, so adding a domain later updates it in
# place: two listener resources would put a new one on port 80 while the old one still holds it
# (DuplicateListener).
resource "aws_lb_listener" "http" {
  # checkov:skip=CKV_AWS_2:with a domain this listener only redirects to HTTPS; behind CloudFront it is internal and CloudFront's VPC origin is its only client; plain HTTP to the internet only in the demo allow_plain_http_demo must name
  # checkov:skip=CKV_AWS_103:an HTTP listener has no TLS policy; the HTTPS listener uses a TLS 1.3 policy
  load_balancer_arn = aws_lb.service.arn
  port              = 80
  protocol          = "HTTP"

  dynamic "default_action" {
    for_each = local.load_balancer_https ? [] : ["forward"]

    content {
      type             = "forward"
      target_group_arn = aws_lb_target_group.service.arn
    }
  }

  dynamic "default_action" {
    for_each = local.load_balancer_https ? ["redirect"] : []

    content {
      type = "redirect"

      redirect {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }
}

# Stacks applied before port 80 became one listener keep theirs. A stack that had a certificate
# moves its redirect listener once by hand: terraform state mv 'aws_lb_listener.http_redirect[0]' aws_lb_listener.http
moved {
  from = aws_lb_listener.http_forward[0]
  to   = aws_lb_listener.http
}

resource "aws_lb_listener" "https" {
  count = local.load_balancer_https ? 1 : 0

  load_balancer_arn = aws_lb.service.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = local.listener_certificate_arn

  # The balancer adds (or overwrites) Strict-Transport-Security on every response of this listener,
  # the service's and its own (the /metrics refusal below), so no response over HTTPS lacks it.
  routing_http_response_strict_transport_security_header_value = local.hsts_header

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }
}

locals {
  # The listener that forwards to the tasks.
  service_listener_arn = local.load_balancer_https ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn
}

# Defence in depth for /metrics. The real guarantee is the port: the service serves /metrics only on
# METRICS_PORT, bound to the task's loopback, and answers 404 for it on the application port. This
# rule, and the WAF rule that matches the decoded, normalised path (waf.tf), refuse it at the edge too.
resource "aws_lb_listener_rule" "block_metrics" {
  listener_arn = local.service_listener_arn
  priority     = 1

  condition {
    path_pattern {
      # Patterns match the raw path, case-sensitively: "/metrics*" and any path that ends in a
      # /metrics segment ("//metrics", "/x/../metrics"). The WAF rule covers encoded and mixed-case forms.
      values = ["/metrics*", "*/metrics*"]
    }
  }

  action {
    type = "fixed-response"

    fixed_response {
      # Fixed responses accept only a few content types; the body is the service's problem shape.
      content_type = "application/json"
      status_code  = "404"
      message_body = jsonencode({ type = "about:blank", title = "Not Found", status = 404 })
    }
  }
}
