locals {
  # Environment: only inside an environment (docs/environments.md).
  default_tags = merge({
    Project   = var.project
    Stack     = "ecs"
    Service   = var.service_name
    ManagedBy = "terraform"
  }, var.environment == null ? {} : { Environment = var.environment })
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.default_tags
  }
}

# AWS keeps what belongs to CloudFront in us-east-1: the CLOUDFRONT-scope web ACL, and with it its log
# group and that group's key (entry_point = "cloudfront"; waf.tf).
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.default_tags
  }
}
