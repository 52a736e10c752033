# What this stack reads from the stacks applied before it: their outputs in the shared state bucket
# (docs/infrastructure.md). Every value from another stack enters here, under a local name.

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

data "terraform_remote_state" "database" {
  backend = "s3"
  # The producing stack in this stack\'s environment (its workspace): staging reads staging.
  workspace = terraform.workspace

  config = {
    bucket = var.state_bucket
    key    = "database/terraform.tfstate"
    region = var.state_region
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # Network stack.
  vpc_id            = data.terraform_remote_state.network.outputs.vpc_id
  public_subnet_ids = data.terraform_remote_state.network.outputs.public_subnet_ids
  # Private subnets with no route out of the VPC: the internal load balancer behind CloudFront.
  internal_subnet_ids = data.terraform_remote_state.network.outputs.internal_subnet_ids
  # The tasks run in the subnets the network stack chose for them: public subnets with public IPs (the
  # seed's design, no NAT gateway) or private subnets with VPC endpoints when its variable says so.
  task_subnet_ids       = data.terraform_remote_state.network.outputs.task_subnet_ids
  task_assign_public_ip = data.terraform_remote_state.network.outputs.tasks_in_private_subnets ? false : true
  tasks_security_group  = data.terraform_remote_state.network.outputs.tasks_security_group_id

  # Database stack.
  database_host                 = data.terraform_remote_state.database.outputs.address
  database_port                 = data.terraform_remote_state.database.outputs.port
  database_name                 = data.terraform_remote_state.database.outputs.database_name
  database_instance_id          = data.terraform_remote_state.database.outputs.instance_identifier
  database_security_group       = data.terraform_remote_state.database.outputs.security_group_id
  database_max_connections      = data.terraform_remote_state.database.outputs.max_connections
  service_database_secret_arn   = data.terraform_remote_state.database.outputs.service_user_secret_arn
  master_database_secret_arn    = data.terraform_remote_state.database.outputs.master_user_secret_arn
  database_secrets_kms_key_arns = data.terraform_remote_state.database.outputs.secrets_kms_key_arns
}
