# Inputs of the web ACL module. The ecs stack calls it once, in the scope of its entry point: REGIONAL
# for the internet-facing load balancer, CLOUDFRONT (in us-east-1) for the distribution.

variable "name" {
  description = "Name of the web ACL (the service's name)."
  type        = string
}

variable "scope" {
  description = "REGIONAL (a load balancer in the provider's region) or CLOUDFRONT (the provider must be us-east-1)."
  type        = string

  validation {
    condition     = contains(["REGIONAL", "CLOUDFRONT"], var.scope)
    error_message = "scope must be REGIONAL or CLOUDFRONT."
  }
}

variable "description" {
  description = "Description of the web ACL (AWS allows letters, digits, spaces and a few marks; no apostrophe)."
  type        = string
}

variable "metric_prefix" {
  description = "Prefix of the CloudWatch metric names of the web ACL and its rules (letters and digits)."
  type        = string
}

variable "rate_limit" {
  description = "Requests one client IP may send in 5 minutes before it is blocked."
  type        = number
}

variable "log_group_name" {
  description = "Name of the log group for blocked and counted requests; WAF requires the aws-waf-logs- prefix."
  type        = string

  validation {
    condition     = startswith(var.log_group_name, "aws-waf-logs-")
    error_message = "WAF logs only to log groups whose name starts with aws-waf-logs-."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF log group, in days."
  type        = number
}

variable "log_kms_key_arn" {
  description = "KMS key, in the provider's region, that encrypts the WAF log group."
  type        = string
}
