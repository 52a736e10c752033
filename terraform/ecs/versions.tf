terraform {
  # 1.11 is the first release with S3-native state locking (`use_lockfile`) generally available.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Partial configuration: `terraform init -backend-config=../backend.hcl` with the values the
  # backend stack prints (docs/infrastructure.md); the key is this stack's own.
  backend "s3" {
    key          = "ecs/terraform.tfstate"
    use_lockfile = true
    encrypt      = true
  }
}
