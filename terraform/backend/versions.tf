# This stack creates the bucket every other stack keeps its state in, so it starts with local
# state. Once applied, its own state can move into the bucket: see docs/infrastructure.md,
# "Moving the backend stack's state into the bucket" (s3-backend.tf.example is the block to add).
terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
