# With a domain (entry_point = "load_balancer", domain_name): the certificate for the name, validated
# through Route 53, and the records that point the name at the load balancer. With certificate_arn
# instead of route53_zone_id, the certificate and the DNS are the owner's; nothing here is created.

resource "aws_acm_certificate" "service" {
  count = local.issue_certificate ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  # A changed name gets its new certificate before the listener lets go of the old one.
  lifecycle {
    create_before_destroy = true
  }
}

# The CNAME record ACM looks up to prove the name is ours; renewals use the same record, so it stays.
# The certificate names domain_name alone, so that is the one key (known when planning; the record's
# values are known only once ACM has answered).
locals {
  certificate_validation_options = {
    for option in flatten(aws_acm_certificate.service[*].domain_validation_options) : option.domain_name => option
  }
}

resource "aws_route53_record" "certificate_validation" {
  for_each = local.issue_certificate ? toset([var.domain_name]) : toset([])

  zone_id         = var.route53_zone_id
  name            = local.certificate_validation_options[each.key].resource_record_name
  type            = local.certificate_validation_options[each.key].resource_record_type
  records         = [local.certificate_validation_options[each.key].resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

# Waits until ACM has issued the certificate, so the HTTPS listener never names one still pending.
resource "aws_acm_certificate_validation" "service" {
  count = local.issue_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.service[0].arn
  validation_record_fqdns = [for record in aws_route53_record.certificate_validation : record.fqdn]
}

# domain_name -> the load balancer. Alias records follow the balancer's changing addresses and cost no
# query fees. AAAA answers once the balancer is dual-stack; on today's IPv4-only network it stays
# empty and clients use the A record.
resource "aws_route53_record" "service" {
  for_each = local.load_balancer_https && var.route53_zone_id != null ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = each.value

  alias {
    name                   = aws_lb.service.dns_name
    zone_id                = aws_lb.service.zone_id
    evaluate_target_health = true
  }
}
