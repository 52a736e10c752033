# AWS WAF where requests enter: on the internet-facing load balancer (REGIONAL, in this region), or on
# the CloudFront distribution (CLOUDFRONT scope, which AWS keeps in us-east-1: the aws.us_east_1
# provider). The rules live once, in ./web-acl: /metrics refused however it is spelled, a per-client-IP
# rate limit, AWS's managed common, anonymous-IP and known-bad-inputs rules, and a log of blocked and
# counted requests with the Authorization header redacted. Behind CloudFront the web ACL sees the
# clients' own addresses; on the internal load balancer it would see only CloudFront's.

locals {
  waf_metric_prefix = replace(var.service_name, "-", "")
  waf_log_group     = "aws-waf-logs-${var.service_name}"

  # Where the web ACL's metrics and log live, for the dashboard. CloudFront-scope metrics have no
  # Region dimension.
  waf_region            = local.behind_cloudfront ? "us-east-1" : local.region
  waf_region_dimensions = local.behind_cloudfront ? [] : ["Region", local.region]
  waf_acl_metric_name   = "${local.waf_metric_prefix}WebAcl"
}

module "web_acl" {
  source = "./web-acl"
  count  = local.behind_cloudfront ? 0 : 1

  name               = var.service_name
  scope              = "REGIONAL"
  description        = "Edge rules in front of the ${var.service_name} load balancer"
  metric_prefix      = local.waf_metric_prefix
  rate_limit         = var.waf_rate_limit
  log_group_name     = local.waf_log_group
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = aws_kms_key.service.arn
}

resource "aws_wafv2_web_acl_association" "service" {
  count = local.behind_cloudfront ? 0 : 1

  resource_arn = aws_lb.service.arn
  web_acl_arn  = module.web_acl[0].arn
}

module "edge_web_acl" {
  source = "./web-acl"
  count  = local.behind_cloudfront ? 1 : 0

  providers = {
    aws = aws.us_east_1
  }

  name               = var.service_name
  scope              = "CLOUDFRONT"
  description        = "Edge rules in front of the ${var.service_name} CloudFront distribution"
  metric_prefix      = local.waf_metric_prefix
  rate_limit         = var.waf_rate_limit
  log_group_name     = local.waf_log_group
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = aws_kms_key.edge_logs[0].arn
}

# The web ACL of stacks applied before it moved into ./web-acl.
moved {
  from = aws_wafv2_web_acl.service
  to   = module.web_acl[0].aws_wafv2_web_acl.this
}

moved {
  from = aws_cloudwatch_log_group.waf
  to   = module.web_acl[0].aws_cloudwatch_log_group.this
}

moved {
  from = aws_wafv2_web_acl_logging_configuration.service
  to   = module.web_acl[0].aws_wafv2_web_acl_logging_configuration.this
}
