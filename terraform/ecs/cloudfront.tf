# entry_point = "cloudfront": HTTPS on CloudFront's own name for a deployment without a domain.
# Viewers speak HTTPS to CloudFront (plain HTTP is redirected); CloudFront adds HSTS and runs the
# edge web ACL (waf.tf); it reaches the internal load balancer through a VPC origin: network
# interfaces in the internal subnets, over AWS's network, never the internet (entry-point.tf).

# AWS-managed policies, by their documented fixed ids (the same in every account): nothing is cached,
# an API answers per caller; and every viewer header, Authorization included (allowed when nothing
# is cached), reaches the origin, except Host, which becomes the origin's name.
locals {
  cloudfront_caching_disabled_policy_id       = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  cloudfront_all_viewer_except_host_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  cloudfront_origin_id                        = "internal-load-balancer"
}

# CloudFront's origin-facing address ranges, an AWS-managed prefix list: the only source the internal
# load balancer admits. VPC origin traffic arrives from these addresses.
data "aws_ec2_managed_prefix_list" "cloudfront_origin_facing" {
  count = local.behind_cloudfront ? 1 : 0

  name = "com.amazonaws.global.cloudfront.origin-facing"
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_cloudfront" {
  # checkov:skip=CKV_AWS_260:the source is CloudFront's origin-facing managed prefix list, not 0.0.0.0/0; the balancer is internal and nothing else may reach it
  count = local.behind_cloudfront ? 1 : 0

  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the CloudFront VPC origin only"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront_origin_facing[0].id
}

resource "aws_cloudfront_vpc_origin" "service" {
  count = local.behind_cloudfront ? 1 : 0

  vpc_origin_endpoint_config {
    name                   = var.service_name
    arn                    = aws_lb.service.arn
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "http-only"

    # Unused with http-only, but the API requires the block.
    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "service" {
  # checkov:skip=CKV_AWS_259:max-age a year and includeSubDomains are set; preload is left out because it asks browsers to hard-code a name in their preload lists, and *.cloudfront.net is CloudFront's name, not one this stack owns or could submit
  count = local.behind_cloudfront ? 1 : 0

  name    = "${var.service_name}-security-headers"
  comment = "HSTS and nosniff on every response of ${var.service_name}"

  security_headers_config {
    # override: CloudFront's value wins over anything the origin sends.
    strict_transport_security {
      access_control_max_age_sec = var.hsts_max_age_seconds
      include_subdomains         = true
      override                   = true
    }

    content_type_options {
      override = true
    }
  }
}

resource "aws_cloudfront_distribution" "service" {
  # checkov:skip=CKV_AWS_86:every request CloudFront forwards is in the load balancer's access log (the client's address in X-Forwarded-For), and blocked ones in the WAF log; a second request log adds cost, not evidence
  # checkov:skip=CKV_AWS_174:CloudFront's own *.cloudfront.net certificate takes no minimum_protocol_version (CloudFront fixes it); clients negotiate TLS 1.3, and a domain of your own (entry_point = load_balancer) enforces a TLS 1.3 policy
  # checkov:skip=CKV2_AWS_42:no custom certificate by design: this setup serves HTTPS on CloudFront's own name for deployments without a domain
  # checkov:skip=CKV_AWS_305:an API has no default root object; GET / is answered by the service
  # checkov:skip=CKV_AWS_310:one origin, the service's load balancer, which already spreads over two zones and several tasks; a failover origin would be a second deployment
  # checkov:skip=CKV_AWS_374:the API serves customers wherever they are; the WAF's anonymiser and rate rules restrict abuse, not countries
  count = local.behind_cloudfront ? 1 : 0

  enabled         = true
  comment         = "${var.service_name} API"
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.cloudfront_price_class
  web_acl_id      = module.edge_web_acl[0].arn

  origin {
    origin_id   = local.cloudfront_origin_id
    domain_name = aws_lb.service.dns_name

    vpc_origin_config {
      vpc_origin_id = aws_cloudfront_vpc_origin.service[0].id
      # Longer than any request may run (the service answers 503 after request_timeout_seconds), and
      # keep-alive shorter than the balancer's idle timeout, so CloudFront never reuses a connection
      # the balancer has just closed.
      origin_read_timeout      = local.timings.request_timeout_seconds + 20
      origin_keepalive_timeout = 5
    }
  }

  default_cache_behavior {
    target_origin_id           = local.cloudfront_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.cloudfront_caching_disabled_policy_id
    origin_request_policy_id   = local.cloudfront_all_viewer_except_host_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.service[0].id
    compress                   = true
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
