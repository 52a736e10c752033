# How clients reach the API. Every supported setup serves HTTPS; the one that would not is refused
# at plan time (var.entry_point's validation) unless allow_plain_http_demo says it is a demo.
#
#   cloudfront (default)        client --HTTPS--> CloudFront (its own d....cloudfront.net name,
#                               WAF, HSTS) --VPC origin--> internal load balancer (port 80, inside the
#                               VPC, from CloudFront only) --> tasks
#   load_balancer + domain_name client --HTTPS--> internet-facing load balancer (WAF; 443 with a TLS
#                               1.3 policy, HSTS; 80 only redirects) --> tasks
#   load_balancer, demo         client --HTTP--> internet-facing load balancer --> tasks
#
# The hop from CloudFront to the internal load balancer is plain HTTP: CloudFront validates an origin
# certificate against the origin's name, and without a domain of your own no certificate can name the
# load balancer. That hop never crosses the internet: CloudFront reaches the load balancer through
# network interfaces it places in the VPC's internal subnets (docs/infrastructure.md, "HTTPS").

locals {
  behind_cloudfront   = var.entry_point == "cloudfront"
  load_balancer_https = var.entry_point == "load_balancer" && var.domain_name != null
  plain_http_demo     = var.entry_point == "load_balancer" && var.domain_name == null

  # The certificate of the HTTPS listener: the one given, or the one requested and validated here.
  issue_certificate = local.load_balancer_https && var.certificate_arn == null
  listener_certificate_arn = (
    !local.load_balancer_https ? null :
    var.certificate_arn != null ? var.certificate_arn : one(aws_acm_certificate_validation.service[*].certificate_arn)
  )

  # Added to every HTTPS response, by the load balancer's listener or by CloudFront. Browsers ignore
  # the header on plain HTTP, so the redirect on port 80 carries none.
  hsts_header = "max-age=${var.hsts_max_age_seconds}; includeSubDomains"

  # The name clients, the deploy workflow's smoke test and service_url use: the certificate's name,
  # never a name no certificate covers (the load balancer's own name, with a domain).
  service_host = (
    local.behind_cloudfront ? one(aws_cloudfront_distribution.service[*].domain_name) :
    local.load_balancer_https ? var.domain_name : aws_lb.service.dns_name
  )
  service_url = local.service_host == null ? null : "${local.plain_http_demo ? "http" : "https"}://${local.service_host}"
}
