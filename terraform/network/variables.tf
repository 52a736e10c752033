variable "project" {
  description = "Short name that prefixes every resource name (lowercase letters, digits, hyphens)."
  type        = string
  default     = "cloud-app-platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}[a-z0-9]$", var.project))
    error_message = "project must be 4-32 characters: lowercase letters, digits and hyphens, starting with a letter."
  }

  # In an environment every name carries the environment's name, so two environments live side by
  # side in one account (docs/environments.md).
  validation {
    condition     = var.environment == null || endswith(var.project, "-${coalesce(var.environment, "none")}")
    error_message = "In an environment, project must end with \"-\" and the environment's name: the names it prefixes carry the environment."
  }
}

variable "environment" {
  description = "Name of the environment (staging, production, ...): the Terraform workspace this stack is applied in, its Environment tag, and the suffix its names carry (docs/environments.md). Null outside an environment, in the default workspace."
  type        = string
  default     = null

  # The environment's variables file only applies in its own workspace, and a workspace only with its
  # own file: a forgotten `terraform workspace select` cannot put staging's values into another state.
  validation {
    condition     = var.environment == null ? terraform.workspace == "default" : var.environment == terraform.workspace
    error_message = "environment must name the selected workspace (now \"${terraform.workspace}\"): select the environment's workspace with `terraform workspace select -or-create NAME` and pass its terraform/environments/NAME file; leave environment unset only in the default workspace."
  }
}

variable "aws_region" {
  description = "AWS region of the network; the database and ecs stacks run in the same region."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1 or us-gov-west-1."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC, /16 to /20. Each subnet takes a sixteenth of it (see locals in vpc.tf)."
  type        = string
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /20, such as 10.20.0.0/16."
  }
}

variable "availability_zone_count" {
  description = "Availability zones to spread subnets over: 2 (the minimum for a load balancer and RDS) or 3."
  type        = number
  default     = 2

  validation {
    condition     = contains([2, 3], var.availability_zone_count)
    error_message = "availability_zone_count must be 2 or 3."
  }
}

variable "tasks_in_private_subnets" {
  description = "Run the service's tasks in private subnets with VPC endpoints (ECR, S3, CloudWatch Logs, Secrets Manager) instead of public subnets with public IPs. About 64 USD a month more with two zones (four interface endpoints in each; see Cost in docs/infrastructure.md); no NAT gateway either way."
  type        = bool
  default     = false
}

variable "flow_log_traffic_type" {
  description = "Which traffic the VPC flow log records: ALL, ACCEPT or REJECT (REJECT is cheapest and still shows blocked probes)."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ACCEPT", "REJECT"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be ALL, ACCEPT or REJECT."
  }
}

variable "flow_log_retention_days" {
  description = "Days CloudWatch Logs keeps the VPC flow log (a value CloudWatch accepts)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be one of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}
