provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project   = "cloud-app-platform"
      Stack     = "ecs"
      Service   = var.service_name
      ManagedBy = "terraform"
    }
  }
}
