terraform {
  # 1.11 is the first release with S3-native state locking (use_lockfile) generally available, and
  # write-only arguments (secret_string_wo) need 1.11 too.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # bucket, region and kms_key_id come from terraform/backend.hcl, which the backend stack prints:
  #   terraform init -backend-config=../backend.hcl
  backend "s3" {
    key          = "database/terraform.tfstate"
    use_lockfile = true
    encrypt      = true
  }
}
