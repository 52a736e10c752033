provider "aws" {
  region = var.aws_region

  default_tags {
    # Environment: only inside an environment (docs/environments.md).
    tags = merge({
      Project   = var.project
      Stack     = "network"
      ManagedBy = "terraform"
    }, var.environment == null ? {} : { Environment = var.environment })
  }
}
