# The staging environment's database (terraform workspace "staging"; docs/environments.md).
# state_bucket and state_region come from terraform/state.tfvars (the backend stack's
# state_tfvars output): they name the account.

environment           = "staging"
project               = "cloud-app-platform-staging"
aws_region            = "eu-west-1"
instance_class        = "db.t4g.micro"
multi_az              = false
backup_retention_days = 7
