output "arn" {
  description = "ARN of the web ACL (the load balancer's association or the distribution's web_acl_id)."
  value       = aws_wafv2_web_acl.this.arn
}

output "metric_name" {
  description = "The web ACL's own CloudWatch metric name (the WebACL dimension of AWS/WAFV2)."
  value       = aws_wafv2_web_acl.this.visibility_config[0].metric_name
}

output "log_group_name" {
  description = "Log group of blocked and counted requests."
  value       = aws_cloudwatch_log_group.this.name
}

output "rule_names" {
  description = "Names of the web ACL's rules, in priority order."
  value       = [for rule in aws_wafv2_web_acl.this.rule : rule.name]
}

output "scope" {
  description = "REGIONAL or CLOUDFRONT."
  value       = aws_wafv2_web_acl.this.scope
}

output "rate_limit" {
  description = "Requests per client IP per 5 minutes before the rate rule blocks."
  value       = one([for rule in aws_wafv2_web_acl.this.rule : rule.statement[0].rate_based_statement[0].limit if rule.name == "rate-limit-per-ip"])
}

output "redacted_headers" {
  description = "Headers the WAF log never holds (API keys travel in Authorization)."
  value       = [for field in aws_wafv2_web_acl_logging_configuration.this.redacted_fields : field.single_header[0].name]
}
