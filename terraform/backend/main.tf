locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # S3 bucket names are 3-63 characters, globally unique. The derived name ends in the account and
  # region, which make it unique; the project name is shortened to fit before them (at most 27
  # characters survive next to the longest region names), never the other way round.
  bucket_suffix       = "-tfstate-${local.account_id}-${var.aws_region}"
  derived_bucket_name = "${trimsuffix(substr(var.project, 0, 63 - length(local.bucket_suffix)), "-")}${local.bucket_suffix}"
  bucket_name         = coalesce(var.state_bucket_name, local.derived_bucket_name)
}
