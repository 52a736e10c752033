# One AWS WAF web ACL with its logging: refuse /metrics however the path is spelled, a per-client-IP
# rate limit, and AWS's managed common, anonymous-IP and known-bad-inputs rules. Blocked and counted
# requests are logged (the Authorization header redacted: it carries API keys). The scope and the
# region come from the caller: the ecs stack's waf.tf.

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = var.description
  scope       = var.scope

  default_action {
    allow {}
  }

  # /metrics after URL-decoding, path normalisation ("//", "/./", "/../") and lower-casing: whatever
  # spelling reaches the router, the metrics route is refused at the edge.
  rule {
    name     = "block-metrics-path"
    priority = 0

    action {
      block {}
    }

    statement {
      byte_match_statement {
        search_string         = "/metrics"
        positional_constraint = "STARTS_WITH"

        field_to_match {
          uri_path {}
        }

        text_transformation {
          priority = 0
          type     = "URL_DECODE"
        }

        text_transformation {
          priority = 1
          type     = "NORMALIZE_PATH"
        }

        text_transformation {
          priority = 2
          type     = "LOWERCASE"
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.metric_prefix}BlockMetricsPath"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 10

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.rate_limit
        aggregate_key_type    = "IP"
        evaluation_window_sec = 300
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.metric_prefix}RateLimitPerIp"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-common-rules"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        # The group's SizeRestrictions_BODY blocks bodies over 8 KB, but the service accepts orders up
        # to MAX_BODY_BYTES (64 KiB: 100 items with long SKUs pass 8 KB) and answers 413 past that
        # itself. Counted, not blocked, so a valid order is never refused at the edge.
        rule_action_override {
          name = "SizeRestrictions_BODY"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.metric_prefix}AwsCommonRules"
      sampled_requests_enabled   = true
    }
  }

  # Anonymisers (Tor, VPN and proxy services) are blocked. Requests from cloud hosting providers are
  # only counted: the API's clients are often servers that run in a cloud.
  rule {
    name     = "aws-anonymous-ip"
    priority = 25

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAnonymousIpList"

        rule_action_override {
          name = "HostingProviderIPList"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.metric_prefix}AwsAnonymousIp"
      sampled_requests_enabled   = true
    }
  }

  # Includes the Log4j (Log4Shell) signatures.
  rule {
    name     = "aws-known-bad-inputs"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.metric_prefix}AwsKnownBadInputs"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.metric_prefix}WebAcl"
    sampled_requests_enabled   = true
  }
}

# WAF logs to CloudWatch Logs only into groups whose name starts with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338:blocked-request records are for investigating recent abuse; log_retention_days applies, raise it where a year is required
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.this.arn]

  # API keys travel in Authorization; they must never land in a log.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  # Keep what the WAF blocked or counted; allowed requests are already in the access logs. A rule of a
  # managed group that is overridden to count (SizeRestrictions_BODY, HostingProviderIPList) matches
  # EXCLUDED_AS_COUNT, not COUNT.
  logging_filter {
    default_behavior = "DROP"

    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"

      condition {
        action_condition {
          action = "BLOCK"
        }
      }

      condition {
        action_condition {
          action = "COUNT"
        }
      }

      condition {
        action_condition {
          action = "EXCLUDED_AS_COUNT"
        }
      }
    }
  }
}
