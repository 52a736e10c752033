output "state_bucket" {
  description = "Name of the state bucket: the other stacks' state_bucket variable."
  value       = aws_s3_bucket.state.bucket
}

output "state_region" {
  description = "Region of the state bucket: the other stacks' state_region variable."
  value       = var.aws_region
}

output "state_bucket_arn" {
  description = "ARN of the state bucket, for the IAM policies of whoever runs Terraform."
  value       = aws_s3_bucket.state.arn
}

output "state_kms_key_arn" {
  description = "ARN of the key that encrypts state; whoever runs Terraform needs Encrypt, Decrypt and GenerateDataKey on it."
  value       = aws_kms_key.state.arn
}

output "backend_hcl" {
  description = "Contents of terraform/backend.hcl, the shared part of every stack's S3 backend (each stack names its own key)."
  value       = format("bucket     = %q\nregion     = %q\nkms_key_id = %q\n", aws_s3_bucket.state.bucket, var.aws_region, aws_kms_key.state.arn)
}

output "state_tfvars" {
  description = "Contents of terraform/state.tfvars: the state_bucket and state_region the database and ecs stacks read the earlier stacks' state with."
  value       = format("state_bucket = %q\nstate_region = %q\n", aws_s3_bucket.state.bucket, var.aws_region)
}
