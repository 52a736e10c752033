provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project   = var.project
      Stack     = "ecs"
      Service   = var.service_name
      ManagedBy = "terraform"
    }
  }
}
