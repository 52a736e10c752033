locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  bucket_name = coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account_id}-${var.aws_region}")
}
