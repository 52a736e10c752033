variable "project" {
  description = "Short name that prefixes every resource name (lowercase letters, digits, hyphens)."
  type        = string
  default     = "cloud-app-platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}[a-z0-9]$", var.project))
    error_message = "project must be 4-32 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region of the state bucket. The other stacks take it as state_region."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1 or us-gov-west-1."
  }
}

variable "state_bucket_name" {
  description = "Name of the state bucket. Null derives a globally unique one: <project>-tfstate-<account id>-<region>, with the project name shortened so the whole stays within S3's 63 characters."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten state version is kept before S3 expires it (the window for rolling state back)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 7 && var.noncurrent_version_retention_days <= 3650
    error_message = "noncurrent_version_retention_days must be between 7 and 3650."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled deletion of the state key waits (7-30); state encrypted with it is unreadable once it is gone."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "allow_destroy" {
  description = "True for a throwaway environment: the bucket is destroyed with its objects (force_destroy). Keep false for anything real."
  type        = bool
  default     = false
}
