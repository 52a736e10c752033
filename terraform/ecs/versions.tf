terraform {
  # 1.11 is the first release with S3-native state locking (`use_lockfile`) generally available.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.25, < 7.0"
    }
  }

  # Partial configuration: `terraform init -backend-config=../backend.hcl -backend-config="key=ecs/terraform.tfstate"`
  # with the values the backend stack prints (docs/infrastructure.md).
  backend "s3" {
    use_lockfile = true
  }
}
