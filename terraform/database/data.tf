# What this stack reads from the stacks applied before it: their outputs in the shared state bucket.
data "terraform_remote_state" "network" {
  backend = "s3"
  # The producing stack in this stack\'s environment (its workspace): staging reads staging.
  workspace = terraform.workspace

  config = {
    bucket = var.state_bucket
    key    = "network/terraform.tfstate"
    region = var.state_region
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  vpc_id                  = data.terraform_remote_state.network.outputs.vpc_id
  database_subnet_ids     = data.terraform_remote_state.network.outputs.database_subnet_ids
  tasks_security_group_id = data.terraform_remote_state.network.outputs.tasks_security_group_id
  logs_kms_key_arn        = data.terraform_remote_state.network.outputs.logs_kms_key_arn

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  identifier = "${var.project}-orders"
}
